"""Stage 2: entity mentions of a document, linked to registry keys or to new entities.

Five sources of mentions, all general (nothing here names an article):

1. **Aliases.** Every registry label and alias, matched longest first on the
   :func:`~kg.text.fold` form of the text (case, accents, hyphen-vs-space,
   curly quotes ignored), on word boundaries, with possessives left outside
   ("CSP's morale" -> ``csp-psd``). An acronym matches only with its own
   capitals (``CMA``, ``FAMa``); a one-word capitalised name only when
   capitalised (``Platform``).
2. **Definitions.** "Long Name (ACR)" teaches the document that ACR and Long
   Name are one entity: the known one, or a new one typed from its head words.
3. **Patterns.** Titles and roles before capitalised names ("Col. Goita",
   "Malian president Assimi Goïta", "a trader named Ouguenat Ag Telele",
   "minister, Abdoulaye Diop") and place phrases ("the town of Anefis",
   "Ménaka Region", "in Ber, Mali") link known people and places or mint new
   ones. After a full name, the surname alone refers to that person.
4. **Compositions** (registry data, no phrase listed): descriptors around an
   armed actor's name ("separatist Tuareg rebels", "French counter-terrorism
   forces", "Wagner fighters" are "Tuareg rebels", "French forces",
   "Wagner"); a country's possessive or demonym before a national noun
   ("Mali's army", "Malian officials": the institution whose
   ``dcterms:spatial`` is that country); an organisation before a
   peacekeeping noun ("UN peacekeepers": the mission whose name begins with
   the organisation's); "<kind> in/at/of <place>" and "<place>'s <kind>" for a
   registered site, whose kind is its label without the place ("the UN base at
   Kidal"), then "the base", "the UN base" for the rest of the document.
5. **References.** "the city", "the junta", "the army", "the rebels" are
   linked only when the document makes them unambiguous (``how="coref"``).

Page furniture (:func:`kg.text.is_furniture`) gets no mentions. Offsets are
Python ``str`` indices into ``Document.text``; ``Mention.text`` is always
``doc.text[begin:stop]``.

>>> from datetime import date
>>> from kg.registry import load_registry
>>> doc = Document("d", "d.txt", "Col. Goita said the FAMa took Kidal. The city was calm.",
...                "", "", date(2023, 11, 14), "en")
>>> [(m.text, m.key, m.how) for m in find_mentions(doc, load_registry()).mentions]
... # doctest: +NORMALIZE_WHITESPACE
[('Goita', 'assimi-goita', 'title'), ('FAMa', 'fama', 'alias'), ('Kidal', 'kidal', 'alias'),
 ('The city', 'kidal', 'coref')]
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from kg.iris import slugify
from kg.model import Document, Entity, Mention
from kg.registry import Registry
from kg.text import continues_line, fold, is_furniture, sentences

__all__ = ["STAGE", "MentionResult", "find_mentions", "GENERIC_NOUNS", "guess_types"]

STAGE = "mentions.v1"

# --- data: the words the patterns are made of ----------------------------

# Generic noun phrases by the ontology class of what they refer to. Resolved per
# document: places to the one dominant place of that class, actors to the
# entity of that class whose dcterms:spatial is the document's main country.
GENERIC_NOUNS: dict[str, tuple[str, ...]] = {
    "Settlement": ("city", "town", "village"),
    "Country": ("country",),
    "Junta": ("junta", "military junta", "ruling junta", "transitional government",
              "transitional authorities", "regime", "military regime"),
    "NationalArmedForces": ("army", "military", "armed forces", "national army",
                            "armed and security forces", "armed security forces",
                            "defence and security forces", "defense and security forces"),
    "Government": ("government", "authorities", "central government", "central state"),
    "InternationalMission": ("peacekeepers", "blue helmets", "peacekeeping mission"),
    "SeparatistArmedGroup": ("rebels", "separatists", "separatist rebels", "rebellion",
                             "rebel groups", "rebel movements", "rebel fighters", "rebel forces"),
    # the document's one dominant armed group, if it has one ("the militants" of an IS report)
    "ArmedGroup": ("militants", "insurgents", "gunmen", "assailants", "attackers", "fighters",
                   "group", "militia"),
}  # fmt: skip
BARE_NOUNS = frozenset(
    {"rebels", "separatists", "separatist rebels", "authorities", "rebel groups", "rebel fighters",
     "militants", "insurgents", "gunmen"}
)
BARE_AFTER = frozenset("to by from with and or of against between that as for at on among".split())
EXCLUDED_ADJECTIVES = frozenset(
    """the this that these those its their a an other another two three four five several many
    some few both all neighbouring neighboring nearby next previous first second third
    rival foreign enemy opposing local regional each every no same whole""".split()
)  # fmt: skip
ROLE_AFTER = frozenset("leader leaders chief head spokesman spokesperson spokeswoman".split())
# What a country's possessive or demonym may stand before to name its institution ("Mali's
# army", "Malian officials", "the Nigerien junta"): the entity of that class whose
# dcterms:spatial is the country, when the registry has exactly one.
NATIONAL_NOUNS: dict[str, tuple[str, ...]] = {
    "NationalArmedForces": GENERIC_NOUNS["NationalArmedForces"] + (
        "forces", "troops", "soldiers", "security forces", "air force"),
    "Government": GENERIC_NOUNS["Government"] + ("officials", "state", "administration"),
    "Junta": GENERIC_NOUNS["Junta"] + ("military rulers", "rulers", "military authorities"),
}  # fmt: skip
# Words that qualify an armed actor's name without changing who it is: before it ("separatist
# Tuareg rebels", "armed jihadist groups"), or after its first word ("Tuareg independence
# rebels", "French counter-terrorism forces"). Only for the classes in MODIFIABLE; a word
# of a side (insurgent, loyalist) only for actors that can be on that side: "Malian rebel
# forces" are no FAMa, "pro-government Tuareg fighters" no Tuareg rebels.
NEUTRAL_MODIFIERS = frozenset(
    """former ex armed paramilitary mercenary counter-terrorism counterterrorism
    counter-terrorist anti-terrorist anti-jihadist allied main elite special regular
    so-called""".split()
) | {"private military"}  # fmt: skip
INSURGENT_MODIFIERS = frozenset(
    """separatist secessionist independence independentist autonomist rebel insurgent
    jihadist islamist radical militant""".split()
)  # fmt: skip
LOYALIST_MODIFIERS = frozenset("pro-government loyalist".split())
MODIFIERS = NEUTRAL_MODIFIERS | INSURGENT_MODIFIERS | LOYALIST_MODIFIERS
STATE_SIDE = frozenset(  # no insurgent words for these
    "NationalArmedForces PrivateMilitaryCompany InternationalMission ProGovernmentMilitia".split()
)
INSURGENT_SIDE = frozenset(  # no loyalist words for these
    "SeparatistArmedGroup JihadistArmedGroup CollectiveActor".split()
)
# "the paramilitary group Wagner": a descriptor noun right before a capitalised name
DESCRIPTOR_NOUNS = frozenset("group company organisation organization outfit militia".split())
# "Wagner fighters", "Tuareg rebellion movements", "FAMa soldiers": the members are the group
GROUP_NOUNS = frozenset(
    """forces fighters troops soldiers mercenaries paramilitaries militiamen combatants units
    movements groups militias elements rebels""".split()
)  # fmt: skip
MODIFIABLE = frozenset(
    """ArmedGroup Alliance NationalArmedForces PrivateMilitaryCompany InternationalMission
    CollectiveActor""".split()
)  # fmt: skip
# "UN peacekeepers", "United Nations troops": the mission whose name begins with the organisation's
MISSION_NOUNS = (
    "peacekeepers", "peacekeeping force", "peacekeeping forces", "peacekeeping mission",
    "peacekeeping troops", "peacekeeping soldiers", "blue helmets",
)  # fmt: skip
# head nouns of sites; "the UN base at Kidal" is the registered camp in Kidal
SITE_NOUNS = {"camp": "camp", "base": "camp", "fort": "fort", "airport": "airport",
              "airfield": "airport", "aeroport": "airport", "aerodrome": "airport",
              "square": "square", "barracks": "barracks"}  # fmt: skip
SITE_BEFORE = frozenset("the a an this that its their former old ex".split())  # "the camp in X"
SITE_LINKS = frozenset("in at of near de du a".split())  # "camp in Kidal", "fort de Kidal"

TITLES = (
    "Lieutenant Colonel", "Lieutenant-Colonel", "Lt. Col.", "Lt.-Col.", "Lt Col",
    "Brigadier General",
    "Brig. Gen.", "Major General", "Maj. Gen.", "Division General", "General", "Gen.", "Colonel",
    "Col.", "Lieutenant", "Lt.", "Major", "Maj.", "Captain", "Capt.", "Commander", "Cmdr.",
    "Sergeant", "Sgt.", "Corporal", "Marshal", "Admiral", "Adm.", "President", "Prime Minister",
    "Foreign Minister", "Defence Minister", "Defense Minister", "Minister", "Governor", "Gov.",
    "Ambassador", "Senator", "Dr.", "Dr", "Doctor", "Professor", "Prof.", "Mr.", "Mr", "Mrs.",
    "Mrs", "Ms.", "Ms", "Mme", "Sheikh", "Cheikh", "Imam", "Emir", "King", "Sultan", "Amenokal",
    "Gen", "Col", "Lt", "Capt", "Maj", "Brig", "Field Marshal", "Bishop", "Pastor", "Chairman",
    "Vice President", "Vice-President", "Speaker", "Chief",
)  # fmt: skip
ROLE_TITLES = (  # lower-case roles that may stand before a name ("Malian president Assimi Goïta")
    "president", "prime minister", "foreign minister", "minister", "colonel", "general", "governor",
    "commander", "ambassador", "leader", "spokesman", "spokesperson", "spokeswoman", "founder",
    "analyst", "researcher", "emir", "imam", "chief", "mayor", "lieutenant", "captain",
)  # fmt: skip
PERSON_NOUNS = frozenset(
    """trader merchant student teacher man woman boy girl child farmer herder herdsman shepherd
    driver journalist reporter resident witness soldier officer commander official activist
    doctor nurse imam chief leader fighter rebel civilian villager father mother son daughter
    brother sister businessman businesswoman politician lawyer judge worker guide elder notable
    marabout cleric preacher militant jihadist spokesman analyst researcher expert person
    individual victim hostage pilot general colonel captain""".split()
)  # fmt: skip
PLACE_NOUNS = frozenset("town city village hamlet locality settlement oasis commune".split())
PARTICLES = frozenset("ag ould ben bin ibn el al de da dos van von der du".split())
FUNCTION_WORDS = frozenset(
    """the a an this that these those in on at for of and but or as by with from to it he she
    they we his her their our its who which when where while after before since during
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december jan feb mar apr jun jul aug sep sept
    oct nov dec today yesterday unknown""".split()
)  # fmt: skip
NAME_STOP_WORDS = FUNCTION_WORDS | frozenset(  # words no person's or place's name contains
    """staff council assembly army forces armed republic government ministry region state states
    movement group mission nations union front alliance agreement accords party court committee
    office school university institute news press radio agency international national malian
    french russian algerian nigerien burkinabe tuareg tuaregs arab american british european
    african canadian un""".split()
)  # fmt: skip
MODIFIED_NOUNS = frozenset(  # "the military camp", "the army spokesman": the noun is a modifier
    """camp camps base bases column convoy equipment vehicle vehicles operation operations source
    sources post posts position positions regime regimes junta council forces court prosecutor
    intelligence aircraft plane planes helicopter helicopters drone drones command headquarters
    garrison barracks unit units officer officers official officials personnel spokesman
    spokesperson spokeswoman leader leaders chief head troops soldiers victory campaign offensive
    coup rule power strike strikes statement communique press patrol patrols""".split()
)  # fmt: skip
VERB_AFTER = frozenset(  # what may follow "the military" used as a noun
    """has had have is was were are be been will would could can may might must should did does
    do said says say denied denies deny claimed claims announced announces also still then now
    and or but in on at to for from with by which who that as took seized captured launched
    continued killed carried began entered confirmed reported stated insisted admitted""".split()
)  # fmt: skip
DESCRIPTORS = {  # "the public television ORTM", "the news agency Reuters" -> the class of the name
    "television": "NewsOutlet", "radio": "NewsOutlet", "newspaper": "NewsOutlet",
    "daily": "NewsOutlet", "weekly": "NewsOutlet", "channel": "NewsOutlet",
    "broadcaster": "NewsOutlet", "station": "NewsOutlet", "agency": "NewsOutlet",
    "group": "ArmedGroup", "movement": "ArmedGroup", "militia": "ArmedGroup",
    "coalition": "Alliance", "alliance": "Alliance", "party": "Organisation",
    "organisation": "Organisation", "organization": "Organisation", "ngo": "Organisation",
    "locality": "Settlement", "town": "Settlement", "village": "Settlement", "city": "Settlement",
    "hamlet": "Settlement", "commune": "Settlement", "region": "Region", "district": "Region",
}  # fmt: skip
TITLE_FIRST = frozenset(fold(t.split()[0].rstrip(".").split("-")[0]) for t in TITLES + ROLE_TITLES)
PLACE_OF_WORDS = frozenset(
    """town towns city cities village villages hamlet hamlets locality localities commune communes
    settlement settlements oasis camp camps circle cercle""".split()
)  # fmt: skip
PREPOSITIONS = frozenset("in at near from to around outside of".split())
TITLE_WORDS = frozenset(fold(w.rstrip(".")) for t in TITLES + ROLE_TITLES for w in t.split())
HEAD_TYPES = (  # head words of a defined long name -> its class, first hit wins
    (r"islamic state|al[- ]qa[ei]da|jihad|jama'?at|ansar|mujahid|caliphate|katiba|boko haram", "JihadistArmedGroup"),  # noqa: E501
    (r"mission|peacekeeping", "InternationalMission"),
    (r"alliance|coalition|framework|coordination|platform|confederation|league", "Alliance"),
    (r"movement|front|group|brigade|militia|battalion|self-defen[cs]e|liberation|resistance", "ArmedGroup"),  # noqa: E501
    (r"army|armed forces|forces|air force|navy|gendarmerie|national guard", "NationalArmedForces"),
    (r"government|junta|administration", "Government"),
    (r"news|press|radio|television|times|journal|tribune|herald", "NewsOutlet"),
)  # fmt: skip
# a demonym that names a language ("in French", "French:") mentions nobody
LANGUAGE_NAMES = frozenset(
    """french english arabic bambara tamasheq songhai songhay fula fulfulde hausa russian
    spanish german""".split()
)
LANGUAGE_BEFORE = frozenset(
    "in into from neither nor speak speaks spoke speaking translated".split()
)
ORG_HEADS = frozenset(
    """school university institute institut council committee agency organisation organization
    ministry foundation association union party front movement group brigade alliance coalition
    mission office centre center court commission assembly bank company army forces police
    gendarmerie battalion network service services observatory academy guard regiment corps
    division militia""".split()
)  # fmt: skip
COMPASS = {"north": "northern", "south": "southern", "east": "eastern", "west": "western",
           "centre": "central", "center": "central"}  # fmt: skip
NOT_THIS_ONE = frozenset("a an another other each every second new".split())  # before a short form
CONNECTORS = frozenset("of for the and in on at to de du des la le l d pour et wal al el".split())
DETERMINERS = frozenset("the a an le la les l".split())

# --- regular expressions ---------------------------------------------------

_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_WORD = rf"[{_UP}](?:[{_UP}{_LO}\u0300-\u036f]|['’-](?=[{_UP}{_LO}]{{2}}))*"
_NAME = (  # a particle may be hyphenated to the word after it: "Abdel Fattah al-Burhan"
    rf"{_WORD}(?:[ \t]+(?:(?:{'|'.join(sorted(PARTICLES))})[ \t]+|(?:al|el|ad|ag|ben|bin)-)?"
    rf"{_WORD}){{0,4}}"
)
_PLACE = rf"{_WORD}(?:[ \t]+(?:(?:des|de|du|el|al|la|le)[ \t]+)?{_WORD}){{0,2}}"


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_TITLED = re.compile(
    rf"\b(?:{_alternation(TITLES + ROLE_TITLES)})"
    rf"(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:{_WORD}|[a-z]+)(?:[ \t]+{_WORD})?)?,?[ \t]+({_NAME})"
)
_PARTICLE_NAME = re.compile(
    rf"\b((?:{_WORD}[ \t]+){{1,2}}(?:Ag|ag|Ould|ould|Ben|Bin|bin|Ibn|ibn)[ \t]+{_WORD})"
)
_DESCRIBED = re.compile(
    rf"\b(?i:({'|'.join(DESCRIPTORS)}))[ \t]+[\"“«]?[ \t]*({_NAME}|[A-Z][A-Z0-9&-]{{1,9}})\b"
)
_APPOSITIVE = re.compile(
    rf"({_NAME}),[ \t]+(?:a|an)[ \t]+((?:[a-z-]+[ \t]+){{0,3}}?)({'|'.join(DESCRIPTORS)})\b"
)
_NAMED = re.compile(rf"\b(?:an?|the)[ \t]+((?:[a-z]+[ \t]+)?[a-z]+)[ \t]+named[ \t]+({_NAME})")
_SAID = re.compile(rf"\bsaid[ \t]+({_NAME})(?=[ \t]*,)")
_PLACE_OF = re.compile(
    rf"\b(?i:towns?|city|cities|villages?|hamlets?|localit(?:y|ies)|communes?|settlements?|oasis|camps?"
    rf"|circle|cercle)"
    rf"[ \t]+of[ \t]+({_PLACE}(?:(?:,[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|or)[ \t]+){_PLACE})*)"
)
_REGION_OF = re.compile(rf"\b(?i:region)[ \t]+of[ \t]+({_PLACE})")
# "M23 took control of Goma", "troops retook Gambale": what is taken is a place
_TAKEN = re.compile(
    rf"\b(?:took|taken|seized|captured|retook|retaken|recaptured|overran|overrun|stormed)"
    rf"(?:[ \t]+(?:full[ \t]+)?(?:control|hold)[ \t]+of|[ \t]+over)?[ \t]+({_PLACE})(?![ \t]*\()"
)
_REGION_WORD = re.compile(r"(?<=[ \t])(?:Region|Province|Cercle|District|Prefecture|Governorate)\b")
_BEFORE_REGION = re.compile(rf"({_PLACE})[ \t]+$")
_IN_X_COMMA = re.compile(
    rf"\b(?:in|at|near|from|to|around|outside|of)[ \t]+({_PLACE}),[ \t]+(?:in[ \t]+)?"
)
_PLACE_IN = re.compile(_PLACE)
_NAME_WORDS = re.compile(r"\S+")
_ORG_RUN = re.compile(
    rf"\b(?:at|from|of|with|by|for)[ \t]+the[ \t]+"
    rf"({_WORD}(?:[ \t]+(?:(?:of|for|the|and|on|in)[ \t]+)*{_WORD}){{1,8}})"
)
_COMPASS = re.compile(
    r"\bthe (north|south|east|west|centre|center) of (?:the|this) country\b"
    r"|\bthe country's (north|south|east|west|centre|center)\b"
    r"|(?:(?<=\bin )|(?<=\bto )|(?<=\bfrom ))"
    r"the (north|south|east|west|centre|center)\b(?! of\b)(?![-'])"
)
_COORDINATED = re.compile(rf"(?:,|[ \t]+and|[ \t]+or)[ \t]+{_WORD}[ \t]+([a-z]+)\b")
_DEFINITION = re.compile(r"\([ \t]*(?:the[ \t]+)?([A-Z][A-Za-z0-9]*(?:[-&][A-Za-z0-9]+)*)[ \t]*\)")
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f])*")
_CAMEL = re.compile(rf"(?<=[{_LO}])(?=[{_UP}])")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_PREVIOUS_WORD = re.compile(r"(\w+)\W*$")
_NEXT_WORD = re.compile(r"\s+(\w+)")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_LABEL_YEAR = re.compile(r"\((\d{4})\)$")
_GENERIC = re.compile(
    r"\b(?:(the|this|that|its|their|our)\s+(?:([a-z'-]+)\s+)?)?("
    + _alternation(tuple(n for nouns in GENERIC_NOUNS.values() for n in nouns))
    + r")\b"
)
_NOUN_CLASS = {noun: cls for cls, nouns in GENERIC_NOUNS.items() for noun in nouns}
_NATIONAL = re.compile(
    r"(?:['’]s)?[ \t]+((?:(?:"
    + _alternation(tuple(NEUTRAL_MODIFIERS))
    + r")[ \t]+){0,2})("
    + _alternation(tuple(n for nouns in NATIONAL_NOUNS.values() for n in nouns))
    + r")\b"
)
NOUN_AFTER = VERB_AFTER | FUNCTION_WORDS | PREPOSITIONS  # "Mali's military around Kidal"
_NATIONAL_CLASS = {noun: cls for cls, nouns in NATIONAL_NOUNS.items() for noun in nouns}
_POSSESSIVE_COMPASS = re.compile(r"['’]s[ \t]+(north|south|east|west|centre|center)\b(?![-'])")
_MISSION_NOUN = re.compile(r"[ \t]+(" + _alternation(MISSION_NOUNS) + r")\b")


def _modifier_tokens(words: frozenset[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(_TOKEN.findall(w)) for w in words)


_MODIFIER_TOKENS = _modifier_tokens(MODIFIERS)
_END = ""  # trie key of the aliases ending at a node (no token is empty)


@dataclass(frozen=True)
class MentionResult:
    """The mentions of one document, by offset, and the entities it introduced."""

    mentions: tuple[Mention, ...]
    discovered: tuple[Entity, ...]


def guess_types(name: str) -> tuple[str, ...]:
    """The class of a newly defined organisation, from the head words of its name.

    >>> guess_types("Islamic State in the Greater Sahara"), guess_types("Union for Peace")
    (('JihadistArmedGroup',), ('Organisation',))
    """
    folded = fold(name)
    for pattern, cls in HEAD_TYPES:
        if re.search(rf"\b(?:{pattern})\b", folded):
            return (cls,)
    return ("Organisation",)


# --- aliases and their trie --------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Alias:
    key: str
    plain: tuple[str, ...]  # tokens, accents stripped, case kept (for acronyms)
    gaps: tuple[str, ...]  # kinds of the separators between the tokens
    mode: str  # "exact" (acronym) | "cap" (capitalised word) | "any"
    tail: str = (
        ""  # closing marks after the last word: ")" of "Battle of Kidal (2023)", "." of "U.N."
    )
    how: str = "alias"
    since: int = 0  # matches only from this offset on (a surname after its full name)
    year: str | None = None  # a dated named event: not in a sentence naming other years only


@lru_cache(maxsize=8192)
def _plain(token: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", token) if not unicodedata.combining(c))


@lru_cache(maxsize=1024)
def _gap_kind(gap: str) -> str:
    """What separates two tokens: "" (nothing), " ", "'", ".", ",", "(", newline or other "x"."""
    if not gap:
        return ""
    if "\n" in gap:
        return "\n"
    marks = gap.replace(" ", "").replace("\t", "")
    if not marks or set(marks) <= {"-", "/"}:
        return " "
    return marks if marks in ("'", ".", ",", "(") else "x"


def _compatible(alias_gap: str, text_gap: str, long: bool) -> bool:
    if alias_gap == text_gap or (alias_gap in ("", " ") and text_gap in ("", " ")):
        return True
    return long and {alias_gap, text_gap} == {" ", ","}  # Oxford commas in long names


def _make_alias(
    name: str, key: str, how: str = "alias", since: int = 0, year: str | None = None
) -> tuple[tuple[str, ...], _Alias] | None:  # noqa: E501
    """(folded tokens, alias) for a name, or None when it has no word in it."""
    spans = [m.span() for m in _TOKEN.finditer(name)]
    if not spans:
        return None
    folded = fold(name)
    tokens = tuple(_COMBINING.sub("", folded[b:e]) for b, e in spans)
    plain = tuple(_plain(name[b:e]) for b, e in spans)
    gaps = tuple(_gap_kind(folded[spans[i][1] : spans[i + 1][0]]) for i in range(len(spans) - 1))
    if " " not in name.strip() and sum(c.isupper() for c in name) >= 2:
        mode = "exact"
    elif len(spans) == 1 and name[spans[0][0]].isupper():
        mode = "cap"
    else:
        mode = "any"
    tail = name[spans[-1][1] :].strip()
    return tokens, _Alias(key, plain, gaps, mode, tail, how, since, year)


def _add(trie: dict[str, dict], tokens: tuple[str, ...], alias: _Alias) -> None:  # type: ignore[type-arg]
    node = trie
    for token in tokens:
        node = node.setdefault(token, {})
    node.setdefault(_END, []).append(alias)


@dataclass(frozen=True, slots=True, eq=False)
class _Matcher:
    """What find_mentions needs from a registry, built once per registry."""

    trie: dict[str, dict]  # type: ignore[type-arg]
    surnames: dict[str, frozenset[str]]  # folded surname -> person keys
    persons: frozenset[str]
    countries: dict[str, tuple[str, ...]]  # key -> countries it lies in / belongs to
    national: dict[tuple[str, str], tuple[str, ...]]  # (class, country) -> keys
    modifiable: dict[str, frozenset[tuple[str, ...]]]  # armed actor -> its modifiers' tokens
    country_keys: frozenset[str]
    missions: dict[str, tuple[str, ...]]  # organisation -> missions named after it
    sites: dict[tuple[str, tuple[str, ...]], frozenset[str]]  # (place, kind tokens) -> sites
    site_owners: dict[str, frozenset[str]]  # site -> who its name says it belongs to


@lru_cache(maxsize=8)
def _matcher(registry: Registry) -> _Matcher:
    """The alias trie and the per-registry tables (cached per registry object)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for key in sorted(registry.entities):
        entity = registry.entities[key]
        year = _LABEL_YEAR.search(entity.label)
        for name in sorted({entity.label, *entity.labels_fr, *entity.aliases}):
            made = _make_alias(name, key, year=year.group(1) if year else None)
            if made:
                _add(trie, *made)
    persons = frozenset(registry.by_type("Person"))
    surnames: dict[str, set[str]] = {}
    for key in persons:
        for form in _surname_forms(registry.entities[key].label):
            surnames.setdefault(form, set()).add(key)
    country_keys = set(registry.by_type("Country"))
    countries: dict[str, tuple[str, ...]] = {}
    for key in registry.entities:
        own = (key,) if key in country_keys else ()
        inside = tuple(p for p in registry.located_in(key) if p in country_keys)
        spatial = (registry.jurisdiction[key],) if key in registry.jurisdiction else ()
        countries[key] = own + inside + spatial
    national: dict[tuple[str, str], list[str]] = {}
    for key, country in sorted(registry.jurisdiction.items()):
        for cls in registry.entities[key].types:  # direct types: the junta is no "government"
            national.setdefault((cls, country), []).append(key)
    return _Matcher(
        trie,
        {s: frozenset(k) for s, k in surnames.items()},
        persons,
        countries,
        {k: tuple(v) for k, v in national.items()},
        _modifiable(registry),
        frozenset(country_keys),
        _missions_by_organisation(registry),
        _site_kinds(registry),
        _site_owners(registry),
    )


def _modifiable(registry: Registry) -> dict[str, frozenset[tuple[str, ...]]]:
    """Armed actor key -> the modifiers (as token tuples) its name may carry."""
    found: dict[str, frozenset[tuple[str, ...]]] = {}
    for key in registry.entities:
        types = set(registry.types(key))
        if MODIFIABLE & types:
            words = NEUTRAL_MODIFIERS
            words |= frozenset() if STATE_SIDE & types else INSURGENT_MODIFIERS
            words |= frozenset() if INSURGENT_SIDE & types else LOYALIST_MODIFIERS
            found[key] = _modifier_tokens(words)
    return found


def _fits(tokens: list[str], allowed: frozenset[tuple[str, ...]]) -> bool:
    """Do the tokens split into allowed modifiers ("counter", "terrorism" -> one)?"""
    at = 0
    while at < len(tokens):
        if tuple(tokens[at : at + 2]) in allowed and at + 1 < len(tokens):
            at += 2
        elif (tokens[at],) in allowed:
            at += 1
        else:
            return False
    return True


def _name_tokens(name: str) -> tuple[str, ...]:
    """The folded, accent-free word tokens of a name (as the trie keys them)."""
    folded = fold(name)
    return tuple(_COMBINING.sub("", m.group()) for m in _TOKEN.finditer(folded))


def _missions_by_organisation(registry: Registry) -> dict[str, tuple[str, ...]]:
    """Organisation key -> the missions one of whose names begins with one of its names.

    "United Nations Multidimensional Integrated Stabilization Mission in Mali" begins with
    "United Nations", so "UN peacekeepers" can be MINUSMA.
    """
    missions = registry.by_type("InternationalMission")
    names = {k: {_name_tokens(n) for n in _names(registry.entities[k])} for k in missions}
    found: dict[str, list[str]] = {}
    for key in registry.by_type("Organisation"):
        if key in missions or registry.is_a(key, "Country"):
            continue
        own = {_name_tokens(n) for n in _names(registry.entities[key])} - {()}
        for mission in missions:
            if any(m[: len(o)] == o and len(m) > len(o) for o in own for m in names[mission]):
                found.setdefault(key, []).append(mission)
    return {k: tuple(v) for k, v in found.items()}


def _site_kinds(registry: Registry) -> dict[tuple[str, tuple[str, ...]], frozenset[str]]:
    """(place key, kind tokens) -> the sites of that kind there, from the sites' own names.

    A site's kind is its name without the place's: "Kidal Fort" and "fort de Kidal" are a
    ("fort",) in kidal, "MINUSMA camp in Kidal" a ("minusma", "camp") and, by its head noun,
    a ("camp",) and a ("base",); "Independence Square (Bamako)" an ("independence",
    "square") in bamako.
    """
    kinds: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for site in registry.by_type("Site"):
        for place in registry.parents.get(site, ()):
            places = sorted(
                {_name_tokens(n) for n in _names(registry.entities[place])} - {()},
                key=len, reverse=True,
            )  # fmt: skip
            for name in _names(registry.entities[site]):
                tokens = _name_tokens(name)
                for place_tokens in places:
                    at = _find_run(tokens, place_tokens)
                    if at is not None:
                        tokens = tokens[:at] + tokens[at + len(place_tokens) :]
                        break
                else:
                    continue  # a name that does not say where: no kind from it
                while tokens and tokens[-1] in SITE_LINKS | {"s", "la", "le", "l"}:
                    tokens = tokens[:-1]
                while tokens and tokens[0] in SITE_LINKS | {"s"}:
                    tokens = tokens[1:]
                if not tokens:
                    continue
                kinds.setdefault((place, tokens), set()).add(site)
                heads = {SITE_NOUNS[t] for t in tokens if t in SITE_NOUNS}
                for word, head in SITE_NOUNS.items():
                    if head in heads:
                        kinds.setdefault((place, (word,)), set()).add(site)
    return {k: frozenset(v) for k, v in kinds.items()}


def _site_owners(registry: Registry) -> dict[str, frozenset[str]]:
    """Site -> the organisations its names name ("MINUSMA camp in Kidal": MINUSMA), and
    the organisations those are missions of (the UN)."""
    missions = _missions_by_organisation(registry)
    owners: dict[str, frozenset[str]] = {}
    for site in registry.by_type("Site"):
        found: set[str] = set()
        for name in _names(registry.entities[site]):
            tokens = _name_tokens(name)
            for i in range(len(tokens)):
                for j in range(i + 1, len(tokens) + 1):
                    key = registry.names.get(" ".join(tokens[i:j]))
                    if key and key != site and registry.is_a(key, "Organisation"):
                        found.add(key)
        found |= {org for org, named in missions.items() if found & set(named)}
        owners[site] = frozenset(found - set(registry.by_type("Country")))
    return owners


def _names(entity: Entity) -> tuple[str, ...]:
    return (entity.label, *entity.labels_fr, *entity.aliases)


def _find_run(tokens: tuple[str, ...], run: tuple[str, ...]) -> int | None:
    """Where ``run`` occurs in ``tokens`` (first occurrence), or None."""
    for at in range(len(tokens) - len(run) + 1):
        if tokens[at : at + len(run)] == run:
            return at
    return None


def _surname_forms(full_name: str) -> list[str]:
    """Folded surnames of a full name: "El Hadj Ag Gamou" -> ["gamou", "ag gamou"]."""
    words = full_name.split()
    if len(words) < 2:
        return []
    forms = [fold(words[-1])]
    if len(words) >= 3 and fold(words[-2]) in PARTICLES:
        forms.append(fold(" ".join(words[-2:])))
    return forms


# --- the document being read -----------------------------------------------


@dataclass(slots=True)
class _Reader:
    """One document's text, tokens, coverage and findings."""

    doc: Document
    registry: Registry
    matcher: _Matcher
    folded: str = ""
    begins: list[int] = field(default_factory=list)
    stops: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    covered: bytearray = field(default_factory=bytearray)  # 1 = furniture or already mentioned
    sentence_begins: list[int] = field(default_factory=list)
    sentence_years: list[frozenset[str]] = field(default_factory=list)
    mentions: dict[int, Mention] = field(default_factory=dict)  # begin -> mention
    local: dict[str, dict] = field(default_factory=dict)  # type: ignore[type-arg]
    found: dict[str, Entity] = field(default_factory=dict)  # discovered entities
    index: dict[str, list[int]] = field(default_factory=dict)  # token key -> token numbers

    def __post_init__(self) -> None:
        text = self.doc.text
        self.folded = fold(text)
        self.covered = bytearray(len(text))
        for sentence in sentences(text):
            self.sentence_begins.append(sentence.begin)
            self.sentence_years.append(frozenset(_YEAR.findall(sentence.text)))
            if is_furniture(sentence.text):
                self.covered[sentence.begin : sentence.stop] = b"\x01" * (
                    sentence.stop - sentence.begin
                )
        self._tokenize()

    def _tokenize(self) -> None:
        """Word tokens (split at camelCase joins like "theAlliance"), their keys and gaps."""
        text, folded = self.doc.text, self.folded
        spans = [m.span() for m in _TOKEN.finditer(text)]
        camels = [m.start() for m in _CAMEL.finditer(text)]
        if camels:
            spans = _split_at(spans, camels)
        self.begins = [b for b, _ in spans]
        self.stops = [e for _, e in spans]
        keys = [folded[b:e] for b, e in spans]
        self.keys = [k if k.isascii() else _COMBINING.sub("", k) for k in keys]
        pairs = zip(spans, spans[1:], strict=False)
        self.gaps = [_gap_kind(folded[e:b]) for (_, e), (b, _) in pairs] + ["\n"]
        for number, gap in enumerate(self.gaps[:-1]):
            if gap == "\n" and folded.count("\n", self.stops[number], self.begins[number + 1]) == 1:
                newline = folded.index("\n", self.stops[number])
                if continues_line(text, newline):  # a hard-wrapped line: the newline is a space
                    self.gaps[number] = _gap_kind(folded[self.stops[number] : newline] + " ")
        for number, key in enumerate(self.keys):
            self.index.setdefault(key, []).append(number)

    def near(
        self,
        pattern: re.Pattern[str],
        words: Iterable[str],
        before: int = 0,
        after: int = 0,
        folded: bool = False,
    ) -> list[re.Match[str]]:
        """Matches of ``pattern`` at (or in a window around) the tokens whose key is in ``words``.

        Scanning only where a pattern's key word occurs keeps the long
        alternations of titles and descriptors off most of the text.
        """
        source = self.folded if folded else self.doc.text
        numbers = sorted(n for word in words for n in self.index.get(word, ()))
        found: dict[tuple[int, int], re.Match[str]] = {}
        for n in numbers:
            if before or after:
                match = pattern.search(
                    source, max(0, self.begins[n] - before), self.stops[n] + after
                )
            else:
                match = pattern.match(source, self.begins[n])
            if match:
                found.setdefault(match.span(), match)
        return [found[span] for span in sorted(found)]

    # -- coverage and output --

    def free(self, begin: int, stop: int) -> bool:
        return self.covered.find(1, begin, stop) == -1

    def add(self, begin: int, stop: int, key: str, how: str) -> None:
        self.mentions[begin] = Mention(begin, stop, self.doc.text[begin:stop], key, how)
        self.covered[begin:stop] = b"\x01" * (stop - begin)

    def replace(self, begin: int, stop: int, key: str, how: str) -> bool:
        """Add a mention over [begin, stop) that swallows the mentions lying inside it.

        Refused (False) when a mention straddles an end or the rest is not free.
        """
        inside = [m for m in self.mentions.values() if m.begin < stop and m.stop > begin]
        if any(m.begin < begin or m.stop > stop for m in inside):
            return False
        covered = bytearray(self.covered[begin:stop])
        for m in inside:
            covered[m.begin - begin : m.stop - begin] = b"\x00" * (m.stop - m.begin)
        if covered.find(1) != -1:
            return False
        for m in inside:
            del self.mentions[m.begin]
        self.add(begin, stop, key, how)
        return True

    def covering(self, offset: int) -> Mention | None:
        """The mention that covers ``offset``, if any."""
        return next((m for m in self.mentions.values() if m.begin <= offset < m.stop), None)

    def token_at(self, offset: int) -> int:
        """The number of the token that begins at or contains ``offset`` (-1 before all)."""
        return bisect_right(self.begins, offset) - 1

    def spaced(self, i: int, j: int) -> bool:
        """Are tokens i..j separated by spaces or hyphens only?"""
        return all(self.gaps[t] in ("", " ") for t in range(i, j))

    def modifier_run(self, j: int, limit: int = 3) -> int:
        """The token number after the run of MODIFIERS words starting at token ``j``."""
        n, words = len(self.keys), 0
        while j < n and words < limit:
            two = (self.keys[j], self.keys[j + 1]) if j + 1 < n and self.gaps[j] == " " else None
            if two and two in _MODIFIER_TOKENS:
                j, words = j + 2, words + 1
            elif (self.keys[j],) in _MODIFIER_TOKENS:
                j, words = j + 1, words + 1
            else:
                break
            if j < n and self.gaps[j - 1] not in ("", " "):
                break
        return j

    def mention_at(self, begin: int, stop: int) -> Mention | None:
        mention = self.mentions.get(begin)
        return mention if mention and mention.stop == stop else None

    def types(self, key: str) -> frozenset[str]:
        if key in self.found:
            return self.registry.expand_types(self.found[key].types)
        entity = self.registry.entities.get(key)
        return self.registry.expand_types(entity.types) if entity else frozenset()

    def discover(self, name: str, types: tuple[str, ...], *aliases: str) -> str:
        """The key of a new entity named ``name`` (or of the registry one with its slug)."""
        key = slugify(name)
        if key in self.registry.entities:
            return key
        old = self.found.get(key)
        names = set(aliases) | set(old.aliases if old else ())
        label = old.label if old else name
        self.found[key] = Entity(
            key, label, old.types if old else types, (), tuple(sorted(names - {label})),
            discovered=True, first_seen=self.doc.doc_id,
        )  # fmt: skip
        return key

    def teach(self, name: str, key: str, how: str, since: int = 0) -> None:
        """Make ``name`` an alias of ``key`` for the rest of this document."""
        made = _make_alias(name, key, how, since)
        if made:
            _add(self.local, *made)

    # -- alias matching --

    def accept(self, alias: _Alias, i: int, j: int, skip: tuple[int, int] | None = None) -> bool:
        """Does the alias match tokens i..j (less the modifier tokens of ``skip``) here?"""
        text, begin, stop = self.doc.text, self.begins[i], self.stops[j]
        if begin < alias.since:
            return False
        long = len(alias.plain) >= 4
        if skip:  # "Tuareg independence rebels" for "Tuareg rebels"
            allowed = self.matcher.modifiable.get(alias.key)
            if (
                alias.mode != "any"
                or allowed is None
                or not _fits(self.keys[skip[0] : skip[1]], allowed)
            ):
                return False
            path = [*range(i, skip[0]), *range(skip[1], j + 1)]
            if not self.spaced(skip[0] - 1, skip[1]) or any(
                not _compatible(alias.gaps[k], self.gaps[t], long)
                for k, t in enumerate(path[:-1])
                if t != skip[0] - 1
            ):
                return False
        elif any(not _compatible(alias.gaps[t - i], self.gaps[t], long) for t in range(i, j)):
            return False
        if alias.mode == "exact":
            if any(
                _plain(text[self.begins[t] : self.stops[t]]) != alias.plain[t - i]
                for t in range(i, j + 1)
            ):
                return False
        elif alias.mode == "cap" and not text[begin].isupper():
            return False
        elif alias.mode == "cap" and self._inside_name(i, j):
            return False  # "Liberation" in "National Liberation Movement" is no newspaper
        after = text[stop : stop + 2]
        if after[:1] == "_" or (after[:1] == "." and after[1:].isalpha() and after[1:].islower()):
            return False  # part of an identifier or a file name: FAMa_DIRPA, Mali.svg
        if begin and text[begin - 1] in "@_":
            return False
        if alias.year:
            years = self.sentence_years[bisect_right(self.sentence_begins, begin) - 1]
            if years and alias.year not in years:
                return False
        if i == j and self.keys[i] in LANGUAGE_NAMES:
            return self._not_a_language(i, j)
        return True

    def _inside_name(self, i: int, j: int) -> bool:
        """Are tokens i..j flanked on both sides by capitalised words of one name run
        (spaced, no punctuation between)?"""
        text = self.doc.text
        if i == 0 or j + 1 >= len(self.begins):
            return False
        if self.gaps[i - 1] != " " or self.gaps[j] != " ":
            return False
        left, right = text[self.begins[i - 1]], text[self.begins[j + 1]]
        if not (left.isupper() and right.isupper()):
            return False
        before = text[: self.begins[i - 1]].rstrip(" \t")
        if not before or before[-1] in ".!?\n\"“:":
            return False  # the left word opens a sentence or a line
        line_start = text.rfind("\n", 0, self.begins[i]) + 1
        line_stop = text.find("\n", self.begins[i])
        words = text[line_start : line_stop if line_stop >= 0 else len(text)].split()
        capitalised = sum(1 for w in words if w[:1].isupper())
        return capitalised * 5 < len(words) * 3  # a title-case headline names things word by word

    def _not_a_language(self, i: int, j: int) -> bool:
        """A demonym that is not a language ("in French", "French:")."""
        previous = self.keys[i - 1] if i and self.gaps[i - 1] not in ("\n", "x") else ""
        following = self.folded[self.stops[j] : self.stops[j] + 10]
        return previous not in LANGUAGE_BEFORE and not re.match(
            r"\s*(?::|-?\s*language\b)", following
        )

    def longest(self, i: int, tries: tuple[dict, ...]) -> tuple[int, _Alias] | None:  # type: ignore[type-arg]
        best: tuple[int, _Alias] | None = None
        n = len(self.keys)
        for trie in tries:  # earlier tries win ties
            node = trie
            j = i
            skip: tuple[int, int] | None = None
            while j < n and not self.covered[self.begins[j]]:
                step = node.get(self.keys[j])
                if step is None and j > i and skip is None and trie is self.matcher.trie:
                    after = self.modifier_run(j, limit=2)  # a modifier inside the name
                    if (
                        j < after < n
                        and self.keys[after] in node
                        and self.free(self.begins[j], self.stops[after - 1])
                    ):
                        skip = (j, after)
                        j = after
                        continue
                if step is None:
                    break
                node = step
                if (best is None or j > best[0]) and _END in node:
                    alias = next((a for a in node[_END] if self.accept(a, i, j, skip)), None)
                    if alias:
                        best = (j, alias)
                if self.gaps[j] in ("\n", "x"):
                    break
                j += 1
        return best

    def match(self, *tries: dict) -> None:  # type: ignore[type-arg]
        i, n = 0, len(self.keys)
        first = set().union(*tries) if len(tries) > 1 else tries[0]
        while i < n:
            if self.keys[i] not in first or self.covered[self.begins[i]]:
                i += 1
                continue
            found = self.longest(i, tries)
            if found:
                j, alias = found
                stop = self.stops[j]
                if (
                    alias.tail
                    and self.doc.text.startswith(alias.tail, stop)
                    and self.free(stop, stop + len(alias.tail))
                ):
                    stop += len(alias.tail)
                self.add(self.begins[i], stop, alias.key, alias.how)
                i = j + 1
            else:
                i += 1


def _split_at(spans: list[tuple[int, int]], cuts: list[int]) -> list[tuple[int, int]]:
    """Token spans split at the given offsets (each strictly inside some span)."""
    result: list[tuple[int, int]] = []
    k = 0
    for begin, stop in spans:
        while k < len(cuts) and cuts[k] <= begin:
            k += 1
        while k < len(cuts) and cuts[k] < stop:
            result.append((begin, cuts[k]))
            begin = cuts[k]
            k += 1
        result.append((begin, stop))
    return result


# --- the stages of reading ---------------------------------------------------


def find_mentions(doc: Document, registry: Registry) -> MentionResult:
    """Mentions of registry and newly found entities in ``doc``, sorted by offset."""
    reader = _Reader(doc, registry, _matcher(registry))
    _learn_definitions(reader)
    reader.match(reader.local, reader.matcher.trie)
    _qualified(reader)
    _national(reader)
    _missions(reader)
    _sites(reader)
    _coordinated(reader)
    named = reader.near(_NAMED, ("named",), before=40, after=80)
    _people(reader, named)
    _places(reader, named)
    _organisations(reader)
    reader.match(reader.local)
    _references(reader)
    mentions = tuple(sorted(reader.mentions.values(), key=lambda m: (m.begin, m.stop)))
    return MentionResult(mentions, tuple(reader.found[k] for k in sorted(reader.found)))


def _learn_definitions(reader: _Reader) -> None:
    """ "Long Name (ACR)": ACR and Long Name name one entity in this document."""
    text = reader.doc.text
    for match in _DEFINITION.finditer(text):
        acronym = match.group(1)
        if sum(c.isupper() for c in acronym) < 2 or not reader.free(match.start(), match.end()):
            continue
        run = _name_run(reader, match.start())
        if not run:
            continue
        span = _long_name(reader, run, acronym)
        if span is None:
            continue
        long_begin, long_stop = span
        long_name = text[long_begin:long_stop]
        long_key = _lookup_span(reader, long_begin, long_stop)
        acronym_key = _lookup_span(reader, match.start(1), match.end(1))
        if long_key:
            if acronym_key != long_key:
                reader.teach(acronym, long_key, "acronym")
        elif acronym_key:
            reader.teach(long_name, acronym_key, "acronym")
        else:
            key = reader.discover(long_name, guess_types(long_name), acronym)
            reader.teach(long_name, key, "acronym")
            reader.teach(acronym, key, "acronym")


def _name_run(reader: _Reader, paren: int) -> list[int]:
    """Token indices of the capitalised words (and connectors) right before ``paren``."""
    text = reader.doc.text
    j = bisect_right(reader.begins, paren) - 1
    if j < 0 or text[reader.stops[j] : paren].strip():
        return []
    run: list[int] = []
    while j >= 0 and len(run) < 14:
        word = text[reader.begins[j] : reader.stops[j]]
        if not (word[0].isupper() or word[0].isdigit() or reader.keys[j] in CONNECTORS):
            break
        if run and reader.gaps[j] not in ("", " ", "'", ","):
            break
        if not reader.free(reader.begins[j], reader.stops[j]):
            break
        run.insert(0, j)
        j -= 1
    while run and (reader.keys[run[0]] in CONNECTORS or reader.keys[run[0]] in DETERMINERS):
        run.pop(0)
    return run


def _long_name(reader: _Reader, run: list[int], acronym: str) -> tuple[int, int] | None:
    """The span of the long name an acronym abbreviates, or None when unsure.

    The shortest end of the run whose capital initials spell the acronym's
    capitals in order ("National Movement for the Liberation of Azawad (MNLA)"),
    or a longer known name; else the longest known name sharing half of its
    letters with the acronym ("Permanent Strategic Framework (PSC)"); else the
    whole run if it shares that much.
    """
    text, stop = reader.doc.text, reader.stops[run[-1]]
    starts = [t for t in run if text[reader.begins[t]].isupper()]
    letters = [c for c in acronym if c.isupper()]

    def initials(t: int) -> list[str]:
        return [text[reader.begins[u]] for u in starts if u >= t]

    def shares_half(t: int) -> bool:
        return 2 * sum((Counter(letters) & Counter(initials(t))).values()) >= len(letters)

    spelled = next((t for t in reversed(starts) if _spells(letters, initials(t))), None)
    for t in starts:  # the longest known name first
        if spelled is not None and t > spelled:
            break
        if shares_half(t) and _lookup_span(reader, reader.begins[t], stop):
            return reader.begins[t], stop
    if spelled is not None:
        return reader.begins[spelled], stop
    if starts and shares_half(starts[0]):
        return reader.begins[starts[0]], stop
    return None


def _spells(letters: list[str], initials: list[str]) -> bool:
    """Are the letters a subsequence of the initials ("MNLA" in N M L A)?"""
    remaining = iter(initials)
    return all(letter in remaining for letter in letters)


def _lookup_span(reader: _Reader, begin: int, stop: int) -> str | None:
    """The key of a registry or document alias spanning exactly [begin, stop)."""
    i = bisect_right(reader.begins, begin) - 1
    if i < 0 or reader.begins[i] != begin:
        return None
    for trie in (reader.local, reader.matcher.trie):
        node = trie
        j = i
        while j < len(reader.keys) and reader.stops[j] <= stop:
            node = node.get(reader.keys[j])  # type: ignore[assignment]
            if node is None:
                break
            if reader.stops[j] == stop:
                alias = next((a for a in node.get(_END, []) if reader.accept(a, i, j)), None)
                if alias:
                    return alias.key
            j += 1
    return None


def _qualified(reader: _Reader) -> None:
    """Descriptors around an armed actor's name belong to its mention.

    "separatist Tuareg rebels", "armed jihadist groups", "the paramilitary group Wagner",
    "Wagner fighters", "Tuareg rebellion movements": MODIFIERS (and a DESCRIPTOR_NOUNS word
    right before a capitalised name) on the left, GROUP_NOUNS on the right.
    """
    text, keys = reader.doc.text, reader.keys
    for mention in sorted(reader.mentions.values(), key=lambda m: m.begin):
        allowed = reader.matcher.modifiable.get(mention.key)
        if allowed is None or mention.how not in ("alias", "acronym"):
            continue
        first, last = reader.token_at(mention.begin), reader.token_at(mention.stop - 1)
        begin, stop = mention.begin, mention.stop
        k = first - 1
        if k >= 0 and keys[k] in DESCRIPTOR_NOUNS and mention.text[0].isupper():
            k -= 1  # "group" of "the paramilitary group Wagner"
        while k >= 0 and reader.gaps[k] in ("", " "):
            if k >= 1 and reader.gaps[k - 1] == " " and (keys[k - 1], keys[k]) in allowed:
                k -= 2
            elif (keys[k],) in allowed:
                k -= 1
            else:
                break
        if k + 1 < first and reader.spaced(k + 1, first):
            begin = reader.begins[k + 1]
        following = reader.mentions.get(reader.begins[last + 1]) if last + 1 < len(keys) else None
        if (
            following
            and following.key == mention.key
            and mention.stop == reader.stops[last]
            and reader.gaps[last] == " "
            and not text[mention.stop : following.begin].strip()
        ):
            stop = following.stop  # "MINUSMA peacekeepers": one mention (not "CSP\n • CSP")
        elif (
            last + 1 < len(keys)
            and mention.stop == reader.stops[last]
            and reader.gaps[last] == " "
            and keys[last + 1] in GROUP_NOUNS
            and keys[last] not in GROUP_NOUNS
            and text[reader.begins[last + 1]].islower()
        ):
            stop = reader.stops[last + 1]
        if (begin, stop) != (mention.begin, mention.stop):
            reader.replace(begin, stop, mention.key, mention.how)


def _national(reader: _Reader) -> None:
    """A country's possessive or demonym before a national noun names its institution.

    "Mali's army", "Malian officials", "the Nigerien junta", "Mali's National Transitional
    Council" (a name of an institution of that country), "Mali's north" (its northern area).
    The institution is the registry entity of the noun's class whose dcterms:spatial is the
    country, when there is exactly one.
    """
    text, folded = reader.doc.text, reader.folded
    countries = reader.matcher.country_keys
    for mention in sorted(reader.mentions.values(), key=lambda m: m.begin):
        if mention.key not in countries or mention.begin not in reader.mentions:
            continue
        possessive = text.startswith(("'s", "’s"), mention.stop)
        match = _NATIONAL.match(folded, mention.stop)
        if match:
            noun = match.group(2)
            following = _NEXT_WORD.match(folded, match.end())
            word = following.group(1) if following else ""
            if noun in ("military", "state") and word.isalpha() and word not in NOUN_AFTER:
                match = None  # "Mali's military leaders", "Malian state television": adjectives
            if match:
                options = reader.matcher.national.get((_NATIONAL_CLASS[noun], mention.key), ())
                if len(options) == 1:
                    reader.replace(mention.begin, match.end(), options[0], "pattern")
                    continue
        if not possessive:
            continue
        after = reader.mentions.get(mention.stop + 3)
        if after and reader.registry.jurisdiction.get(after.key) == mention.key:
            reader.replace(mention.begin, after.stop, after.key, after.how)
            continue
        compass = _POSSESSIVE_COMPASS.match(folded, mention.stop)
        if compass:
            label = reader.registry.entities[mention.key].label
            key = reader.registry.lookup(f"{COMPASS[compass.group(1)]} {label}")
            if key:
                reader.replace(mention.begin, compass.end(), key, "pattern")


def _missions(reader: _Reader) -> None:
    """ "UN peacekeepers", "United Nations blue helmets": the organisation's one mission."""
    folded = reader.folded
    for mention in sorted(reader.mentions.values(), key=lambda m: m.begin):
        missions = reader.matcher.missions.get(mention.key)
        if not missions or len(missions) != 1 or mention.begin not in reader.mentions:
            continue
        match = _MISSION_NOUN.match(folded, mention.stop)
        after = reader.mentions.get(_skip_blank(folded, mention.stop))
        if after and after.key == missions[0]:
            reader.replace(mention.begin, after.stop, after.key, after.how)
        elif match:
            reader.replace(mention.begin, match.end(), missions[0], "pattern")


def _skip_blank(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def _sites(reader: _Reader) -> None:
    """ "the UN base at Kidal", "Kidal's airport", "Kidal Fort": the registered site of that
    kind in that place; then "the base", "the UN base" name it for the rest of the document."""
    sites = reader.matcher.sites
    places = {place for place, _ in sites}
    first: dict[str, tuple[int, tuple[str, ...]]] = {}  # site -> (offset, kind as written)
    for mention in sorted(reader.mentions.values(), key=lambda m: m.begin):
        if mention.key not in places or mention.begin not in reader.mentions:
            continue
        found = _site_before(reader, mention) or _site_after(reader, mention)
        if found:
            begin, stop, site, kind = found
            if reader.replace(begin, stop, site, "pattern") and site not in first:
                first[site] = (stop, kind)
    for mention in reader.mentions.values():  # sites named by a registry name
        if "Site" in reader.types(mention.key):
            offset, kind = first.get(mention.key, (mention.stop, ()))
            first[mention.key] = (min(offset, mention.stop), kind)
    for site, (offset, kind) in sorted(first.items()):
        _short_forms(reader, site, offset, kind, set(first) - {site})
    _unregistered_sites(reader)


_TOWN_SITE = re.compile(
    r"\s+((?:(?:military|army|air|french|un|minusma)\s+)?(?:airport|airfield|airbase|air\s+base|base|"
    r"camp|barracks))\b"
)


_SITE_OF_TOWN = re.compile(
    r"\bthe\s+((?:(?:military|army|air|french|un|minusma)\s+)?(?:airport|airfield|airbase|air\s+base|base|"
    r"camp|barracks))\s+(?:of|in|at)\s+$"
)


def _unregistered_sites(reader: _Reader) -> None:
    """ "Timbuktu airport", "the Ménaka military base": a town's site nobody registered is
    a site of its own (what was seized is the airport, not the town); "the base of Ménaka"
    then names the same site."""
    named: dict[tuple[str, str], str] = {}  # (town, head noun) -> site key
    for mention in sorted(reader.mentions.values(), key=lambda m: m.begin):
        if "Settlement" not in reader.types(mention.key):
            continue
        after = _TOWN_SITE.match(reader.folded, mention.stop)
        before = _SITE_OF_TOWN.search(reader.folded, max(0, mention.begin - 30), mention.begin)
        if after and reader.free(mention.stop, after.end()):
            kind, begin, stop = reader.doc.text[after.start(1) : after.end()], mention.begin, after.end()
        elif before and reader.free(before.start(), mention.begin):
            kind, begin, stop = reader.doc.text[before.start(1) : before.end(1)], before.start(), mention.stop
        else:
            continue
        head = SITE_NOUNS.get(fold(kind).split()[-1], fold(kind).split()[-1])
        if begin < mention.begin and (mention.key, head) not in named:
            continue  # "the military camp of Aguelhok" before any site there: the town
        key = named.get((mention.key, head)) or reader.discover(
            " ".join(f"{mention.text} {kind}".split()), ("Site",)
        )
        if reader.replace(begin, stop, key, "pattern"):
            named.setdefault((mention.key, head), key)


def _site_before(reader: _Reader, place: Mention) -> tuple[int, int, str, tuple[str, ...]] | None:
    """ "[owner] <kind> in|at|of <place>" -> (begin, stop, site, kind tokens)."""
    keys, p = reader.keys, reader.token_at(place.begin)
    link = p - 1
    if link < 1 or keys[link] not in SITE_LINKS or not reader.spaced(link, p):
        return None
    for size in (3, 2, 1):
        start = link - size
        if start < 0 or not reader.spaced(start, link):
            continue
        kind = tuple(keys[start:link])
        options = reader.matcher.sites.get((place.key, kind), frozenset())
        if len(options) != 1:
            continue
        site, begin = next(iter(options)), reader.begins[start]
        if start and reader.spaced(start - 1, start):
            owner = reader.covering(reader.begins[start - 1])
            if owner and owner.key in reader.matcher.site_owners.get(site, ()):
                begin = owner.begin  # "the UN base at Kidal", "the Minusma camp in Kidal"
            elif owner or keys[start - 1] not in SITE_BEFORE | FUNCTION_WORDS | PREPOSITIONS:
                return None  # "the French base in Kidal", "the army camp in Kidal": another one
        written = _name_tokens(reader.doc.text[begin : reader.stops[link - 1]])
        return begin, place.stop, site, written
    return None


def _site_after(reader: _Reader, place: Mention) -> tuple[int, int, str, tuple[str, ...]] | None:
    """ "<place>['s] <kind>" ("Kidal airport", "Bamako's Independence Square")."""
    keys, n = reader.keys, len(reader.keys)
    start = reader.token_at(place.stop - 1) + 1
    if start < n and keys[start] == "s" and reader.doc.text[place.stop : place.stop + 1] in "'’":
        start += 1
    for size in (3, 2, 1):
        end = start + size
        if end > n or not reader.spaced(start - 1, end - 1):
            continue
        kind = tuple(keys[start:end])
        options = reader.matcher.sites.get((place.key, kind), frozenset())
        if len(options) == 1:
            return place.begin, reader.stops[end - 1], next(iter(options)), kind
    return None


def _short_forms(
    reader: _Reader, site: str, since: int, written: tuple[str, ...], others: set[str]
) -> None:
    """After a site is named, "the camp", "the UN base", "MINUSMA camp" name it too.

    The forms come from how the text named it and from the registry's kinds of the site;
    "the <noun>" only if no other site the document names is of that kind. A form names
    the site only if the last "<noun>" before it was part of a mention of the site ("Gao's
    airport. The airport was closed." is not Kidal's). Each form is looked up where its
    first word occurs (no second reading of the document).
    """
    kinds = {kind for (_, kind), keys in reader.matcher.sites.items() if site in keys}
    kinds.add(written)  # may be () for a site named by a registry name
    forms: set[tuple[str, ...]] = set()
    for kind in kinds:
        heads = [t for t in kind if t in SITE_NOUNS]
        if not heads:
            continue
        shared = {
            k
            for (_, other), keys in reader.matcher.sites.items()
            if other == (heads[-1],)
            for k in keys
        }
        if not shared & others:
            forms.add(("the", heads[-1]))
        if len(kind) > 1 and kind[-1] in SITE_NOUNS:
            forms.add(kind)
    found: list[tuple[int, int, int]] = []  # (first token, -length, last token), text order
    for form in forms:
        for i in reader.index.get(form[0], ()):
            j = i + len(form) - 1
            if (
                reader.begins[i] >= since
                and tuple(reader.keys[i : j + 1]) == form
                and reader.spaced(i, j)
                and not (i and reader.keys[i - 1] in NOT_THIS_ONE)
            ):
                found.append((i, -len(form), j))
    for i, _, j in sorted(found):
        head = SITE_NOUNS[reader.keys[j]]
        previous = next(  # the last "camp"/"base" before this one
            (t for t in range(i - 1, -1, -1) if SITE_NOUNS.get(reader.keys[t]) == head), None
        )
        named = previous is not None and reader.covering(reader.begins[previous])
        if named and named.key == site:  # not "Gao's airport. The airport ..."
            reader.replace(reader.begins[i], reader.stops[j], site, "coref")


def _coordinated(reader: _Reader) -> None:
    """ "Malian and Wagner forces": the first word shares the noun ("Malian forces" is FAMa)."""
    text = reader.doc.text
    for mention in sorted(reader.mentions.values(), key=lambda m: m.begin):
        if " " in mention.text or not mention.text[:1].isupper():
            continue
        following = _COORDINATED.match(text, mention.stop)
        if not following:
            continue
        key = reader.registry.lookup(f"{mention.text} {following.group(1)}")
        if key and key != mention.key:
            reader.add(mention.begin, mention.stop, key, "alias")


def _organisations(reader: _Reader) -> None:
    """Named organisations and places the text describes.

    "at the Brussels School of International Studies", "the public television
    ORTM", "the Katiba Macina, a jihadist group", "Tinzaouaten, a locality".
    """
    text = reader.doc.text
    for match in reader.near(_DESCRIBED, DESCRIPTORS):
        _described(reader, *match.span(2), DESCRIPTORS[match.group(1).lower()], match.group(1))
    for match in reader.near(_APPOSITIVE, DESCRIPTORS, before=160, after=0):
        _described(
            reader, *match.span(1), DESCRIPTORS[match.group(3)], match.group(2) + match.group(3)
        )
    for match in reader.near(_ORG_RUN, ("at", "from", "of", "with", "by", "for")):
        begin, stop = match.span(1)
        words = [fold(w) for w in match.group(1).split()]
        if words[0] in TITLE_WORDS or words[0] in FUNCTION_WORDS or not ORG_HEADS & set(words):
            continue
        previous = _PREVIOUS_WORD.search(text, max(0, match.start() - 40), match.start())
        if previous and previous.group(1)[0].isupper():
            continue  # the tail of a longer name: "Chief of the General Staff of the Armed Forces"
        if reader.free(begin, stop):
            name = text[begin:stop]
            key = reader.discover(name, guess_types(name))
            reader.add(begin, stop, key, "pattern")
            reader.teach(name, key, "alias")


def _described(reader: _Reader, begin: int, stop: int, cls: str, description: str) -> None:
    """Mint the entity named at [begin, stop), of the class its description gives."""
    span = _place_words(reader, begin, stop)
    if not span or not reader.free(*span):
        return
    name = reader.doc.text[span[0] : span[1]]
    if cls == "ArmedGroup":
        cls = guess_types(f"{description} {name}")[0]
        cls = "ArmedGroup" if cls in ("Organisation", "Alliance") else cls
    key = reader.discover(name, (cls,))
    reader.add(*span, key, "pattern")
    reader.teach(name, key, "alias")


def _people(reader: _Reader, named: list[re.Match[str]]) -> None:
    """Titles, roles and "a trader named X": link or mint people; then their surnames."""
    text = reader.doc.text
    candidates: list[tuple[int, int, str]] = []  # (begin, stop, trigger)
    for match in reader.near(_TITLED, TITLE_FIRST):
        lower_title = text[match.start()].islower()
        candidates.append((*match.span(1), "role" if lower_title else "title"))
    for match in named:
        if match.group(1).split()[-1] in PERSON_NOUNS:
            candidates.append((*match.span(2), "named"))
    for match in _SAID.finditer(text):
        candidates.append((*match.span(1), "said"))
    for match in reader.near(
        _PARTICLE_NAME, ("ag", "ould", "ben", "bin", "ibn"), before=60, after=60
    ):
        candidates.append((*match.span(1), "particle"))
    introduced: list[tuple[int, str, str]] = [  # (offset, folded surname, key)
        (m.stop, form, m.key)
        for m in reader.mentions.values()
        if m.key in reader.matcher.persons and len(m.text.split()) >= 2
        for form in _surname_forms(reader.registry.entities[m.key].label)
    ]
    for begin, stop, trigger in sorted(candidates):
        span = _clean_name(reader, begin, stop)
        if span:
            _person(reader, *span, trigger, introduced)
    _teach_surnames(reader, introduced)


# Words of a title-case headline that follow a name: adverbs and the verbs of news
_HEADLINE_WORD = re.compile(
    r"[a-z]{5,}ly|(?:toppl|oust|overthr|depos|arrest|detain|kill|seiz|captur|resign|sworn|elect|"
    r"appoint|releas|flee|fled|says|den(?:y|ies|ied)|warn|vow|claim|return|visit|meet)"
    r"[a-z]*"
)


def _clean_name(reader: _Reader, begin: int, stop: int) -> tuple[int, int] | None:
    """Drop leading titles and cut at the first word that cannot be part of a name."""
    words = [
        (begin + m.start(), begin + m.end())
        for m in _NAME_WORDS.finditer(reader.doc.text[begin:stop])
    ]
    while words and fold(reader.doc.text[words[0][0] : words[0][1]].rstrip(".")) in TITLE_WORDS:
        words.pop(0)
    kept: list[tuple[int, int]] = []
    for b, e in words:
        word = fold(reader.doc.text[b:e])
        known = reader.registry.lookup(reader.doc.text[b:e])
        if word in NAME_STOP_WORDS or (known and known not in reader.matcher.persons):
            break
        if len(kept) >= 2 and _HEADLINE_WORD.fullmatch(word):
            break  # "President Alpha Condé Apparently Toppled in Coup": a title-case headline
        kept.append((b, e))
    while kept and fold(reader.doc.text[kept[-1][0] : kept[-1][1]]) in PARTICLES:
        kept.pop()
    return (kept[0][0], kept[-1][1]) if kept else None


def _person(
    reader: _Reader, begin: int, stop: int, trigger: str, introduced: list[tuple[int, str, str]]
) -> None:  # noqa: E501
    """Link the name at [begin, stop) to a person, or mint one."""
    existing = reader.mention_at(begin, stop)
    if existing:
        if trigger in ("title", "role") and "Person" in reader.types(existing.key):
            reader.add(begin, stop, existing.key, "title")
        return
    if not reader.free(begin, stop):
        return
    name = reader.doc.text[begin:stop]
    words = name.split()
    key = _known_person(reader, words, begin, introduced)
    if key is None:
        if len(words) < 2 and trigger not in ("title", "named"):
            return
        key = reader.discover(name, ("Person",))
        reader.teach(name, key, "alias")
    reader.add(begin, stop, key, "title")
    if len(words) >= 2:
        label = (
            reader.found[key].label if key in reader.found else reader.registry.entities[key].label
        )
        introduced += [(stop, form, key) for form in _surname_forms(label)]


def _known_person(
    reader: _Reader, words: list[str], at: int, introduced: list[tuple[int, str, str]]
) -> str | None:  # noqa: E501
    """A person the name refers to: by full name, by registry surname, by an earlier full name."""
    name = " ".join(words)
    key = reader.registry.lookup(name) or slugify(name)
    if key in reader.matcher.persons or (
        key in reader.found and "Person" in reader.found[key].types
    ):
        return key
    surname = fold(words[-1]) if len(words) == 1 else None
    if surname is None and len(words) == 2 and fold(words[0]) in PARTICLES:
        surname = fold(name)
    if surname is None:
        return None
    earlier = {k for off, form, k in introduced if off <= at and form == surname}
    if len(earlier) == 1:
        return next(iter(earlier))
    registry_keys = reader.matcher.surnames.get(surname, frozenset())
    return next(iter(registry_keys)) if len(registry_keys) == 1 else None


def _teach_surnames(reader: _Reader, introduced: list[tuple[int, str, str]]) -> None:
    """After a full name, its surname alone names the same person (if no one else has it)."""
    owners: dict[str, set[str]] = {}
    for _, form, key in introduced:
        owners.setdefault(form, set()).add(key)
    for offset, form, key in sorted(introduced):
        if len(owners[form]) == 1 and not reader.registry.lookup(form):
            label = (
                reader.found[key].label
                if key in reader.found
                else reader.registry.entities[key].label
            )
            surface = label[len(label) - len(form) :]
            reader.teach(surface, key, "alias", since=offset)


def _places(reader: _Reader, named: list[re.Match[str]]) -> None:
    """ "the town(s) of X (and Y)", "X Region" (Province, Cercle, District ...), "region of X",
    "in X, <Country>", "took (control of) X"."""
    text = reader.doc.text
    for match in reader.near(_PLACE_OF, PLACE_OF_WORDS):
        group_begin = match.start(1)
        for name in _PLACE_IN.finditer(match.group(1)):
            _place(reader, group_begin + name.start(), group_begin + name.end(), "Settlement")
    for word in _REGION_WORD.finditer(text):
        window = max(0, word.start() - 80)
        match = _BEFORE_REGION.search(text, window, word.start())
        span = match and _place_words(reader, *match.span(1), from_right=True)
        town = span and reader.mention_at(*span)
        if span and (reader.free(span[0], word.end()) or (town and reader.free(span[1], word.end()))):
            key = reader.discover(f"{text[span[0] : span[1]]} {word.group()}", ("Region",))
            reader.replace(span[0], word.end(), key, "pattern")  # "Ménaka Cercle", not Ménaka
            reader.teach(text[span[0] : word.end()], key, "alias")
    for match in _TAKEN.finditer(text):
        _place(reader, *match.span(1), "Settlement")
    for match in named:
        if match.group(1).split()[-1] in PLACE_NOUNS:  # "a village named Inekar"
            _place(reader, *match.span(2), "Settlement")
    for match in reader.near(_REGION_OF, ("region",)):
        span = _place_words(reader, *match.span(1))
        if not span:
            continue
        name = f"{text[span[0] : span[1]]} Region"
        known = reader.registry.lookup(name)
        if known and reader.mention_at(*span) and "Region" in reader.types(known):
            reader.add(*span, known, "pattern")  # "the region of Kidal" is the region
        elif reader.free(*span):
            reader.add(*span, reader.discover(name, ("Region",)), "pattern")
    for match in reader.near(_IN_X_COMMA, PREPOSITIONS):
        after = reader.mentions.get(match.end())
        if after and reader.types(after.key) & {"Country", "Region", "Area"}:
            _place(reader, *match.span(1), "Settlement")


def _place_words(
    reader: _Reader, begin: int, stop: int, from_right: bool = False
) -> tuple[int, int] | None:
    """The name words of a place span, without stop words (kept from the right or left end)."""
    words = [
        (begin + m.start(), begin + m.end())
        for m in _NAME_WORDS.finditer(reader.doc.text[begin:stop])
    ]
    good = [fold(reader.doc.text[b:e]) not in NAME_STOP_WORDS | TITLE_WORDS for b, e in words]
    if from_right:
        while words and not good[0]:
            words, good = words[1:], good[1:]
        if not all(good):
            last_bad = max(i for i, g in enumerate(good) if not g)
            words = words[last_bad + 1 :]
    else:
        words = words[: good.index(False)] if False in good else words
    return (words[0][0], words[-1][1]) if words else None


def _place(reader: _Reader, begin: int, stop: int, cls: str) -> None:
    """Link or mint the place named at [begin, stop)."""
    span = _place_words(reader, begin, stop)
    if not span or not reader.free(*span):
        return
    name = reader.doc.text[span[0] : span[1]]
    key = reader.discover(name, (cls,))
    reader.add(*span, key, "pattern")
    reader.teach(name, key, "alias")


def _references(reader: _Reader) -> None:
    """ "the city", "the junta", "the army", "the rebels", "the militants" (the document's one
    dominant armed group): linked when unambiguous."""
    text, folded = reader.doc.text, reader.folded
    counts = Counter(m.key for m in reader.mentions.values())
    by_country: Counter[str] = Counter()
    for key, n in counts.items():
        for country in reader.matcher.countries.get(key, ()):
            by_country[country] += n
    focus = _dominant(by_country)
    settlement = _dominant(
        Counter({k: n for k, n in counts.items() if "Settlement" in reader.types(k)})
    )
    group = _dominant(Counter({k: n for k, n in counts.items() if "ArmedGroup" in reader.types(k)
                               and "CollectiveActor" not in reader.types(k)}))  # fmt: skip
    if focus:
        _compass(reader, focus)
    for match in _GENERIC.finditer(folded):
        determiner, adjective, noun = match.groups()
        begin, stop = match.start(), match.end()
        if not reader.free(begin, stop) or not _reference_context(reader, match):
            continue
        if determiner is None and noun not in BARE_NOUNS:
            continue
        if adjective and (adjective in EXCLUDED_ADJECTIVES or not text[match.start(2)].islower()):
            continue
        cls = _NOUN_CLASS[noun]
        if cls == "ArmedGroup":
            key = group
        elif cls == "Settlement":
            key = settlement
        elif cls == "Country":
            key = focus
        else:
            options = reader.matcher.national.get((cls, focus or ""), ())
            key = options[0] if len(options) == 1 else None
        if key:
            reader.add(begin, stop, key, "coref")


def _compass(reader: _Reader, country: str) -> None:
    """ "the north of the country", "in the north": the country's northern area, if known."""
    label = reader.registry.entities[country].label
    for match in reader.near(_COMPASS, COMPASS, before=16, after=28, folded=True):
        direction = next(g for g in match.groups() if g)
        key = reader.registry.lookup(f"{COMPASS[direction]} {label}")
        if key and reader.free(match.start(), match.end()):
            reader.add(match.start(), match.end(), key, "coref")


def _reference_context(reader: _Reader, match: re.Match[str]) -> bool:
    """Not "the city of X", not "the junta leader"; a bare plural after a preposition or a mark."""
    folded = reader.folded
    following = _NEXT_WORD.match(folded, match.end())
    word = following.group(1) if following else ""
    if word == "of" or word in ROLE_AFTER or word in MODIFIED_NOUNS:
        return False
    if match.group(3) == "military" and word.isalpha() and word not in VERB_AFTER:
        return False  # "the military camp of Kati": an adjective
    if match.group(1) is None:
        before = folded[max(0, match.start() - 24) : match.start()].rstrip()
        if before and before[-1].isalnum():
            return before.split()[-1] in BARE_AFTER
        return not before or before[-1] in ".,;:!?(\"'-"
    return True


def _dominant(counts: Counter[str]) -> str | None:
    """The most frequent key, if it is at least twice as frequent as the next one."""
    ranked = counts.most_common(2)
    if not ranked:
        return None
    if len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]:
        return ranked[0][0]
    return None
