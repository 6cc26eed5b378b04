"""Claims that follow from a claim and the ontology, quoted from the same evidence.

- The leader of a junta is its country's junta leader: "Assimi Goïta, leader of
  the CNSP" is also JuntaLeader within Mali (the junta's ``dcterms:spatial``,
  else the document's main country).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from kg.model import Claim, RoleClaim

__all__ = ["implied_claims"]


def implied_claims(
    claims: Sequence[Claim],
    is_a: Callable[[str, str], bool],
    country_of: Callable[[str], str | None],
    main_country: str | None,
) -> list[Claim]:
    """The claims the given ones imply, not already among them."""
    have = {(c.holder, c.role, c.within) for c in claims if isinstance(c, RoleClaim)}
    added: list[Claim] = []
    for claim in claims:
        if not isinstance(claim, RoleClaim) or claim.role != "Leader" or claim.within is None:
            continue
        if not is_a(claim.within, "Junta"):
            continue
        country = country_of(claim.within) or main_country
        content = (claim.holder, "JuntaLeader", country)
        if country is None or content in have:
            continue
        have.add(content)
        added.append(replace(claim, role="JuntaLeader", within=country,
                             rule=claim.rule.replace(".v1", ".junta.v1")))  # fmt: skip
    return added
