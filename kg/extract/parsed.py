"""Claims read off the dependency parse: what the sentence rules' frames miss.

The sentence rules (:mod:`kg.claims`) find a trigger and its first place.
The parse adds the places coordinated with it, each with its own date when
the text gives one:

- "the army took Gao on 3 May, and Ménaka on 9 June": Ménaka is a conjunct of
  the capture (an elliptical second object), taken on 9 June;
- "attacked the army in Xtown and Ytown": Ytown is a conjunct of Xtown;
- "regained control of several towns, notably Kidal and Tessalit": the
  towns named after "notably" / "including" / "such as" are the object's.

A control claim whose place only qualifies the clause's subject ("Gao, Timbuktu
and Kidal, the cities of the region of X, were under the control of Y") moves to
the subject's places, and a capture told by a gerund ("..., seizing Gao") gets
the subject of the clause the gerund hangs from (:func:`gerund_subjects`).

Only sentences that can need it are parsed: those whose control claim or
placed event names another place beside its own (one batch per document), and
those with a gerund capture (a second batch).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from kg.claims import within
from kg.model import (
    Claim,
    ControlClaim,
    DatedPhrase,
    EventClaim,
    Mention,
    Sentence,
    TimeSpan,
)

__all__ = ["coordinated_claims", "gerund_subjects"]

_LISTING = frozenset({"notably", "including", "especially", "particularly", "namely", "like"})
_SUCH_AS = ("such", "as")
_PLACE_CLASSES = ("Settlement", "Site", "Region", "Area")


def _territory(claim: Claim) -> str | None:
    if isinstance(claim, ControlClaim):
        return claim.territory
    if isinstance(claim, EventClaim):
        return claim.place
    return None


def coordinated_claims(
    text: str,
    claims: Sequence[Claim],
    mentions: Sequence[Mention],
    dates: Sequence[DatedPhrase],
    is_a: Callable[[str, str], bool],
) -> list[Claim]:
    """The claims with new ones for the places coordinated with a claim's place in its
    sentence; a control claim whose place only qualifies the clause's subject ("Gao, Timbuktu
    and Kidal, the cities of the region of Azawad, were under the control of X") is moved to
    the subject's places."""
    by_sentence: dict[tuple[int, int], list[Claim]] = {}
    for claim in claims:
        if _territory(claim) and claim.rule.split(".")[0] in ("control", "event"):
            span = (claim.evidence.begin, claim.evidence.stop)
            by_sentence.setdefault(span, []).append(claim)
    if not by_sentence:
        return list(claims)
    from kg.extract.analysis import parse

    spans = [s for s in sorted(by_sentence) if _may_coordinate(s, by_sentence[s], mentions, is_a)]
    if not spans:
        return list(claims)
    parsed = parse([text[b:e] for b, e in spans])
    added: list[Claim] = []
    replaced: set[int] = set()
    seen = {(c.kind, _territory(c), getattr(c, "change", None)) for c in claims}
    for (begin, stop), sentence in zip(spans, parsed, strict=True):
        places = _places_in((begin, stop), mentions, is_a)
        for claim in by_sentence[(begin, stop)]:
            found = _coordinated(sentence, begin, claim, places, dates, is_a)
            subject = _subject_places(sentence, begin, claim, places, is_a)
            if subject:
                replaced.add(id(claim))
                found = [(key, None) for key in subject] + found
            for key, date in found:
                content = (claim.kind, key, getattr(claim, "change", None))
                if content in seen and key != _territory(claim):
                    continue
                seen.add(content)
                added.append(_moved(claim, key, date))
    return [c for c in claims if id(c) not in replaced] + added


def _may_coordinate(
    span: tuple[int, int],
    claims: list[Claim],
    mentions: Sequence[Mention],
    is_a: Callable[[str, str], bool],
) -> bool:
    """Only a sentence naming another place beside a claim's place can coordinate it."""
    places = {m.key for m in _places_in(span, mentions, is_a)}
    return any(_territory(c) in places and len(places) > 1 for c in claims)


def _places_in(
    span: tuple[int, int], mentions: Sequence[Mention], is_a: Callable[[str, str], bool]
) -> list[Mention]:
    """The mentions of towns, sites, regions and areas inside the span (by bisection)."""
    inside = within(mentions, Sentence(span[0], span[1], ""))
    return [m for m in inside if any(is_a(m.key, c) for c in _PLACE_CLASSES)]


def _moved(claim: Claim, key: str, date: TimeSpan | None) -> Claim:
    """The claim about another place (and, when the conjunct has its own, another date)."""
    rule = claim.rule.replace(".v1", ".coordinated.v1")
    if isinstance(claim, ControlClaim):
        if date is None:
            return replace(claim, territory=key, rule=rule)
        if claim.change == "loss":
            return replace(claim, territory=key, end=date, rule=rule)
        return replace(claim, territory=key, start=date, rule=rule)
    assert isinstance(claim, EventClaim)
    if date is None:
        return replace(claim, place=key, rule=rule)
    return replace(claim, place=key, start=date, end=None, rule=rule)


def _token_at(sentence: Any, local: int) -> Any | None:
    """The token holding the character at local offset ``local`` (None on white space)."""
    span = sentence.char_span(local, local + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _coordinated(
    sentence: Any,
    offset: int,
    claim: Claim,
    places: list[Mention],
    dates: Sequence[DatedPhrase],
    is_a: Callable[[str, str], bool],
) -> list[tuple[str, TimeSpan | None]]:
    territory = _territory(claim)
    anchors = [m for m in places if m.key == territory]
    if not anchors:
        return []
    anchor = _token_at(sentence, anchors[0].stop - 1 - offset)
    if anchor is None:
        return []
    candidates = list(anchor.conjuncts)
    head = anchor.head
    while head.dep_ in ("prep", "pobj", "dobj") and head.head.i != head.i:
        head = head.head  # from "of Kidal" up to "control" and "took"
    if head.pos_ in ("VERB", "AUX") or head.dep_ == "ROOT":
        candidates += [t for t in head.conjuncts if t.pos_ in ("PROPN", "NOUN")]
    candidates += _listed(anchor)
    found: list[tuple[str, TimeSpan | None]] = []
    level = _level(anchors[0].key, is_a)
    text = sentence.text
    for token in candidates:
        place = _place_of(token, places, offset)
        if place is None or place.key == territory or _level(place.key, is_a) != level:
            continue  # "Xtown, Y Region": a region is no town of a list of towns
        between = text[anchors[0].stop - offset : place.begin - offset]
        if token in anchor.conjuncts or token in head.conjuncts:
            tail = text[place.stop - offset :]
            if not re.search(r"\b(?:and|or|as well as)\b", between + tail[:1]) and not re.search(
                r"\b(?:and|or)\b", text[anchors[0].begin - offset : place.stop - offset]
            ):
                continue  # "X, Y" with no "and" anywhere in the run is an apposition
        found.append((place.key, _own_date(token, offset, claim, dates)))
    return found


def _subject_places(
    sentence: Any,
    offset: int,
    claim: Claim,
    places: list[Mention],
    is_a: Callable[[str, str], bool],
) -> list[str]:
    """The places of the clause's subject, when the claim's place only qualifies it."""
    if not isinstance(claim, ControlClaim) or claim.change == "loss":
        return []
    anchors = [m for m in places if m.key == claim.territory]
    anchor = _token_at(sentence, anchors[0].stop - 1 - offset) if anchors else None
    if anchor is None or anchor.dep_ in ("nsubj", "nsubjpass"):
        return []
    path = []
    node = anchor
    while node.head.i != node.i:
        path.append(node.dep_)
        node = node.head
        if node.dep_ in ("nsubj", "nsubjpass"):
            break
    else:
        return []
    if "appos" not in path and "prep" not in path or "conj" in path[:1]:
        return []
    keys = []
    for token in [node, *node.conjuncts]:
        place = _place_of(token, places, offset)
        if place and place.key != claim.territory and _level(place.key, is_a) == "Settlement":
            keys.append(place.key)
    return keys


def _level(key: str, is_a: Callable[[str, str], bool]) -> str:
    return "Region" if is_a(key, "Region") or is_a(key, "Area") else "Settlement"


def _listed(anchor: Any) -> list[Any]:
    """Places after "notably", "including", "such as" attached to the anchor's phrase."""
    listed = []
    for token in anchor.head.subtree if anchor.dep_ != "ROOT" else anchor.subtree:
        such_as = token.lower_ == "as" and token.i > 0 and token.doc[token.i - 1].lower_ == "such"
        if token.lower_ in _LISTING or such_as:
            nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
            while nxt is not None and nxt.pos_ in ("PUNCT", "DET"):
                nxt = nxt.nbor(1) if nxt.i + 1 < len(nxt.doc) else None
            if nxt is not None:
                listed.append(nxt)
                listed += list(nxt.conjuncts)
    return listed


def _place_of(token: Any, places: list[Mention], offset: int) -> Mention | None:
    at = offset + token.idx
    return next((m for m in places if m.begin <= at < m.stop), None)


def _own_date(
    token: Any, offset: int, claim: Claim, dates: Sequence[DatedPhrase]
) -> TimeSpan | None:
    """A date inside the conjunct's own phrase ("and Ménaka on 9 June"), if any."""
    nested = [t for t in token.subtree if t.dep_ != "conj" or t.i == token.i]
    begin = offset + min(t.idx for t in nested)
    stop = offset + max(t.idx + len(t.text) for t in nested)
    for phrase in dates:
        if begin <= phrase.begin and phrase.stop <= stop:
            if isinstance(claim, ControlClaim) and claim.change == "loss":
                return phrase.end or phrase.start
            return phrase.start or phrase.end
    return None


_UP = ("pcomp", "advcl", "xcomp", "conj", "prep", "acl", "pobj")


def gerund_subjects(
    text: str,
    claims: Sequence[Claim],
    mentions: Sequence[Mention],
    is_a: Callable[[str, str], bool],
) -> list[Claim]:
    """A capture told by a gerund ("The MNLA has ended the occupation of the region by seizing
    the city", "fighters tightened their grip, seizing Gao") belongs to the subject of the
    clause the gerund hangs from: the parse finds it; the regex guess is replaced."""
    gerunds = [c for c in claims if isinstance(c, ControlClaim) and ".gerund." in c.rule]
    if not gerunds:
        return list(claims)
    from kg.extract.analysis import parse

    spans = sorted({(c.evidence.begin, c.evidence.stop) for c in gerunds})
    subjects: dict[tuple[int, int], list[str]] = {}
    for (begin, stop), sentence in zip(spans, parse([text[b:e] for b, e in spans]), strict=True):
        agents = [m for m in mentions if begin <= m.begin and m.stop <= stop
                  and is_a(m.key, "Agent") and not is_a(m.key, "Person")]  # fmt: skip
        subjects[(begin, stop)] = _gerund_subject(sentence, begin, agents)
    result: list[Claim] = []
    done: set[tuple[object, ...]] = set()
    for claim in claims:
        if claim not in gerunds or not subjects.get((claim.evidence.begin, claim.evidence.stop)):
            result.append(claim)
            continue
        assert isinstance(claim, ControlClaim)
        for key in subjects[(claim.evidence.begin, claim.evidence.stop)]:
            content = (claim.evidence.begin, key, claim.territory, claim.change, claim.claimant)
            if content not in done:
                done.add(content)
                result.append(replace(claim, controller=key))
    return result


def _gerund_subject(sentence: Any, offset: int, agents: list[Mention]) -> list[str]:
    keys: list[str] = []
    for token in sentence:
        if token.tag_ != "VBG":
            continue
        node = token
        while node.dep_ in _UP and node.head.i != node.i:
            node = node.head
            subject = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subject:
                for part in [subject[0], *subject[0].conjuncts]:
                    span = (offset + min(t.idx for t in part.subtree),
                            offset + max(t.idx + len(t.text) for t in part.subtree))  # fmt: skip
                    inside = [m.key for m in agents if span[0] <= m.begin and m.stop <= span[1]]
                    keys += [k for k in inside[:1] if k not in keys]
                break
        if keys:
            return keys
    return keys
