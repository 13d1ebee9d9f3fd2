"""The layering DESIGN.md asks for: the wings of spec/ import one way, checker/ knows nothing
of spec/ or of TCP. Every import is read with `ast`: plain and from-imports, relative ones
resolved against their package, and imports inside functions."""

import ast
from pathlib import Path

import pytest

import tcpverify.checker
import tcpverify.spec

CHECKER = Path(tcpverify.checker.__file__).parent
SPEC = Path(tcpverify.spec.__file__).parent

# What each wing may import, besides itself (the layout of DESIGN.md and the README's code map).
ALLOWED = {
    "checker": set(),
    "spec.tcp": set(),
    "spec.world": {"checker", "spec.tcp"},
    "spec.suite": {"checker", "spec.tcp", "spec.world"},
    "spec.proofs": {"checker", "spec.tcp", "spec.world", "spec.suite"},
    "spec.conformance": {"checker", "spec.tcp", "spec.world", "spec.suite"},
    "spec.views": {"checker", "spec.tcp", "spec.world"},
    "spec.teaching": {"checker", "spec.tcp", "spec.world", "spec.suite", "spec.proofs", "spec.views"},
    "spec.reports": {"checker", "spec.tcp", "spec.world", "spec.suite", "spec.proofs", "spec.views",
                     "spec.teaching", "spec.conformance"},
    "spec.cli": {"checker", "spec.tcp", "spec.world", "spec.suite", "spec.proofs", "spec.conformance",
                 "spec.views", "spec.teaching", "spec.reports"},
}


def module_name(path: Path) -> str:
    """The dotted name of a source file, under tcpverify."""
    root = CHECKER if path.is_relative_to(CHECKER) else SPEC
    parts = [root.name] + list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return "tcpverify." + ".".join(parts)


def imports(source: str, name: str, is_package: bool = False) -> set[str]:
    """Every module of tcpverify that module `name` imports, as absolute dotted names."""
    package = name if is_package else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # `from package import module` imports the module too
            out.add(module)
            out.update(f"{module}.{a.name}" for a in node.names)
    return {m for m in out if m == "tcpverify" or m.startswith("tcpverify.")}


def wing(module: str) -> str | None:
    """checker, spec.WING, or None for a name that is no wing (tcpverify, tcpverify.spec)."""
    parts = module.split(".")[1:]
    if parts[:1] == ["checker"]:
        return "checker"
    if parts[:1] == ["spec"] and len(parts) > 1:
        return f"spec.{parts[1]}" if f"spec.{parts[1]}" in ALLOWED else None
    return None


def violations(source: str, name: str, is_package: bool = False) -> set[str]:
    """The imports of module `name` that the allow-list forbids."""
    me = wing(name)
    return {m for m in imports(source, name, is_package)
            if m in ("tcpverify", "tcpverify.spec") or wing(m) not in (me, None, *ALLOWED[me])}


def test_every_module_lives_in_a_wing():
    loose = [p.name for p in SPEC.glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    assert {f"spec.{p.name}" for p in SPEC.iterdir() if (p / "__init__.py").exists()} \
        == {w for w in ALLOWED if w.startswith("spec.")}


def test_imports_follow_the_allow_list():
    offenders = {(module_name(p), m)
                 for p in sorted(CHECKER.rglob("*.py")) + sorted(SPEC.rglob("*.py"))
                 for m in violations(p.read_text(encoding="utf-8"), module_name(p), p.name == "__init__.py")}
    assert offenders == set()


@pytest.mark.parametrize("source", [
    "from tcpverify import spec", "import tcpverify.spec.tcp.seq", "from ..spec.tcp import seq",
    "from .. import spec", "import tcpverify", "def f():\n    from tcpverify.spec.world import system\n"])
def test_every_form_of_importing_spec_from_checker_is_caught(source):
    assert violations(source, "tcpverify.checker.explore")


@pytest.mark.parametrize("name, source", [
    ("tcpverify.spec.tcp.rules", "from ..world import system"),
    ("tcpverify.spec.world.system", "from ..suite.run import check_scenario"),
    ("tcpverify.spec.views.render", "from tcpverify.spec.teaching.messages import say"),
    ("tcpverify.spec.proofs.bmc", "def f():\n    from ..cli import options\n"),
])
def test_an_import_against_the_direction_is_caught(name, source):
    assert violations(source, name)


def test_checker_source_does_not_speak_tcp():
    words = ("SYN", "FIN", "ESTABLISHED", "TIME-WAIT", "Segment", "Tcb")
    found = {(p.name, w) for p in CHECKER.rglob("*.py") for w in words if w in p.read_text(encoding="utf-8")}
    assert found == set()
