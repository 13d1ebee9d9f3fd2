"""Every JSON document tcpverify prints or writes validates against the JSON Schema it ships
(spec/cli/schemas, printed by `tcpverify schema NAME`, listed in docs/json.md), and every
schema is exercised here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from tcpverify.spec.cli import main
from tcpverify.spec.cli.schema import SUFFIX, schemas

ROOT = Path(__file__).parents[2]
CAPTURES = ROOT / "tests" / "data" / "captures"
SCHEMAS = schemas()
# The schemas refer to each other by file name.
REGISTRY = Registry().with_resources((name + SUFFIX, Resource.from_contents(s))
                                     for name, s in SCHEMAS.items())


def validate(doc, name: str) -> None:
    jsonschema.validators.validator_for(SCHEMAS[name])(SCHEMAS[name], registry=REGISTRY).validate(doc)


def printed(capsys, *argv) -> dict:
    main(list(argv))
    return json.loads(capsys.readouterr().out)


def test_every_schema_is_a_valid_draft_2020_12_schema():
    for schema in SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("argv", [
    ["normal", "--loss", "1"],  # verified, losses explored, an n/a property
    ["normal", "--loss", "1", "--variant", "no-time-wait"],  # a finite counterexample
    # a lasso
    ["simultaneous-close", "--loss", "inf", "--retries", "inf", "--variant", "no-simultaneous-close"],
    ["normal", "--loss", "1", "--max-states", "10"],  # a limit hit
])
def test_check_json(capsys, argv):
    validate(printed(capsys, "check", *argv, "--json"), "verification")


def test_the_committed_verification_report_is_verify_jsons_document():
    validate(json.loads((ROOT / "reports" / "verification.json").read_text(encoding="utf-8")), "verification")


@pytest.mark.slow  # (the fast tier stays under 90 s; the whole suite runs it)
def test_prove_json_with_unknown_answers(capsys):
    doc = printed(capsys, "prove", "--json", "--timeout", "0.001")  # fast; Z3 gives up on some
    validate(doc, "proofs")


@pytest.mark.slow  # BMC unrolls Z3 terms for seconds
def test_bmc_json(capsys):
    validate(printed(capsys, "bmc", "normal", "--depth", "3", "--json"), "bmc")


@pytest.mark.parametrize("capture", ["normal-close.pcap", "doctored/lost-fin--ack-off-by-one.pcap"])
def test_replay_json_conforming_and_deviating(capsys, capture):
    doc = printed(capsys, "replay", str(CAPTURES / capture), "--json")
    validate(doc, "replay")
    assert doc["status"] == ("CONFORMS" if "doctored" not in capture else "DEVIATES")


def test_graph_json(capsys):
    validate(printed(capsys, "graph", "--format", "json"), "graph")


def test_a_document_with_a_field_the_schema_lacks_is_refused(capsys):
    doc = printed(capsys, "check", "normal", "--json")
    doc["runs"][0]["properties"][0]["new_field"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validate(doc, "verification")


def test_tcpverify_schema_prints_each_one(capsys):
    for name, schema in SCHEMAS.items():
        assert printed(capsys, "schema", name) == schema


def test_every_schema_is_validated_here_and_named_in_the_docs():
    assert set(re.findall(r'validate\(.*, "(\w+)"\)$', Path(__file__).read_text(encoding="utf-8"), re.M)) \
        == set(SCHEMAS)
    page = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    assert {n for n in SCHEMAS if f"`tcpverify schema {n}`" not in page} == set()
