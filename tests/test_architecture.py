"""The layering DESIGN.md asks for: checker/ knows nothing of spec/ or of TCP."""

import ast
from pathlib import Path

import tcpverify.checker

CHECKER = Path(tcpverify.checker.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add("." * node.level + node.module)
    return out


def test_checker_never_imports_spec():
    offenders = {p.name: sorted(m for m in imported_modules(p) if "spec" in m)
                 for p in sorted(CHECKER.glob("*.py"))}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_checker_source_does_not_speak_tcp():
    words = ("SYN", "FIN", "ESTABLISHED", "TIME-WAIT", "Segment", "Tcb")
    found = {(p.name, w) for p in CHECKER.glob("*.py") for w in words if w in p.read_text()}
    assert found == set()
