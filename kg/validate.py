"""``kg validate``: check the ontology, the registry and a build.

Checks, in order (each adds findings to one report):

1. ``parse``: sahel.ttl, shapes.ttl and registry.ttl (when present) parse with
   rdflib and with pyoxigraph.
2. ``terms``: every term of kg/vocab.py is declared in sahel.ttl, every sk:
   term there is in kg/vocab.py, and each has en and fr rdfs:label and
   skos:definition.
3. ``reasoner``: HermiT finds the ontology plus the registry consistent and
   every class satisfiable, and the build's data consistent, else names the
   claims that are not (kg/reasoning.py; skipped with ``reason=False``).
4. ``shacl``: the build's ``kg.trig`` (all named graphs, plus the ontology for
   the class hierarchy) conforms to shapes.ttl; ``blank-nodes``: the data
   graphs hold no blank nodes (the ontology graph may: OWL lists need them).
5. ``store``: the build's store was not changed by SPARQL Update after the build
   (else queries answer from other data than the kg.trig checked above).
6. ``docs``: writes ``<build>/docs/ontology.html``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kg import ontology as onto
from kg.errors import OntologyError
from kg.reasoning import SAMPLE
from kg.vocab import CLASSES, GRAPH, INDIVIDUALS, PREFIXES, PROPERTIES, SH, XSD

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pyoxigraph
    import rdflib
    import rdflib.term

STAGE = "validate.v1"
BUILD_FILE = "kg.trig"
DOCS_FILE = Path("docs") / "ontology.html"
CHECKS = ("parse", "terms", "reasoner", "shacl", "blank-nodes", "store", "docs")

Severity = Literal["error", "warning", "info"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_SHACL_SEVERITY: dict[str, Severity] = {
    SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "info",
}  # fmt: skip


@dataclass(frozen=True, order=True)
class Finding:
    """One result of one check: an error, a warning, or a note that it passed."""

    check: str  # one of CHECKS
    severity: Severity
    focus: str  # the IRI or file concerned ("" when none)
    message: str


@dataclass(frozen=True)
class ValidationReport:
    """Every finding of a validation run, in check order."""

    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when no check found an error (warnings allowed)."""
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")


def validate(
    build_dir: Path | None, *, reason: bool = True, ontology_dir: Path | None = None,
    sample: int | None = SAMPLE,
) -> ValidationReport:
    """Run every check on the ontology folder (default: the shipped one) and a build.

    With ``reason``, HermiT also checks the build's data (kg/reasoning.py): every article
    graph, or a sample of ``sample`` of them past that many (None: all)."""
    folder = ontology_dir or onto.ontology_file().parent
    ontology, shapes, registry = (folder / n for n in ("sahel.ttl", "shapes.ttl", "registry.ttl"))
    sources = [ontology, shapes] + ([registry] if registry.is_file() else [])
    findings = [f for path in sources for f in check_parse(path)]
    broken = {f.focus for f in findings if f.severity == "error"}
    if str(ontology) in broken:
        skipped = "skipped: the ontology does not parse"
        return _report([*findings, Finding("terms", "error", str(ontology), skipped)])
    graph = onto.load_turtle([ontology])
    findings += check_terms(graph, str(ontology))
    if reason:
        findings += check_reasoner(ontology, [registry] if registry in sources else [], broken)
    else:
        findings.append(Finding("reasoner", "info", "", "skipped (reasoning turned off)"))
    if build_dir is not None and reason and (build_dir / BUILD_FILE).is_file():
        findings += check_data_reasoner(build_dir / BUILD_FILE, sample)
    if build_dir is not None:
        findings += _check_build(build_dir, graph, shapes, str(shapes) in broken)
        findings += check_store(build_dir)
        findings += write_docs(graph, build_dir / DOCS_FILE)
    else:
        findings.append(Finding("shacl", "info", "", "skipped: no build folder"))
    return _report(findings)


def _report(findings: Iterable[Finding]) -> ValidationReport:
    rank = {name: i for i, name in enumerate(CHECKS)}
    unique = set(findings)
    ordered = sorted(unique, key=lambda f: (rank[f.check], _SEVERITY_ORDER[f.severity], f))
    return ValidationReport(tuple(ordered))


def _one_line(error: Exception, limit: int = 300) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_parse(path: Path) -> list[Finding]:
    """The file parses as Turtle with rdflib and with pyoxigraph."""
    import pyoxigraph
    import rdflib

    where = str(path)
    if not path.is_file():
        return [Finding("parse", "error", where, "file not found; restore it from the repository")]
    problems = []
    try:
        count = len(rdflib.Graph().parse(path, format="turtle"))
    except Exception as error:  # rdflib raises several unrelated types
        problems.append(Finding("parse", "error", where, f"rdflib: {_one_line(error)}"))
    try:
        list(pyoxigraph.parse(path=where, format=pyoxigraph.RdfFormat.TURTLE))
    except (SyntaxError, ValueError, OSError) as error:
        problems.append(Finding("parse", "error", where, f"pyoxigraph: {_one_line(error)}"))
    note = f"parses with rdflib and pyoxigraph ({count} triples)" if not problems else ""
    return problems or [Finding("parse", "info", where, note)]


def check_terms(graph: rdflib.Graph, where: str = "sahel.ttl") -> list[Finding]:
    """Declared sk: terms match kg/vocab.py; each has en+fr labels and definitions."""
    from kg.vocab import SK

    declared = onto.sk_terms(graph)
    listed = set(CLASSES + PROPERTIES + INDIVIDUALS)
    findings = [
        Finding("terms", "error", SK + t, f"listed in kg/vocab.py but not declared in {where}")
        for t in sorted(listed - declared)
    ] + [
        Finding("terms", "error", SK + t, f"declared in {where} but missing from kg/vocab.py")
        for t in sorted(declared - listed)
    ]
    findings += [
        Finding("terms", "error", SK + term, f"has no {what}")
        for term, what in onto.missing_annotations(graph)
    ]
    if not findings:
        note = f"{len(declared)} sk: terms, each with en and fr labels and definitions"
        findings.append(Finding("terms", "info", where, note))
    return findings


def check_reasoner(ontology: Path, abox: list[Path], broken: set[str]) -> list[Finding]:
    """HermiT on the ontology plus the ABox files that parse."""
    usable = [p for p in abox if str(p) not in broken]
    what = " + ".join(p.name for p in [ontology, *usable])
    try:
        result = onto.check_consistency(ontology, abox=usable)
    except OntologyError as error:
        return [Finding("reasoner", "error", str(ontology), str(error))]
    if not result.consistent:
        return [Finding("reasoner", "error", "", f"HermiT: {what} inconsistent (an individual "
                        "breaks an axiom, e.g. it has two disjoint classes)")]  # fmt: skip
    findings = [
        Finding("reasoner", "error", iri, "HermiT: unsatisfiable (no individual can be in it)")
        for iri in result.inconsistent_classes
    ]
    note = f"HermiT: {what} consistent, {result.triples} triples ({result.seconds:.1f} s)"
    return findings or [Finding("reasoner", "info", "", note)]


def check_data_reasoner(trig: Path, sample: int | None = SAMPLE) -> list[Finding]:
    """HermiT on the build's data; an inconsistency is reported by claim (or period)."""
    from kg.reasoning import check_build_data

    try:
        result = check_build_data(trig, sample=sample)
    except OntologyError as error:
        return [Finding("reasoner", "error", str(trig), str(error))]
    scope = (f"{result.documents} articles" if result.documents == result.total_documents
             else f"a sample of {result.documents} of {result.total_documents} articles "
             "(by hash of their graph IRI)")  # fmt: skip
    if result.consistent:
        note = (f"HermiT: the build's data ({scope}, with the ontology, registry and derived "
                f"graphs) consistent, {result.triples} triples "
                f"({result.seconds:.1f} s)")  # fmt: skip
        return [Finding("reasoner", "info", str(trig), note)]
    if result.context_inconsistent or not result.culprits:
        return [Finding("reasoner", "error", str(trig), f"HermiT: the build's data ({scope}) is "
                        "inconsistent in its ontology and registry graphs alone: rebuild with "
                        "`kg build` after fixing ontology/registry.ttl")]  # fmt: skip
    findings = []
    for culprit in result.culprits:
        for iri in culprit:
            others = [compact(o) for o in culprit if o != iri]
            together = f", together with {', '.join(others)}" if others else ""
            quote = result.described(iri)
            findings.append(Finding(
                "reasoner", "error", iri,
                f"HermiT: inconsistent with the ontology and the registry{together} (e.g. a "
                f"node in two disjoint classes, or a value outside a property's range)"
                f"{': ' + quote if quote else ''}",
            ))  # fmt: skip
    return findings


def _check_build(
    build_dir: Path, ontology: rdflib.Graph, shapes: Path, shapes_broken: bool
) -> list[Finding]:
    build = build_dir / BUILD_FILE
    if not build.is_file():
        return [Finding("shacl", "info", str(build), "skipped: no build here (run `kg build`)")]
    if shapes_broken:
        return [Finding("shacl", "error", str(shapes), "skipped: the shapes do not parse")]
    try:
        quads = load_build(build)
    except OntologyError as error:
        return [Finding("shacl", "error", str(build), str(error))]
    return check_blank_nodes(quads) + check_shacl(union_graph(quads, ontology), shapes, str(build))


def check_store(build_dir: Path) -> list[Finding]:
    """The store holds what kg.trig holds: no SPARQL Update changed it after the build."""
    from kg.store import changed_after_build, store_path

    if not store_path(build_dir).is_dir():
        return [Finding("store", "info", str(store_path(build_dir)), "skipped: no store")]
    if not changed_after_build(build_dir):
        return [Finding("store", "info", str(store_path(build_dir)),
                        "no SPARQL Update since the build: queries see what kg.trig holds")]
    return [Finding("store", "error", str(store_path(build_dir)),
                    "changed by SPARQL Update after the build (kg sparql --allow-update), so "
                    "queries answer from other data than the kg.trig checked here; run `kg build` "
                    "to rebuild it")]  # fmt: skip


def load_build(path: Path) -> list[pyoxigraph.Quad]:
    """Parse a build's TriG dataset (pyoxigraph: fast, and no rdflib deprecation noise)."""
    import pyoxigraph

    try:
        return list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TRIG))
    except (SyntaxError, ValueError, OSError) as error:
        raise OntologyError(f"{path}: not valid TriG: {error}. Rebuild with `kg build`.") from None


def to_rdflib(term: object) -> rdflib.term.Node:
    """A pyoxigraph term as the equal rdflib term (plain strings stay plain)."""
    import pyoxigraph
    import rdflib

    if isinstance(term, pyoxigraph.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        plain = datatype == XSD + "string"
        return rdflib.Literal(term.value, datatype=None if plain else rdflib.URIRef(datatype))
    raise TypeError(f"unexpected RDF term {term!r}")


def union_graph(quads: Iterable[pyoxigraph.Quad], ontology: rdflib.Graph) -> rdflib.Graph:
    """All triples of all graphs of the dataset, plus the ontology, as one rdflib graph."""
    import rdflib

    union = rdflib.Graph()
    for quad in quads:
        union.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    for triple in ontology:
        union.add(triple)
    return union


def check_blank_nodes(quads: Iterable[pyoxigraph.Quad]) -> list[Finding]:
    """Data graphs use IRIs only (the ontology graph may hold OWL's blank nodes)."""
    import pyoxigraph

    counts: dict[str, int] = {}
    for quad in quads:
        name = getattr(quad.graph_name, "value", "")
        terms = (quad.subject, quad.object)
        if name != GRAPH + "ontology" and any(isinstance(t, pyoxigraph.BlankNode) for t in terms):
            counts[name] = counts.get(name, 0) + 1
    return [
        Finding("blank-nodes", "error", name, f"{n} triples with blank nodes; mint IRIs instead")
        for name, n in sorted(counts.items())
    ] or [Finding("blank-nodes", "info", "", "no blank nodes in the data graphs")]


def check_shacl(data: rdflib.Graph, shapes: Path, where: str) -> list[Finding]:
    """SHACL validation of ``data`` (already holding the ontology) against ``shapes``."""
    import pyshacl
    import rdflib

    shapes_graph = onto.load_turtle([shapes])
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True
    )
    sh = rdflib.Namespace(SH)
    findings = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        severity = _SHACL_SEVERITY.get(str(results.value(result, sh.resultSeverity)), "error")
        messages = sorted(str(m) for m in results.objects(result, sh.resultMessage))
        message = messages[0] if messages else "does not conform"
        value = results.value(result, sh.value)
        if value is not None:
            message += f" Value: {compact(str(value))}"
        focus = str(results.value(result, sh.focusNode))
        findings.append(Finding("shacl", severity, focus, message))
    if conforms and not findings:
        note = f"conforms to the shapes ({len(data)} triples)"
        findings.append(Finding("shacl", "info", where, note))
    return findings


def write_docs(graph: rdflib.Graph, target: Path) -> list[Finding]:
    """Write the HTML documentation of the ontology."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(onto.render_html(graph), encoding="utf-8")
    except OSError as error:
        return [Finding("docs", "error", str(target), f"cannot write the documentation: {error}")]
    return [Finding("docs", "info", str(target), "wrote the ontology documentation")]


def compact(iri: str) -> str:
    """``claim:3f2a`` for a full IRI of a known namespace; other text unchanged.

    >>> compact("https://w3id.org/sahel-kg/id/kidal")
    'id:kidal'
    """
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _display(focus: str) -> str:
    """A focus as shown: IRIs compacted, paths under the working folder made relative."""
    path = Path(focus)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return focus
    return compact(focus)


def report_lines(report: ValidationReport, *, max_per_check: int | None = 25) -> list[str]:
    """Human-readable lines: the findings of each check (at most ``max_per_check``), a verdict."""
    lines: list[str] = []
    for check in CHECKS:
        findings = [f for f in report.findings if f.check == check]
        kept = findings if max_per_check is None else findings[:max_per_check]
        for finding in kept:
            focus = f"{_display(finding.focus)}: " if finding.focus else ""
            lines.append(f"{finding.severity:<7} {check:<11} {focus}{finding.message}")
        if len(kept) < len(findings):
            lines.append(f"{'':<7} {check:<11} ... and {len(findings) - len(kept)} more")
    errors, warnings = len(report.errors), len(report.warnings)
    verdict = "OK" if report.ok else "FAILED"
    lines.append(f"{verdict}: {errors} error{'s' * (errors != 1)}, "
                 f"{warnings} warning{'s' * (warnings != 1)}")  # fmt: skip
    return lines
