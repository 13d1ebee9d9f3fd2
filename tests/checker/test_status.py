"""The status words: one enumeration, printed and serialized as the bare word."""

import ast
import json
from pathlib import Path

import tcpverify.checker
import tcpverify.spec
from tcpverify.checker.status import Expect, Status


def test_a_status_prints_and_serializes_as_its_word():
    s = Status.INCOMPLETE
    assert (str(s), f"{s}", f"{s:12}|", "%s" % s) == ("INCOMPLETE", "INCOMPLETE", "INCOMPLETE  |", "INCOMPLETE")
    assert json.dumps({"status": s, s: 1}) == '{"status": "INCOMPLETE", "INCOMPLETE": 1}'
    assert s == "INCOMPLETE" and {"INCOMPLETE": 3}[s] == 3
    assert f"{Expect.FAILS}" == "fails"


def test_no_module_writes_a_status_word_as_a_string_literal():
    words = {s.value for s in Status}
    roots = (Path(tcpverify.checker.__file__).parent, Path(tcpverify.spec.__file__).parent)
    found = {(p.name, node.value) for root in roots for p in root.rglob("*.py") if p.name != "status.py"
             for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(node, ast.Constant) and node.value in words}
    assert found == set()
