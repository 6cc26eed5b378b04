"""A deterministic generator of realistic news articles, for the benchmarks.

Articles are recombined from sentence templates and the registry's entities
(ontology/registry.ttl, read through :func:`kg.registry.load_registry`): captures,
withdrawals, clashes, drone strikes, casualty figures, appointments, joins and
leaves, control states, with absolute and relative dates ("on Tuesday", "last
month", "since 2014") and attributions ("according to X", "X said"), plus some
names the registry does not know (towns, officers) so the builder mints
discovered entities. Each file carries the corpus front matter of
``corpus/*.txt``, so every stage of ``kg build`` does real work on it.

Article ``i`` depends only on ``(seed, i)``: a corpus of 100 is the first 100
articles of a corpus of 1,000.

    python benchmarks/generate.py /tmp/corpus-1000 -n 1000 --seed 7
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: import kg from the checkout
    sys.path.insert(0, str(ROOT))

from kg.registry import Registry, load_registry  # noqa: E402

__all__ = ["Cast", "cast_from_registry", "make_article", "generate_corpus", "WORDS"]

WORDS = 700  # target words per article body
FIRST_DAY, LAST_DAY = date(2012, 1, 15), date(2024, 6, 30)
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
NUMBER_WORDS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    12: "twelve",
    15: "fifteen",
    20: "twenty",
    30: "thirty",
}

# Names the registry does not hold: the builder must discover them.
NEW_TOWNS = (
    "Ménaka",
    "Tinzaouaten",
    "Intahaka",
    "Talataye",
    "Ansongo",
    "Niafunké",
    "Goundam",
    "Douentza",
    "Boni",
    "Hombori",
    "Ségou",
    "Mopti",
    "Sévaré",
    "Djenné",
    "Nioro",
    "Léré-Est",
    "Inékar",
    "Tarkint",
    "Ersane",
    "Amassine",
)
FIRST_NAMES = (
    "Mohamed",
    "Ibrahim",
    "Moussa",
    "Fahad",
    "Attaye",
    "Bilal",
    "Sidi",
    "Oumar",
    "Amadou",
    "Abdoulaye",
    "Ismaël",
    "Almou",
    "Hamada",
    "Souleymane",
    "Youssouf",
)
LAST_NAMES = (
    "Ag Acherif",
    "Maïga",
    "Traoré",
    "Coulibaly",
    "Ag Mohamed",
    "Ould Sidati",
    "Touré",
    "Keïta",
    "Diarra",
    "Cissé",
    "Ag Alhousseini",
    "Dicko",
    "Sangaré",
    "Ag Bibi",
)
TITLES = ("Colonel", "General", "Captain", "Lieutenant Colonel", "Commander")
VICTIMS = (
    "civilians",
    "soldiers",
    "fighters",
    "rebels",
    "villagers",
    "peacekeepers",
    "people",
    "jihadists",
)
ROLES = (
    ("spokesman", "Spokesperson"),
    ("commander", "Commander"),
    ("governor", "Governor"),
    ("defence minister", "DefenceMinister"),
    ("prime minister", "PrimeMinister"),
    ("foreign minister", "ForeignMinister"),
    ("leader", "Leader"),
)
_THE_WORDS = (
    "army",
    "forces",
    "troops",
    "soldiers",
    "military",
    "rebels",
    "separatists",
    "mercenaries",
    "group",
    "jihadists",
    "government",
    "authorities",
    "junta",
    "militias",
    "fighters",
    "peacekeepers",
    "paramilitaries",
    "movements",
)


@dataclass(frozen=True)
class Cast:
    """The registry names an article may use, by role in the story."""

    forces: tuple[tuple[str, tuple[str, ...]], ...]  # (key, surface names) of fighting actors
    alliances: tuple[tuple[str, tuple[str, ...]], ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # movements that join and leave alliances
    towns: tuple[str, ...]  # settlement labels in Mali
    regions: tuple[str, ...]
    persons: tuple[str, ...]
    outlets: tuple[str, ...]
    sources: tuple[str, ...]  # actors quoted as claimants
    region_of: dict[str, str]  # town label -> label of its region, where the registry says


def _names(registry: Registry, key: str) -> tuple[str, ...]:
    """The label and English-looking aliases of an entity (no French, no lower-case acronyms)."""
    entity = registry.entities[key]
    names = [entity.label]
    for alias in entity.aliases:
        if alias.isascii() and alias[:1].isupper() and len(alias) <= 60:
            names.append(alias)
    return tuple(dict.fromkeys(names))


def _in_mali(registry: Registry, key: str) -> bool:
    return "mali" in registry.located_in(key)


def cast_from_registry(registry: Registry) -> Cast:
    """Pick the story's players from the registry by their ontology classes."""

    def named(
        cls: str, keep: Callable[[str], bool] = lambda k: True
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple((k, _names(registry, k)) for k in registry.by_type(cls) if keep(k))

    forces = (
        named("NationalArmedForces")
        + named("ArmedGroup")
        + named("PrivateMilitaryCompany")
        + named("InternationalMission")
    )
    alliances = named(
        "Alliance",
        lambda k: registry.is_a(k, "ArmedGroup") or k in {"csp-psd", "cma", "platform", "aes"},
    )
    groups = named("ArmedGroup", lambda k: not registry.is_a(k, "CollectiveActor")) or forces
    towns = tuple(
        registry.entities[k].label for k in registry.by_type("Settlement") if _in_mali(registry, k)
    )
    regions = tuple(
        registry.entities[k].label for k in registry.by_type("Region") if _in_mali(registry, k)
    )
    persons = tuple(registry.entities[k].label for k in registry.by_type("Person"))
    outlets = tuple(registry.entities[k].label for k in registry.by_type("NewsOutlet"))
    sources = tuple(n for _, names in forces[:8] + alliances for n in names[:2])
    region_keys = set(registry.by_type("Region"))
    region_of = {
        registry.entities[k].label: registry.entities[r].label
        for k in registry.by_type("Settlement")
        for r in registry.located_in(k)
        if r in region_keys
    }
    if not (forces and towns and outlets):
        raise ValueError("the registry lacks armed forces, Malian settlements or news outlets")
    return Cast(
        forces,
        alliances or forces,
        groups,
        towns,
        regions or towns,
        persons,
        outlets,
        sources or tuple(outlets),
        region_of,
    )


# --- pieces of sentences ------------------------------------------------------


class Writer:
    """Draws the names, dates and figures of one article from its own random stream."""

    def __init__(self, rng: random.Random, cast: Cast, published: date) -> None:
        self.rng, self.cast, self.published = rng, cast, published

    def pick(self, items: Sequence[str]) -> str:
        return items[self.rng.randrange(len(items))]

    def actor(self, pool: Sequence[tuple[str, tuple[str, ...]]] | None = None) -> str:
        """An actor as written: its label or an alias, with "the" where English wants it."""
        _, names = (pool or self.cast.forces)[self.rng.randrange(len(pool or self.cast.forces))]
        return _with_article(self.pick(names[:6]))

    def two_actors(self) -> tuple[str, str]:
        a = self.actor()
        b = self.actor()
        while b == a:
            b = self.actor()
        return a, b

    def town(self) -> str:
        if self.rng.random() < 0.15:
            return "the town of " + self.pick(NEW_TOWNS)
        name = self.pick(self.cast.towns)
        return self.pick((name, name, "the town of " + name, "the city of " + name))

    def region(self) -> str:
        return self.pick(self.cast.regions)

    def person(self) -> str:
        if self.rng.random() < 0.4 or not self.cast.persons:
            return f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"
        return self.pick(self.cast.persons)

    def officer(self) -> str:
        return f"{self.pick(TITLES)} {self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"

    def source(self) -> str:
        return _with_article(self.pick(self.cast.sources + self.cast.outlets))

    def digits(self) -> str:
        return str(self.rng.choice((3, 4, 5, 7, 9, 11, 14, 17, 21, 26, 32, 40, 47, 63)))

    def count(self) -> str:
        """A casualty figure as a reporter writes it: digits, words, a range word, a hedge."""
        roll = self.rng.random()
        if roll < 0.45:
            return self.digits()
        if roll < 0.75:
            return self.pick(list(NUMBER_WORDS.values()))
        return self.pick(
            (
                "at least 12",
                "about twenty",
                "more than 30",
                "dozens of",
                "some 15",
                "nearly 40",
                "several",
            )
        )

    def past_day(self, within: int = 400) -> date:
        return self.published - timedelta(days=self.rng.randrange(1, within))

    def when(self) -> str:
        """A date phrase: absolute (day, month, year) or relative to the publication date."""
        roll = self.rng.random()
        day = self.past_day()
        if roll < 0.30:
            return f"on {MONTHS[day.month - 1]} {day.day}, {day.year}"
        if roll < 0.42:
            return f"in {MONTHS[day.month - 1]} {day.year}"
        if roll < 0.50:
            return f"in {day.year}"
        if roll < 0.62:
            recent = self.published - timedelta(days=self.rng.randrange(1, 7))
            return f"on {WEEKDAYS[recent.weekday()]}"
        return self.pick(
            (
                "yesterday",
                "last week",
                "last month",
                "last year",
                "earlier this month",
                "on Tuesday",
                "on Sunday",
                "two days later",
                "the next day",
                f"on {self.published.day} {MONTHS[self.published.month - 1]}",
            )
        )

    def since(self) -> str:
        return self.pick(
            (
                f"since {self.past_day(3000).year}",
                "for a decade",
                "for several years",
                f"since {MONTHS[self.past_day(900).month - 1]} {self.past_day(900).year}",
            )
        )

    def attribution(self, sentence: str) -> str:
        """The sentence with a claimant ("according to X", "X said") or as it is."""
        roll = self.rng.random()
        bare = sentence.rstrip(".")
        if roll < 0.25:
            return f"{bare}, according to {self.source()}."
        if roll < 0.40:
            return f"{bare}, {self.source()} said."
        if roll < 0.50:
            return f"{self.source()} said that {_decapitalize(bare)}."
        if roll < 0.55:
            return f"{bare}, residents told {self.pick(self.cast.outlets)}."
        return sentence


def _with_article(name: str) -> str:
    """ "the Malian army", "the Coordination of Azawad Movements", but "FAMa", "Wagner"."""
    last = name.split()[-1].lower()
    if name.startswith("Mali's"):
        return name
    if last in _THE_WORDS or " of " in name or name.startswith(("Malian", "Russian", "French")):
        return "the " + name
    return name


def _decapitalize(text: str) -> str:
    """Lower-case a sentence's first word when it is an article ("The army" -> "the army")."""
    first, _, rest = text.partition(" ")
    return f"{first.lower()} {rest}" if first in ("The", "A", "An", "At", "In") else text


# --- sentence templates, by kind of claim ----------------------------------------

Template = Callable[[Writer], str]


def _capture(w: Writer) -> str:
    verb = w.pick(
        (
            "captured",
            "seized",
            "took control of",
            "retook",
            "overran",
            "took up positions in",
            "recaptured",
            "entered",
        )
    )
    return f"{w.actor()} {verb} {w.town()} {w.when()}."


def _capture_passive(w: Writer) -> str:
    verb = w.pick(("captured", "seized", "retaken", "occupied", "overrun"))
    return f"{w.town()} was {verb} by {w.actor()} {w.when()}."


def _withdrawal(w: Writer) -> str:
    verb = w.pick(("withdrew from", "pulled out of", "retreated from", "abandoned", "fled"))
    return f"{w.actor()} {verb} {w.town()} {w.when()}, leaving the area to {w.actor()}."


def _clash(w: Writer) -> str:
    a, b = w.two_actors()
    return w.pick(
        (
            f"Clashes broke out between {a} and {b} near {w.town()} {w.when()}.",
            f"{a} clashed with {b} in {w.town()} {w.when()}.",
            f"Fighting resumed between {a} and {b} around {w.town()} {w.when()}.",
            f"{a} attacked positions held by {b} outside {w.town()} {w.when()}.",
            f"{a} and {b} exchanged fire in the {w.region()} {w.when()}.",
        )
    )


def _drone(w: Writer) -> str:
    a, b = w.two_actors()
    return w.pick(
        (
            f"A drone strike by {a} targeted {b} in {w.town()} {w.when()}, "
            f"killing {w.count()} {w.pick(VICTIMS)}.",
            f"{a} carried out drone strikes on {w.town()} {w.when()}.",
            f"Drone attacks hit a convoy of {b} near {w.town()} {w.when()}.",
            f"An airstrike on {w.town()} {w.when()} killed {w.count()} {w.pick(VICTIMS)}.",
        )
    )


def _casualties(w: Writer) -> str:
    return w.pick(
        (
            f"At least {w.digits()} {w.pick(VICTIMS)} were killed and {w.digits()} wounded "
            f"in {w.town()} {w.when()}.",
            f"{w.count().capitalize()} {w.pick(VICTIMS)} were killed in the fighting "
            f"in {w.town()}.",
            f"The attack on {w.town()} killed {w.count()} {w.pick(VICTIMS)} "
            f"and injured {w.count()} others.",
            f"{w.actor()} said it had suffered heavy losses in {w.town()} {w.when()}.",
            f"{w.count().capitalize()} vehicles were destroyed near {w.town()}.",
        )
    )


def _appointment(w: Writer) -> str:
    role, _ = w.rng.choice(ROLES)
    org = w.actor()
    return w.pick(
        (
            f"{w.person()} was appointed {role} of {org} {w.when()}.",
            f"{w.person()}, the {role} of {org}, was named {w.when()}.",
            f"{org} named {w.person()} as its {role} {w.when()}.",
            f"{w.officer()} was installed as {role} of {org} {w.when()}.",
        )
    )


def _join(w: Writer) -> str:
    group, alliance = w.actor(w.cast.groups), w.actor(w.cast.alliances)
    return w.pick(
        (
            f"{group} joined {alliance} {w.when()}.",
            f"{group} became a member of {alliance} {w.when()}.",
            f"{group} is a member of {alliance}, a coalition of armed movements.",
        )
    )


def _leave(w: Writer) -> str:
    group, alliance = w.actor(w.cast.groups), w.actor(w.cast.alliances)
    return w.pick(
        (
            f"{group} left {alliance} {w.when()}.",
            f"{group} split from {alliance} {w.when()} after months of disagreement.",
            f"{group} quit {alliance} {w.when()}, its leaders said.",
        )
    )


def _state(w: Writer) -> str:
    town = w.town()
    return w.pick(
        (
            f"{w.actor()} had held {town} {w.since()}.",
            f"{town} has been under the control of {w.actor()} {w.since()}.",
            f"{w.actor()} controlled {town} "
            f"until {w.when().removeprefix('on ').removeprefix('in ')}.",
        )
    )


def _statement(w: Writer) -> str:
    return w.pick(
        (
            f"In a statement, {w.actor()} announced that it would continue operations "
            f"in the {w.region()}.",
            f"{w.actor()} denied having withdrawn from {w.town()}.",
            f"{w.person()}, a spokesman for {w.actor()}, said the situation "
            f"in {w.town()} remained tense.",
            f"The junta announced {w.when()} that {w.actor()} would be deployed to {w.town()}.",
        )
    )


def _located(w: Writer) -> str:
    town = w.pick(w.cast.towns)
    region = w.cast.region_of.get(town)
    where = f", in the {region}," if region else ""
    return (
        f"{town}{where} lies on the road between {w.pick(w.cast.towns)} and {w.pick(w.cast.towns)}."
    )


def _background(w: Writer) -> str:
    return w.pick(
        (
            _located(w),
            "The collection and verification of information is complicated "
            f"by the lack of access to {w.town()}.",
            f"Analysts say the balance of forces in the {w.region()} has shifted "
            f"since the departure of {w.actor()}.",
            f"Residents of {w.town()} described days of uncertainty, "
            "with markets closed and roads cut.",
            f"The humanitarian situation in the {w.region()} has worsened, aid groups warned.",
            f"{w.actor()} and {w.actor()} have long competed for influence "
            "in the north of the country.",
            f"The road to {w.town()} remains dangerous because of mines and ambushes.",
            f"Thousands of people have fled towards {w.pick(w.cast.towns)} "
            "and the border with Algeria.",
        )
    )


CLAIM_TEMPLATES: tuple[tuple[Template, int], ...] = (
    (_capture, 6),
    (_capture_passive, 2),
    (_withdrawal, 4),
    (_clash, 5),
    (_drone, 4),
    (_casualties, 5),
    (_appointment, 3),
    (_join, 2),
    (_leave, 2),
    (_state, 3),
    (_statement, 3),
)
_TEMPLATES = [t for t, weight in CLAIM_TEMPLATES for _ in range(weight)]


def _sentence(w: Writer) -> str:
    if w.rng.random() < 0.3:
        text = _background(w)
    else:
        text = w.attribution(w.pick(_TEMPLATES)(w))  # type: ignore[arg-type]
    return text[0].upper() + text[1:]


def _title(w: Writer) -> str:
    verb = w.pick(("takes", "withdraws from", "clashes near", "strikes", "retakes"))
    town = w.pick(w.cast.towns)
    return f"Mali: {w.actor()} {verb} {town}".replace(": the ", ": The ")


def make_article(cast: Cast, seed: int, index: int, words: int = WORDS) -> tuple[str, str]:
    """Article ``index`` of the seeded corpus: (file name, file text with front matter)."""
    rng = random.Random(f"{seed}:{index}")
    span = (LAST_DAY - FIRST_DAY).days
    published = FIRST_DAY + timedelta(days=rng.randrange(span))
    w = Writer(rng, cast, published)
    target = int(words * rng.uniform(0.9, 1.1))
    paragraphs: list[str] = []
    count = 0
    while count < target:
        paragraph = " ".join(_sentence(w) for _ in range(rng.randint(2, 4)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    body = "\n\n".join(paragraphs) + "\n"
    outlet = w.pick(cast.outlets)
    title = _title(w).replace('"', "'")
    front = (
        f'---\ntitle: "{title}"\npublisher: "{outlet}"\npublished: "{published.isoformat()}"\n'
        f'language: "en"\ndate_note: "generated (benchmarks/generate.py, seed {seed})"\n---\n'
    )
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    return f"{index:05d}_{digest}.txt", front + body


def generate_corpus(
    out: Path, n: int, *, seed: int = 7, words: int = WORDS, registry: Registry | None = None
) -> list[Path]:
    """Write ``n`` articles into ``out`` (created; existing .txt files are removed first)."""
    cast = cast_from_registry(registry or load_registry())
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    paths = []
    for index in range(n):
        name, text = make_article(cast, seed, index, words)
        path = out / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the articles into")
    parser.add_argument("-n", type=int, default=100, help="number of articles (default 100)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--words", type=int, default=WORDS, help="words per article (about)")
    args = parser.parse_args(argv)
    paths = generate_corpus(args.out, args.n, seed=args.seed, words=args.words)
    total = sum(len(p.read_text(encoding="utf-8").split("---\n", 2)[2].split()) for p in paths)
    print(f"Wrote {len(paths)} articles ({total} words) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
