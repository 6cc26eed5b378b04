"""Extraction quality: score extractions against hand-made gold annotations.

The gold format is described in ``tests/gold/README.md`` and
``tests/data/unseen/README.md``: one JSON or YAML file per document,
``{"doc_id", "entities": [names], "facts": [{"kind", ...}]}``.

Names
    Every entity field of the gold (``entities``, controller, territory,
    member, organisation, holder, within, place, claimant) is a registry key,
    or a name resolved through the registry's labels and aliases ignoring
    case, accents and spacing (``Iyad Ag Ghali``, ``MUJAO``); a name the
    registry does not know is keyed by its slug (``Omar Ould Hamaha`` ->
    ``omar-ould-hamaha``), which is how the builder keys the entities it
    discovers. Predicted claims name entities by key.

Matching rules
--------------

Documents
    Every document of the gold is scored. A gold document without an
    extraction counts all its items as false negatives (a document the
    pipeline lost is a document it missed); an extraction without gold is
    not scored and is listed in :attr:`Scores.unscored`.

Entities
    Per document, the set of predicted keys (the keys of
    ``Extraction.mentions`` plus those of the discovered
    ``Extraction.entities``) against the set of gold ``entities``.

Claims
    A predicted claim matches a gold fact of the same document and kind
    when the key fields match:

    - control: controller, territory, change, and the date. The claim's date
      is its ``start`` for a gain or a state, its ``end`` for a loss (its
      ``start`` when a loss has no ``end``); it matches when its ISO form at
      its own precision (:attr:`TimeSpan.iso`) equals the gold's, so a day
      where the gold has a month (or the reverse) is a miss. A null gold date
      accepts any predicted date; a null predicted date matches only a null
      gold date.
    - membership: member, organisation, change.
    - role: holder and role; within too, unless the gold's within is null.
    - event: event type and place (a null place matches only a null place);
      the start date as for control, but only when both dates are present.
    - casualty: casualty type, and count_min; when the gold's count_min is
      null, the count text instead (case-folded, spaces collapsed). The
      claimant is not part of the match; it is scored apart as
      *claimant accuracy* over the matched casualty facts.

Polarity
    A prediction with polarity ``denied`` matches only a gold fact marked
    ``denied``, and the reverse. ``asserted`` and ``hedged`` match each
    other; how often the exact polarity agrees is reported apart as
    *polarity accuracy* over all matched facts.

Counting
    Predictions are deduplicated by their key fields first (the same content
    extracted from several sentences counts once); gold facts with identical
    key fields are likewise one item. Each gold item is matched at most once,
    by a maximum one-to-one matching per document and kind, so the order of
    the predictions does not change the score. Precision is TP / (TP + FP),
    recall TP / (TP + FN); either is 1.0 when its denominator is 0. The
    overall figure is micro-averaged over the five claim kinds; entities are
    reported on their own row.

Events as events
    Beside the per-document rows, the events are scored as happenings over
    the whole corpus (:func:`score_happenings`): the predicted event claims
    are resolved into events (:mod:`kg.events`), and so are the gold event
    facts of every document (the same rules; gold has no sides, so only kind,
    place and dates group them), so that nine sentences and five articles
    about one capture are one item on each side. A predicted event matches a
    gold one of the same family of kinds (a capture and a withdrawal are one
    family), at the same place or one inside the other (a null place matches
    only a null place), whose date holds the predicted start (a null gold date
    accepts any); maximum one-to-one matching again. Denied gold facts are
    left out. The row is reported apart and is not part of the overall figure,
    with how many event claims were merged into how many events.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kg.errors import CorpusError
from kg.events import (
    Reported,
    ResolvedEvent,
    World,
    event_kinds,
    merge_counts,
    reported,
    resolve_events,
)
from kg.iris import slugify
from kg.model import (
    CLAIM_KINDS,
    CasualtyClaim,
    Claim,
    ControlClaim,
    EventClaim,
    Evidence,
    Extraction,
    MembershipClaim,
    RoleClaim,
    TimeSpan,
)
from kg.vocab import CASUALTY_TYPES, EVENT_CLASSES, POLARITIES, ROLES

STAGE = "evaluate.v1"
KINDS = ("entities", *CLAIM_KINDS)  # rows of the score table, in order
ROW_LABELS = {
    "entities": "entities", "event": "events", "control": "control",
    "membership": "membership", "role": "roles", "casualty": "casualty",
}  # fmt: skip

_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_CONTROL_CHANGES = ("gain", "loss", "state")
_MEMBERSHIP_CHANGES = ("join", "leave", "found", "state")
_FIELDS: dict[str, dict[str, str]] = {  # kind -> field -> "key" | "key?" | "str" | "date?" | ...
    "event": {"event_type": "event_type", "place": "key?", "date": "date?"},
    "control": {
        "controller": "key", "territory": "key", "change": "control_change", "date": "date?",
    },
    "membership": {
        "member": "key", "organisation": "key", "change": "membership_change", "date": "date?",
    },
    "role": {"holder": "key", "role": "role", "within": "key?", "date": "date?"},
    "casualty": {
        "casualty": "casualty", "count_text": "str", "count_min": "int?", "victims": "str",
        "claimant": "key",
    },
}  # fmt: skip
_OPTIONAL = {"polarity", "note", "quote", "kind"}


# --- data ----------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One item to match: a gold fact or a (deduplicated) predicted claim.

    ``key`` holds the match fields in a fixed order per kind (see
    :func:`fact_key`); ``claimants`` and ``polarities`` collect what the
    merged sources said, for the claimant and polarity figures.
    """

    doc_id: str
    kind: str
    key: tuple[Any, ...]
    quote: str = ""
    claimants: frozenset[str] = frozenset()
    polarities: frozenset[str] = frozenset()
    texts: frozenset[str] = frozenset()  # casualty: the count texts, normalised

    def describe(self) -> str:
        """A one-line summary: ``control fama kidal gain 2023-11-14`` (``-`` for null)."""
        *fields, denied = self.key if self.kind != "entities" else (*self.key, False)
        words = [self.kind, *("-" if v is None else str(v) for v in fields)]
        return " ".join(words + (["(denied)"] if denied else []))


@dataclass(frozen=True)
class Gold:
    """The gold annotation of one document."""

    doc_id: str
    entities: frozenset[str]
    facts: tuple[Fact, ...]  # deduplicated by key


@dataclass(frozen=True)
class Tally:
    """True positives, false positives and false negatives of one row."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True)
class Ratio:
    """``correct`` out of ``total`` (1.0 when there is nothing to judge)."""

    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass(frozen=True)
class Scores:
    """Per-kind and overall tallies, with the misses listed for debugging."""

    by_kind: Mapping[str, Tally]  # keys: KINDS
    overall: Tally  # micro over the claim kinds
    false_positives: tuple[Fact, ...]  # entities appear as kind "entities", key (key,)
    false_negatives: tuple[Fact, ...]
    claimant: Ratio = Ratio()  # matched casualty facts whose claimant agrees
    polarity: Ratio = Ratio()  # matched facts whose exact polarity agrees
    documents: tuple[str, ...] = ()  # doc_ids scored
    unscored: tuple[str, ...] = field(default=())  # extracted doc_ids without gold
    happenings: Tally = Tally()  # resolved events against resolved gold events
    merged: tuple[int, int] = (0, 0)  # (event claims, events they were resolved into)

    def tally(self, name: str) -> Tally:
        """A row by kind or by its table label: ``"event"`` or ``"events"``, ``"overall"``."""
        if name == "overall":
            return self.overall
        kinds = {label: kind for kind, label in ROW_LABELS.items()}
        return self.by_kind[kinds.get(name, name)]


# --- gold ----------------------------------------------------------------


GOLD_SUFFIXES = (".json", ".yaml", ".yml")
_ENTITY_FIELDS = (
    "controller", "territory", "member", "organisation", "holder", "within", "place", "claimant",
)  # fmt: skip


def load_gold(gold_dir: Path, resolve: Callable[[str], str] | None = None) -> dict[str, Gold]:
    """Read every ``*.json`` / ``*.yaml`` gold file of gold_dir, keyed by doc_id.

    ``resolve`` turns a gold name into an entity key (see :func:`name_resolver`);
    without it the gold must already hold keys. Raises CorpusError naming the
    file and the field to fix.
    """
    if not gold_dir.is_dir():
        raise CorpusError(
            f"{gold_dir}: not a folder. Give the folder that holds the gold *.json or *.yaml."
        )
    golds: dict[str, Gold] = {}
    paths = sorted(p for p in gold_dir.iterdir() if p.suffix in GOLD_SUFFIXES)
    if not paths:
        raise CorpusError(f"{gold_dir}: no gold file (*.json, *.yaml); give the gold folder")
    for path in paths:
        data = _read_gold_file(path)
        gold = parse_gold(data, path.name, resolve)
        if gold.doc_id != path.stem:
            raise CorpusError(f"{path.name}: doc_id {gold.doc_id!r} is not the file stem; rename")
        if gold.doc_id in golds:
            raise CorpusError(f"{path.name}: doc_id {gold.doc_id!r} has two gold files; keep one")
        golds[gold.doc_id] = gold
    return golds


def _read_gold_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(f"{path.name}: not UTF-8 ({error}); re-save as UTF-8") from None
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CorpusError(f"{path.name}: not valid JSON ({error}); fix the file") from None
    import yaml  # only YAML gold needs it

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = " ".join(str(error).split())
        raise CorpusError(f"{path.name}: not valid YAML ({where}); fix the file") from None
    return _plain(data)


def _plain(value: Any) -> Any:
    """YAML's dates and numbers where the gold means text: ``2013-01-10`` and ``2013``
    are ISO date strings, as in JSON gold."""
    if isinstance(value, dict):
        return {k: (_iso_value(v) if k == "date" else _plain(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _iso_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    return value


def name_resolver(lookup: Callable[[str], str | None]) -> Callable[[str], str]:
    """A gold name -> entity key: the registry's key for a label, alias or key
    (``lookup``), else the name's slug, as the builder keys discovered entities."""

    def resolve(name: str) -> str:
        return lookup(name) or lookup(" ".join(name.replace("-", " ").split())) or slugify(name)

    return resolve


def parse_gold(
    data: Any, name: str = "<gold>", resolve: Callable[[str], str] | None = None
) -> Gold:
    """One gold document (parsed JSON or YAML) -> :class:`Gold`, checked field by field."""
    if not isinstance(data, dict) or not isinstance(data.get("doc_id"), str):
        raise CorpusError(f"{name}: expected an object with a string 'doc_id'")
    entities = data.get("entities", [])
    if not isinstance(entities, list) or not all(isinstance(e, str) and e for e in entities):
        raise CorpusError(f"{name}: 'entities' must be a list of entity keys")
    raw_facts = data.get("facts", [])
    if not isinstance(raw_facts, list):
        raise CorpusError(f"{name}: 'facts' must be a list")
    doc_id = data["doc_id"]
    if resolve is not None:
        entities = [resolve(e) for e in entities]
        raw_facts = [_resolved(raw, resolve) for raw in raw_facts]
    facts = [gold_fact(doc_id, raw, f"{name}: facts[{i}]") for i, raw in enumerate(raw_facts)]
    return Gold(data["doc_id"], frozenset(entities), tuple(merge(facts)))


def _resolved(raw: Any, resolve: Callable[[str], str]) -> Any:
    if not isinstance(raw, dict):
        return raw
    return {
        k: (resolve(v) if k in _ENTITY_FIELDS and isinstance(v, str) and v else v)
        for k, v in raw.items()
    }


def gold_fact(doc_id: str, raw: Any, where: str) -> Fact:
    """Check one gold fact and turn it into a :class:`Fact`."""
    if not isinstance(raw, dict) or raw.get("kind") not in _FIELDS:
        raise CorpusError(f"{where}: 'kind' must be one of {', '.join(_FIELDS)}")
    kind = raw["kind"]
    fields = _FIELDS[kind]
    unknown = sorted(set(raw) - set(fields) - _OPTIONAL)
    if unknown:
        raise CorpusError(f"{where}: unknown field(s) {', '.join(unknown)} for kind {kind!r}")
    for name, check in fields.items():
        _check_field(raw.get(name), check, f"{where}: {name}")
    polarity = raw.get("polarity", "asserted")
    if polarity not in POLARITIES:
        raise CorpusError(f"{where}: polarity must be one of {', '.join(POLARITIES)}")
    if not isinstance(raw.get("quote"), str) or not raw["quote"]:
        raise CorpusError(f"{where}: 'quote' (an exact substring of the article) is required")
    values = dict(raw)
    claimant = values.get("claimant")
    return Fact(
        doc_id=doc_id,
        kind=kind,
        key=fact_key(kind, values, polarity == "denied"),
        quote=raw["quote"],
        claimants=frozenset([claimant] if claimant else []),
        polarities=frozenset([polarity]),
        texts=_texts(values),
    )


def _texts(values: Mapping[str, Any]) -> frozenset[str]:
    text = values.get("count_text")
    return frozenset([norm_count(text)]) if isinstance(text, str) and text.strip() else frozenset()


def _check_field(value: Any, check: str, where: str) -> None:
    """Raise CorpusError when value does not fit check (see _FIELDS)."""
    optional = check.endswith("?")
    if value is None:
        if optional:
            return
        raise CorpusError(f"{where}: required")
    base = check.rstrip("?")
    allowed: Iterable[str] | None = {
        "event_type": EVENT_CLASSES,
        "control_change": _CONTROL_CHANGES,
        "membership_change": _MEMBERSHIP_CHANGES,
        "role": ROLES,
        "casualty": CASUALTY_TYPES,
    }.get(base)
    if allowed is not None and value not in allowed:
        raise CorpusError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    if base == "key" and not (isinstance(value, str) and _KEY.fullmatch(value)):
        raise CorpusError(f"{where}: {value!r} is not an entity key (lower-case slug)")
    if base == "date" and not (isinstance(value, str) and _ISO.match(value)):
        raise CorpusError(f"{where}: {value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if base == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
        raise CorpusError(f"{where}: {value!r} is not an integer")
    if base == "str" and not isinstance(value, str):
        raise CorpusError(f"{where}: {value!r} is not a string")


# --- keys ----------------------------------------------------------------


def fact_key(kind: str, v: Mapping[str, Any], denied: bool) -> tuple[Any, ...]:
    """The match fields of a fact, in a fixed order; the last one is ``denied``.

    >>> fact_key("control", {"controller": "fama", "territory": "kidal",
    ...          "change": "gain", "date": "2023-11-14"}, False)
    ('fama', 'kidal', 'gain', '2023-11-14', False)
    """
    if kind == "event":
        return (v["event_type"], v.get("place"), v.get("date"), denied)
    if kind == "control":
        return (v["controller"], v["territory"], v["change"], v.get("date"), denied)
    if kind == "membership":
        return (v["member"], v["organisation"], v["change"], denied)
    if kind == "role":
        return (v["holder"], v["role"], v.get("within"), denied)
    if kind == "casualty":
        count = v.get("count_min")
        text = None if count is not None else norm_count(v.get("count_text") or "")
        return (v["casualty"], count, text, denied)
    raise ValueError(f"unknown kind {kind!r}")


def norm_count(text: str) -> str:
    """Case-folded, spaces collapsed: ``'Around  Twenty'`` -> ``'around twenty'``."""
    return " ".join(text.casefold().split())


def _iso(span: TimeSpan | None) -> str | None:
    return span.iso if span is not None else None


def claim_values(claim: Claim) -> tuple[str, dict[str, Any]]:
    """A predicted claim -> (kind, field values named as in the gold)."""
    if isinstance(claim, EventClaim):
        return "event", {"event_type": claim.event_type, "place": claim.place,
                         "date": _iso(claim.start)}  # fmt: skip
    if isinstance(claim, ControlClaim):
        span = (claim.end or claim.start) if claim.change == "loss" else claim.start
        return "control", {"controller": claim.controller, "territory": claim.territory,
                           "change": claim.change, "date": _iso(span)}  # fmt: skip
    if isinstance(claim, MembershipClaim):
        return "membership", {"member": claim.member, "organisation": claim.organisation,
                              "change": claim.change}  # fmt: skip
    if isinstance(claim, RoleClaim):
        return "role", {"holder": claim.holder, "role": claim.role, "within": claim.within}
    if isinstance(claim, CasualtyClaim):
        return "casualty", {"casualty": claim.casualty, "count_min": claim.count_min,
                            "count_text": claim.count_text}  # fmt: skip
    raise ValueError(f"not a scorable claim: {type(claim).__name__}")


def predicted_facts(extraction: Extraction) -> list[Fact]:
    """The claims of one extraction as facts, deduplicated by key."""
    facts = []
    for claim in extraction.claims:
        kind, values = claim_values(claim)
        facts.append(
            Fact(
                doc_id=extraction.document.doc_id,
                kind=kind,
                key=fact_key(kind, values, claim.polarity == "denied"),
                quote=claim.evidence.quote,
                claimants=frozenset([claim.claimant]),
                polarities=frozenset([claim.polarity]),
                texts=_texts(values),
            )
        )
    return merge(facts)


def merge(facts: Iterable[Fact]) -> list[Fact]:
    """Facts with the same (kind, key) become one; first quote kept, sources pooled."""
    merged: dict[tuple[str, Hashable], Fact] = {}
    for fact in facts:
        seen = merged.get((fact.kind, fact.key))
        if seen is None:
            merged[(fact.kind, fact.key)] = fact
        else:
            merged[(fact.kind, fact.key)] = Fact(
                seen.doc_id, seen.kind, seen.key, seen.quote, seen.claimants | fact.claimants,
                seen.polarities | fact.polarities, seen.texts | fact.texts,
            )  # fmt: skip
    return list(merged.values())


# --- matching ------------------------------------------------------------


def _date_ok(predicted: str | None, gold: str | None, *, lenient_missing: bool) -> bool:
    if gold is None:
        return True
    if predicted is None:
        return lenient_missing
    return predicted == gold


def matches(predicted: Fact, gold: Fact) -> bool:
    """Whether a predicted fact matches a gold fact (same kind; rules above)."""
    if predicted.kind != gold.kind or predicted.key[-1] != gold.key[-1]:
        return False
    p, g = predicted.key, gold.key
    if gold.kind == "control":
        return p[:3] == g[:3] and _date_ok(p[3], g[3], lenient_missing=False)
    if gold.kind == "membership":
        return p[:3] == g[:3]
    if gold.kind == "role":
        return p[:2] == g[:2] and (g[2] is None or p[2] == g[2])
    if gold.kind == "event":
        return p[:2] == g[:2] and _date_ok(p[2], g[2], lenient_missing=True)
    if gold.kind == "casualty":
        if p[0] != g[0]:
            return False
        if g[1] is not None:
            return p[1] == g[1]
        return bool(predicted.texts & gold.texts)
    return False


def match_pairs(
    predicted: Sequence[Fact], gold: Sequence[Fact], ok: Callable[[Fact, Fact], bool] = matches
) -> list[tuple[int, int]]:
    """A maximum one-to-one matching (Kuhn's augmenting paths): (pred index, gold index)."""
    edges = [[j for j, g in enumerate(gold) if ok(p, g)] for p in predicted]
    owner: dict[int, int] = {}  # gold index -> pred index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(predicted)):
        augment(i, set())
    return sorted((i, j) for j, i in owner.items())


# --- scoring -------------------------------------------------------------


def score(
    extractions: Sequence[Extraction], gold: Mapping[str, Gold], world: World | None = None
) -> Scores:
    """Score extractions against gold (see the module docstring for the rules); ``world``
    (the registry's containment and countries) is for resolving events."""
    by_doc = {x.document.doc_id: x for x in extractions}
    tallies = {kind: Tally() for kind in KINDS}
    false_pos: list[Fact] = []
    false_neg: list[Fact] = []
    claimant, polarity = Ratio(), Ratio()
    for doc_id in sorted(gold):
        extraction = by_doc.get(doc_id)
        doc_gold = gold[doc_id]
        predicted_keys = entity_keys(extraction) if extraction else frozenset()
        tallies["entities"] += _entity_tally(doc_id, predicted_keys, doc_gold, false_pos, false_neg)
        predicted = predicted_facts(extraction) if extraction else []
        for kind in CLAIM_KINDS:
            preds = [f for f in predicted if f.kind == kind]
            golds = [f for f in doc_gold.facts if f.kind == kind]
            pairs = match_pairs(preds, golds)
            tallies[kind] += Tally(len(pairs), len(preds) - len(pairs), len(golds) - len(pairs))
            hit_p, hit_g = {i for i, _ in pairs}, {j for _, j in pairs}
            false_pos += [f for i, f in enumerate(preds) if i not in hit_p]
            false_neg += [f for j, f in enumerate(golds) if j not in hit_g]
            for i, j in pairs:
                polarity = _add(polarity, bool(preds[i].polarities & golds[j].polarities))
                if kind == "casualty" and golds[j].claimants:
                    claimant = _add(claimant, bool(preds[i].claimants & golds[j].claimants))
    overall = sum((tallies[k] for k in CLAIM_KINDS), Tally())
    happenings, merged = score_happenings(extractions, gold, world or World())
    return Scores(
        happenings=happenings,
        merged=merged,
        by_kind=dict(tallies),
        overall=overall,
        false_positives=tuple(false_pos),
        false_negatives=tuple(false_neg),
        claimant=claimant,
        polarity=polarity,
        documents=tuple(sorted(gold)),
        unscored=tuple(sorted(set(by_doc) - set(gold))),
    )


def score_happenings(
    extractions: Sequence[Extraction], gold: Mapping[str, Gold], world: World
) -> tuple[Tally, tuple[int, int]]:
    """Resolved events against resolved gold events, matched one to one over the corpus;
    and (event claims, events) of the predictions."""
    scored = [x for x in extractions if x.document.doc_id in gold]
    predicted = resolve_events(reported(scored), world)
    expected = resolve_events(gold_reports(gold), World(located_in=world.located_in))
    pairs = match_pairs(predicted, expected, lambda p, g: _same_happening(p, g, world))  # type: ignore[arg-type]
    tally = Tally(len(pairs), len(predicted) - len(pairs), len(expected) - len(pairs))
    return tally, merge_counts(predicted)


def gold_reports(gold: Mapping[str, Gold]) -> list[Reported]:
    """The gold's asserted event facts as event claims, for :func:`kg.events.resolve_events`."""
    found = []
    for doc_id in sorted(gold):
        for index, fact in enumerate(gold[doc_id].facts):
            if fact.kind != "event" or fact.key[-1]:
                continue
            kind, place, when, _ = fact.key
            span = _gold_span(when)
            claim = EventClaim("gold", Evidence(doc_id, index, index, ""), "gold",
                               event_type=kind, place=place, start=span)  # fmt: skip
            found.append(Reported(claim, f"gold:{doc_id}:{index}", doc_id))
    return found


def _gold_span(iso: str | None) -> TimeSpan | None:
    """``2023-11-14`` / ``2023-11`` / ``2023`` as a TimeSpan at that precision."""
    if not iso:
        return None
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return TimeSpan(day, day, "day")
    if len(parts) == 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        return TimeSpan(date(parts[0], parts[1], 1), date(parts[0], parts[1], last), "month")
    return TimeSpan(date(parts[0], 1, 1), date(parts[0], 12, 31), "year")


def _same_happening(p: ResolvedEvent, g: ResolvedEvent, world: World) -> bool:
    kinds = event_kinds()
    family = {k: kinds[k].family if k in kinds else k for k in (p.kind, g.kind)}
    if family[p.kind] != family[g.kind]:
        return False
    if (p.place is None) != (g.place is None):
        return False
    if p.place and g.place and p.place != g.place:
        if g.place not in world.located_in(p.place) and p.place not in world.located_in(g.place):
            return False
    if g.start is None:
        return True
    return p.start is not None and g.start.earliest <= p.start.earliest <= g.start.latest


def entity_keys(extraction: Extraction) -> frozenset[str]:
    """The entity keys an extraction found: mentioned ones and discovered ones."""
    return frozenset(m.key for m in extraction.mentions) | frozenset(
        e.key for e in extraction.entities
    )


def _entity_tally(
    doc_id: str, predicted: frozenset[str], gold: Gold, false_pos: list[Fact], false_neg: list[Fact]
) -> Tally:
    false_pos += [Fact(doc_id, "entities", (k,)) for k in sorted(predicted - gold.entities)]
    false_neg += [Fact(doc_id, "entities", (k,)) for k in sorted(gold.entities - predicted)]
    hits = len(predicted & gold.entities)
    return Tally(hits, len(predicted) - hits, len(gold.entities) - hits)


def _add(ratio: Ratio, correct: bool) -> Ratio:
    return Ratio(ratio.correct + int(correct), ratio.total + 1)


# --- report --------------------------------------------------------------


def score_lines(scores: Scores) -> list[str]:
    """The scores as a plain-text table, one row per kind, then the extra figures."""
    head = f"{'kind':<12} {'tp':>5} {'fp':>5} {'fn':>5} {'precision':>10} {'recall':>8} {'f1':>6}"
    lines = [head, "-" * len(head)]
    rows = [(ROW_LABELS[k], scores.by_kind[k]) for k in KINDS] + [("overall", scores.overall)]
    for label, t in rows:
        if label == "overall":
            lines.append("-" * len(head))
        lines.append(
            f"{label:<12} {t.tp:>5} {t.fp:>5} {t.fn:>5} "
            f"{t.precision:>10.3f} {t.recall:>8.3f} {t.f1:>6.3f}"
        )
    lines.append("")
    t = scores.happenings
    lines.append(
        f"{'happenings':<12} {t.tp:>5} {t.fp:>5} {t.fn:>5} "
        f"{t.precision:>10.3f} {t.recall:>8.3f} {t.f1:>6.3f}"
        "  (events resolved over the corpus, not in overall)"
    )
    lines.append(f"event claims merged: {scores.merged[0]} into {scores.merged[1]} events")
    lines.append(_ratio_line("claimant accuracy (casualty)", scores.claimant))
    lines.append(_ratio_line("polarity accuracy (matched)", scores.polarity))
    lines.append(f"documents scored: {len(scores.documents)}")
    if scores.unscored:
        lines.append(f"without gold (not scored): {', '.join(scores.unscored)}")
    return lines


def _ratio_line(label: str, ratio: Ratio) -> str:
    return f"{label}: {ratio.correct}/{ratio.total} = {ratio.value:.3f}"


def miss_lines(scores: Scores) -> list[str]:
    """The false positives and false negatives, one per line, for debugging."""
    lines = []
    for tag, facts in (("FP", scores.false_positives), ("FN", scores.false_negatives)):
        for fact in facts:
            quote = f"  << {fact.quote[:100]!r}" if fact.quote else ""
            lines.append(f"{tag} {fact.doc_id} {fact.describe()}{quote}")
    return lines
