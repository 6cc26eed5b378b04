"""Tests for kg/validate.py: every check on real files, real HermiT, real pyshacl."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import ontology as onto
from kg.validate import (
    CHECKS, DOCS_FILE, Finding, ValidationReport, compact, report_lines, validate,
)  # fmt: skip

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data" / "validate" / "kg.trig"
CONTROL = "https://w3id.org/sahel-kg/claim/control1"


def make_build(folder: Path, trig: str | None = None) -> Path:
    """A build folder holding the sample kg.trig (or the given TriG text)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SAMPLE.read_text(encoding="utf-8") if trig is None else trig
    (folder / "kg.trig").write_text(text, encoding="utf-8")
    return folder


def copy_ontology(folder: Path, *, registry: str | None = None) -> Path:
    """A private copy of ontology/ (sahel.ttl, shapes.ttl) with an optional registry."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("sahel.ttl", "shapes.ttl"):
        shutil.copy(onto.ontology_file().parent / name, folder / name)
    if registry is not None:
        (folder / "registry.ttl").write_text(registry, encoding="utf-8")
    return folder


def of(report: ValidationReport, check: str, severity: str = "error") -> list[Finding]:
    return [f for f in report.findings if f.check == check and f.severity == severity]


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> tuple[ValidationReport, Path]:
    """One run of every check, HermiT included, on the shipped ontology and the sample build."""
    build = make_build(tmp_path_factory.mktemp("full") / "build")
    return validate(build, reason=True), build


def test_full_run_is_ok_and_runs_every_check(full: tuple[ValidationReport, Path]) -> None:
    report, _ = full
    assert report.ok, report_lines(report)
    assert report.errors == () and report.warnings == ()
    assert [c for c in CHECKS if not of(report, c, "info")] == []


def test_reasoner_includes_the_registry_when_present(full: tuple[ValidationReport, Path]) -> None:
    report, _ = full
    (note,) = [f for f in of(report, "reasoner", "info") if "sahel.ttl" in f.message]
    has_registry = onto.registry_file().is_file()
    assert ("sahel.ttl + registry.ttl consistent" in note.message) == has_registry
    assert note.message.startswith("HermiT: sahel.ttl")


def test_full_run_writes_the_docs(full: tuple[ValidationReport, Path]) -> None:
    report, build = full
    page = (build / DOCS_FILE).read_text(encoding="utf-8")
    assert "<title>Sahel KG ontology</title>" in page
    assert "frappe de drone" in page
    assert of(report, "docs", "info")[0].focus == str(build / DOCS_FILE)


def test_report_lines_end_with_the_verdict(full: tuple[ValidationReport, Path]) -> None:
    lines = report_lines(full[0])
    assert lines[-1] == "OK: 0 errors, 0 warnings"
    assert any(line.startswith("info    shacl       ") and "conforms" in line for line in lines)


def test_no_build_folder_skips_shacl(tmp_path: Path) -> None:
    report = validate(None, reason=False, ontology_dir=copy_ontology(tmp_path / "ontology"))
    assert report.ok
    assert of(report, "shacl", "info")[0].message == "skipped: no build folder"
    assert of(report, "reasoner", "info")[0].message == "skipped (reasoning turned off)"


def test_build_folder_without_build_skips_shacl_but_writes_docs(tmp_path: Path) -> None:
    report = validate(tmp_path, reason=False)
    assert report.ok
    assert "skipped: no build here" in of(report, "shacl", "info")[0].message
    assert (tmp_path / DOCS_FILE).is_file()


def test_docs_are_byte_identical_across_runs(tmp_path: Path) -> None:
    validate(make_build(tmp_path / "a"), reason=False)
    validate(make_build(tmp_path / "b"), reason=False)
    assert (tmp_path / "a" / DOCS_FILE).read_bytes() == (tmp_path / "b" / DOCS_FILE).read_bytes()


def test_shacl_violation_fails_the_report(tmp_path: Path) -> None:
    trig = SAMPLE.read_text(encoding="utf-8").replace(
        "        sk:hasEvidence <https://w3id.org/sahel-kg/claim/control1/evidence> .", "        ."
    )
    report = validate(make_build(tmp_path / "build", trig), reason=False)
    assert not report.ok
    assert of(report, "shacl") == [
        Finding("shacl", "error", CONTROL, "A claim has exactly one sk:hasEvidence annotation.")
    ]
    lines = report_lines(report)
    expected = "claim:control1: A claim has exactly one sk:hasEvidence annotation."
    assert f"error   shacl       {expected}" in lines
    assert lines[-1] == "FAILED: 1 error, 0 warnings"


def test_shacl_warning_keeps_the_report_ok(tmp_path: Path) -> None:
    trig = SAMPLE.read_text(encoding="utf-8").replace("dcterms:publisher id:france-24 ;", "")
    report = validate(make_build(tmp_path / "build", trig), reason=False)
    assert report.ok
    assert [f.message for f in of(report, "shacl", "warning")] == [
        "An article should name its publisher (dcterms:publisher)."
    ]
    assert report_lines(report)[-1] == "OK: 0 errors, 1 warning"


def test_blank_nodes_in_data_graphs_are_errors(tmp_path: Path) -> None:
    trig = SAMPLE.read_text(encoding="utf-8").replace(
        "sk:victims \"civilians\" ;", "sk:victims \"civilians\" ; sk:aboutEvent [ a sk:Battle ] ;"
    )
    report = validate(make_build(tmp_path / "build", trig), reason=False)
    (finding,) = of(report, "blank-nodes")
    assert finding.focus == "https://w3id.org/sahel-kg/graph/doc/002_50c56f432d7d8496"
    assert finding.message == "2 triples with blank nodes; mint IRIs instead"


def test_broken_trig_is_reported(tmp_path: Path) -> None:
    report = validate(make_build(tmp_path / "build", "<a> <b> ."), reason=False)
    (finding,) = of(report, "shacl")
    assert "not valid TriG" in finding.message


def test_ontology_that_does_not_parse(tmp_path: Path) -> None:
    folder = copy_ontology(tmp_path / "ontology")
    (folder / "sahel.ttl").write_text("@prefix sk: <x> .\nsk:a sk:b", encoding="utf-8")
    report = validate(None, reason=True, ontology_dir=folder)
    messages = [f.message for f in of(report, "parse")]
    assert sorted(m.split(":")[0] for m in messages) == ["pyoxigraph", "rdflib"]
    assert of(report, "terms")[0].message == "skipped: the ontology does not parse"
    assert not of(report, "reasoner", "info")  # HermiT never ran


def test_missing_label_and_unknown_term_are_reported(tmp_path: Path) -> None:
    folder = copy_ontology(tmp_path / "ontology")
    text = (folder / "sahel.ttl").read_text(encoding="utf-8")
    text = text.replace('rdfs:label "military junta"@en, "junte militaire"@fr ;',
                        'rdfs:label "military junta"@en ;')  # fmt: skip
    text += '\nsk:Foo a owl:Class ; rdfs:label "foo"@en, "foo"@fr ;\n'
    text += '    skos:definition "Foo."@en, "Foo."@fr .\n'
    (folder / "sahel.ttl").write_text(text, encoding="utf-8")
    report = validate(None, reason=False, ontology_dir=folder)
    sk = "https://w3id.org/sahel-kg/ontology#"
    assert of(report, "terms") == [
        Finding("terms", "error", sk + "Foo",
                f"declared in {folder / 'sahel.ttl'} but missing from kg/vocab.py"),
        Finding("terms", "error", sk + "Junta", "has no rdfs:label@fr"),
    ]  # fmt: skip


def test_inconsistent_registry_fails_the_reasoner(tmp_path: Path) -> None:
    registry = (
        "@prefix sk: <https://w3id.org/sahel-kg/ontology#> .\n"
        "@prefix id: <https://w3id.org/sahel-kg/id/> .\n"
        "id:kidal a sk:Settlement, sk:Battle .\n"
    )
    folder = copy_ontology(tmp_path / "o", registry=registry)
    report = validate(None, reason=True, ontology_dir=folder)
    (finding,) = of(report, "reasoner")
    assert finding.message.startswith("HermiT: sahel.ttl + registry.ttl inconsistent")
    assert not report.ok


def test_report_lines_cap_each_check() -> None:
    findings = tuple(Finding("shacl", "error", f"urn:x:{i}", "bad") for i in range(5))
    lines = report_lines(ValidationReport(findings), max_per_check=2)
    assert lines == [
        "error   shacl       urn:x:0: bad",
        "error   shacl       urn:x:1: bad",
        "        shacl       ... and 3 more",
        "FAILED: 5 errors, 0 warnings",
    ]


def test_compact_uses_the_project_prefixes() -> None:
    assert compact("https://w3id.org/sahel-kg/claim/abc") == "claim:abc"
    assert compact("https://w3id.org/sahel-kg/ontology#Junta") == "sk:Junta"
    assert compact("urn:other") == "urn:other"
