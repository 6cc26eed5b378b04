"""Namespaces and the ontology terms the builder writes.

Every ``SK.*`` term used anywhere in kg/ is listed here and must be declared,
labelled (en, fr) and defined in ontology/sahel.ttl (tests/test_ontology.py
checks both directions). Strings only: no RDF library is imported here, so
any stage may use these names cheaply.
"""

from __future__ import annotations

BASE = "https://w3id.org/sahel-kg/"
SK = BASE + "ontology#"  # the ontology
GENID = BASE + ".well-known/genid/"  # RDF 1.1 skolem IRIs for the blank nodes of input files
ID = BASE + "id/"  # entities: registry and discovered
DOC = BASE + "doc/"  # documents
CLAIM = BASE + "claim/"  # extracted claims (one per assertion and source)
PERIOD = BASE + "period/"  # derived intervals
EVENT = BASE + "event/"  # resolved events: one per happening, over the claims reporting it
MENTION = BASE + "mention/"
GRAPH = BASE + "graph/"  # graph/ontology, graph/registry, graph/derived, graph/doc/<id>

ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
PROV = "http://www.w3.org/ns/prov#"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
OA = "http://www.w3.org/ns/oa#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GEO = "http://www.opengis.net/ont/geosparql#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"

PREFIXES: dict[str, str] = {
    "sk": SK,
    "id": ID,
    "doc": DOC,
    "claim": CLAIM,
    "period": PERIOD,
    "event": EVENT,
    "mention": MENTION,
    "org": ORG,
    "time": TIME,
    "prov": PROV,
    "sem": SEM,
    "oa": OA,
    "skos": SKOS,
    "geo": GEO,
    "schema": SCHEMA,
    "dcterms": DCT,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "wd": WD,
}
#: The @prefix lines every Turtle/TriG file of a build starts with, in this order.
PREFIX_BLOCK = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()).encode()

# --- classes -------------------------------------------------------------
AGENT_CLASSES = (
    "Agent", "Person", "Organisation", "State", "Government", "Junta",
    "NationalArmedForces", "ArmedGroup", "SeparatistArmedGroup", "JihadistArmedGroup",
    "ProGovernmentMilitia", "PrivateMilitaryCompany", "Alliance", "InternationalMission",
    "NewsOutlet", "CollectiveActor",
)  # fmt: skip
PLACE_CLASSES = ("Place", "Country", "Region", "Settlement", "Site", "Area")
EVENT_CLASSES = (
    "Event", "War", "Offensive", "Battle", "Clash", "Ambush", "Airstrike", "DroneStrike",
    "Capture", "Withdrawal", "Evacuation", "Deployment", "Expulsion", "Coup",
    "AgreementSigning", "Founding", "LeavingGroup", "Appointment", "Statement",
    "AircraftCrash", "Ceasefire",
)  # fmt: skip
SITUATION_CLASSES = (
    "Situation", "TerritorialControl", "GroupMembership", "RoleHolding", "CasualtyReport",
    "Claim", "ControlPeriod", "MembershipPeriod", "RolePeriod", "NewsArticle", "Mention",
)  # fmt: skip
VALUE_CLASSES = ("Precision", "Polarity", "Change", "CasualtyType", "Role")
#: One happening resolved from the claims that report it (kg/events.py, graph derived).
RESOLVED_CLASSES = ("ResolvedEvent",)
CLASSES = (
    AGENT_CLASSES + PLACE_CLASSES + EVENT_CLASSES + SITUATION_CLASSES + VALUE_CLASSES
    + RESOLVED_CLASSES
)  # fmt: skip

# --- named individuals ---------------------------------------------------
PRECISIONS = {"day": "Day", "month": "Month", "year": "Year"}
POLARITIES = {"asserted": "Asserted", "denied": "Denied", "hedged": "Hedged"}
CHANGES = {
    "gain": "Gain", "loss": "Loss", "state": "Standing",
    "join": "Join", "leave": "Leave", "found": "Formation",
}  # fmt: skip
CASUALTY_TYPES = {
    "killed": "Killed", "injured": "Injured", "destroyed": "Destroyed",
    "captured": "Taken", "losses": "Losses",
}  # fmt: skip
ROLES = (
    "President", "InterimPresident", "JuntaLeader", "HeadOfState", "PrimeMinister",
    "Minister", "ForeignMinister", "DefenceMinister", "Governor", "Founder", "Commander",
    "Spokesperson", "Leader", "ChiefOfStaff",
)  # fmt: skip
INDIVIDUALS = (
    tuple(PRECISIONS.values()) + tuple(POLARITIES.values()) + tuple(CHANGES.values())
    + tuple(CASUALTY_TYPES.values()) + ROLES
)  # fmt: skip

# --- properties ----------------------------------------------------------
OBJECT_PROPERTIES = (
    "locatedIn",  # Place -> Place (administrative / geographic containment), transitive
    "sideA", "sideB",  # Event -> Agent: initiating and opposing side (sub of sem:hasActor)
    "partOf",  # Event -> Event (sub of sem:subEventOf)
    "controller", "jointController", "territory",  # TerritorialControl -> Agent / Place
    "roleWithin",  # RoleHolding -> Agent or Place
    "change",  # Situation -> Change
    "startPrecision", "endPrecision", "precision",  # -> Precision
    "polarity",  # Claim -> Polarity
    "casualtyType",  # CasualtyReport -> CasualtyType
    "hasEvidence",  # Claim -> oa:Annotation
    "supportedBy",  # derived period -> Claim
    "disputedBy",  # Claim/Period <-> Claim/Period (symmetric)
    "aboutEvent",  # CasualtyReport -> Event
    "inDocument",  # Mention -> NewsArticle
    "reportsEvent",  # Claim -> ResolvedEvent (graph derived, kg/events.py)
    # copies on a contested claim or period (graph derived, kg/summaries.py)
    "summaryStartPrecision", "summaryEndPrecision",  # -> Precision
    "summaryPolarity",  # -> Polarity
)  # fmt: skip
DATATYPE_PROPERTIES = (
    "startDate", "endDate",  # xsd:date: earliest day of the start, latest day of the end
    "date",  # xsd:date, a point event's (earliest) day
    "ongoing",  # xsd:boolean
    "asOf",  # xsd:date: date of the latest source stating an ongoing period
    "discovered",  # xsd:boolean: minted from text, not in the registry
    "extractionRule",  # xsd:string
    "quote", "quoteStart", "quoteEnd",  # shortcut copies of the evidence selector
    "countMin", "countMax", "countText", "victims",
    "contentHash", "fileName", "dateNote", "originalLanguage",
    "stage",  # versioned name of the pipeline stage that wrote a graph
    # xsd:string shortcuts of a contested claim or period (graph derived, kg/summaries.py)
    "summaryType", "summaryText", "summaryClaimants", "summaryDocuments",
    "summaryStart", "summaryEnd",  # xsd:date copies of sk:startDate, sk:endDate
    "summaryQuote",  # copy of sk:quote
    "summaryRank",  # xsd:integer: position among the contested nodes, IRI order
    "disagreement",  # xsd:string on a ResolvedEvent: dates, sides, figures, polarity, claims
)  # fmt: skip
PROPERTIES = OBJECT_PROPERTIES + DATATYPE_PROPERTIES
