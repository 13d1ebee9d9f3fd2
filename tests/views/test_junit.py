"""verify --junit: the XML validates against the JUnit schema and carries what the checker found."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from ci_suites import use_small_suite

from tcpverify.spec.cli import main
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.teaching.narrator import narrate_verdict
from tcpverify.spec.views.render import format_trace
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.properties import PROPERTY_NAMES

SCHEMA = xmlschema.XMLSchema(Path(__file__).parents[1] / "data" / "junit.xsd")


def junit(tmp_path, *args) -> tuple[int, ET.Element]:
    out = tmp_path / "junit.xml"
    code = main(["verify", "--quiet", "--reports", str(tmp_path / "reports"), "--junit", str(out),
                 *args])
    SCHEMA.validate(str(out))
    return code, ET.parse(out).getroot()


@pytest.mark.slow  # (the fast tier stays under 90 s; the whole suite runs it)
def test_one_testcase_per_run_and_property_with_failures_and_skips(tmp_path, monkeypatch, capsys):
    use_small_suite(monkeypatch)
    code, root = junit(tmp_path, "--variant", "no-time-wait:loss 1")
    assert code == 1
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert sorted(suites) == ["abort | loss 0", "abort | loss 1", "abort | loss 1 | no-time-wait",
                              "normal | loss 0", "normal | loss 1", "normal | loss 1 | no-time-wait"]
    cases = root.findall("testsuite/testcase")
    assert root.get("tests") == str(len(cases)) == str(6 * len(PROPERTY_NAMES))
    failures = [c for c in cases if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failures] == \
        [("normal | loss 1 | no-time-wait", "graceful")]
    assert root.get("failures") == "1" and suites["normal | loss 1 | no-time-wait"].get("failures") == "1"
    o = check_scenario(SCENARIOS["normal"], Config(loss=1), VARIANTS["no-time-wait"])
    v = o.verdict("graceful")
    fail = failures[0].find("failure")
    assert fail.get("message") == f"{v.message} (counterexample of {v.length} steps)"
    assert fail.text == f"Counterexample for graceful: {v.message}\n{format_trace(narrate_verdict(o, v))}\n"
    skipped = [(c.get("classname"), c.get("name")) for c in cases if c.find("skipped") is not None]
    assert ("abort | loss 0", "graceful") in skipped and ("normal | loss 0", "blind-reset-resistance") in skipped
    assert int(root.find("testsuite[@name='abort | loss 0']").get("skipped")) == \
        len([s for s in skipped if s[0] == "abort | loss 0"])


def test_an_incomplete_search_is_an_error(tmp_path, monkeypatch, capsys):
    use_small_suite(monkeypatch)
    code, root = junit(tmp_path, "--max-states", "5")
    assert code == 3
    errors = root.findall("testsuite/testcase/error")
    assert errors and all(e.get("message") == "state limit 5 reached" for e in errors)
    assert root.get("errors") == str(len(errors)) and root.get("failures") == "0"
