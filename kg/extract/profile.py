"""Claims from the infobox of a page about an organisation or a person (see
:mod:`kg.extract.infobox` for pages about an event).

An armed group's page: ``Leaders: X, Y`` with no titles (each a Leader of the
group), ``Founder(s): X`` (Founder), ``Part of: Y`` and ``Allegiance: Y`` (the
group a member of Y). A person's page: ``Allegiance: Y`` (the person a member
of Y) and ``Commands: Z`` (Commander within Z). The subject is what the page's
title or title line names; a page about an event has no such subject, and
its "Part of" names the war it belongs to, not a membership.
"""

from __future__ import annotations

from kg.claims.context import make_evidence
from kg.extract.infobox import (
    InfoboxResult,
    Page,
    _agents,
    _persons,
    _subject_organisation,
    subject_type,
)
from kg.extract.structured import Field
from kg.model import MembershipClaim, RoleClaim

RULE = "infobox.{}.v1"


def profile_claims(page: Page, found: list[Field], result: InfoboxResult) -> None:
    """Add the claims of an organisation's or a person's infobox fields to ``result``."""
    if subject_type(page.doc.title or page.doc.text.split("\n", 1)[0]):
        return  # a page about an event
    organisation = _subject_organisation(page)
    person = _subject_person(page)
    for item in found:
        evidence = make_evidence(page.doc, item.begin, item.stop)
        if item.name in ("part_of", "allegiance") and (organisation or person):
            subject = organisation or person
            for key in _agents(page, item.begin, item.stop):
                if key != subject:
                    result.claims.append(MembershipClaim(
                        rule=RULE.format("member_of"), evidence=evidence,
                        claimant=page.publisher, member=subject, organisation=key,
                    ))  # fmt: skip
        elif item.name == "founders" and organisation:
            for key in _persons(page, item, result):
                result.claims.append(RoleClaim(
                    rule=RULE.format("founder"), evidence=evidence, claimant=page.publisher,
                    holder=key, role="Founder", within=organisation,
                ))  # fmt: skip
        elif item.name == "commands" and person:
            for key in _agents(page, item.begin, item.stop):
                result.claims.append(RoleClaim(
                    rule=RULE.format("commands"), evidence=evidence, claimant=page.publisher,
                    holder=person, role="Commander", within=key,
                ))  # fmt: skip


def untitled_leaders(page: Page, item: Field, result: InfoboxResult) -> None:
    """``Leaders: X, Y`` with no titles: each a Leader of the page's organisation."""
    organisation = _subject_organisation(page)
    if organisation is None:
        return
    for key in _persons(page, item, result):
        result.claims.append(RoleClaim(
            rule=RULE.format("leader"), evidence=make_evidence(page.doc, item.begin, item.stop),
            claimant=page.publisher, holder=key, role="Leader", within=organisation,
        ))  # fmt: skip


def _subject_person(page: Page) -> str | None:
    """The person a page is about: its title names a registered or mentioned person."""
    title = (page.doc.title or "").strip()
    if not title:
        return None
    key = page.lookup(title)
    if key and page.is_a(key, "Person"):
        return key
    first = page.doc.text.split("\n", 1)[0].strip()
    for mention in page.mentions:
        if mention.begin > len(page.doc.text.split("\n", 1)[0]) + 1:
            break
        if page.is_a(mention.key, "Person") and mention.text.strip() == first:
            return mention.key
    return None
