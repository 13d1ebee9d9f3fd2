"""JUnit XML for CI: one testsuite per run, one testcase per property.

A violated property is a <failure> carrying its counterexample, an incomplete one an
<error>, a property whose assumptions do not hold in the run (n/a) <skipped>, and a vacuous
one (nothing it speaks of reached) <skipped type="VACUOUS">.
The format is the one Jenkins reads (its xunit plugin's junit-10.xsd).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tcpverify.checker.status import Status

from .render import format_trace
from .steps import Told


def run_name(o) -> str:
    return " | ".join(k for k in o.key if k != "-")


def _testcase(o, prop: str, told: dict[tuple, Told]) -> ET.Element:
    case = ET.Element("testcase", name=prop, classname=run_name(o))
    if prop in o.skipped:
        ET.SubElement(case, "skipped", message=f"n/a: {o.skipped[prop]}")
        return case
    v = o.verdict(prop)
    if v.status == Status.VIOLATED:
        fail = ET.SubElement(case, "failure", type=Status.VIOLATED,
                             message=f"{v.message} (counterexample of {v.length} steps)")
        fail.text = f"Counterexample for {prop}: {v.message}\n{format_trace(told[o.key, prop])}\n"
    elif v.status == Status.INCOMPLETE:
        ET.SubElement(case, "error", type=Status.INCOMPLETE, message=v.message)
    elif v.status == Status.VACUOUS:  # checked, but it proved nothing: not a pass
        ET.SubElement(case, "skipped", type=Status.VACUOUS, message=f"{Status.VACUOUS}: {v.message}")
    return case


def junit_xml(outcomes, told: dict[tuple, Told]) -> str:
    """`told`: each violated property's counterexample, by (run key, property)."""
    root = ET.Element("testsuites", name="tcpverify")
    totals = dict.fromkeys(("tests", "failures", "errors"), 0)
    seconds = 0.0
    for o in outcomes:
        cases = [_testcase(o, p, told) for p in [v.property for v in o.result.verdicts] + sorted(o.skipped)]
        count = {"tests": len(cases),
                 "failures": sum(c.find("failure") is not None for c in cases),
                 "errors": sum(c.find("error") is not None for c in cases),
                 "skipped": sum(c.find("skipped") is not None for c in cases)}
        stats = o.result.exploration.stats
        suite = ET.SubElement(root, "testsuite", name=run_name(o),
                              time=f"{stats.seconds:.3f}", **{k: str(n) for k, n in count.items()})
        props = ET.SubElement(suite, "properties")
        for name, value in (("assumptions", o.config.assumptions()), ("states", stats.states),
                            ("transitions", stats.transitions), ("depth", stats.depth)):
            ET.SubElement(props, "property", name=name, value=str(value))
        suite.extend(cases)
        for k in totals:
            totals[k] += count[k]
        seconds += stats.seconds
    root.attrib.update({k: str(n) for k, n in totals.items()}, time=f"{seconds:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
