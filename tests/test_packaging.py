"""The project as a package: its metadata and licence, what the sdist and the wheel hold, text
files as UTF-8 whatever the locale, POSIX-only modules guarded."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tarfile
from importlib.metadata import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SOURCES = [p for d in ("spec", "checker", "tcpverify", "benchmarks", "tests")
           for p in (ROOT / d).rglob("*.py")]


def test_licence_classifiers_and_version():
    m = metadata("tcpverify")
    # PEP 639: an SPDX expression and the file, no licence classifier (setuptools refuses a
    # licence table from February 2027)
    assert m["License-Expression"] == "MIT" and "LICENSE" in m.get_all("License-File")
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert not any(c.startswith("License ::") for c in m.get_all("Classifier"))
    assert any(c.startswith("Topic :: System :: Networking") for c in m.get_all("Classifier"))


def text_io_without_encoding(source: str) -> list[int]:
    """Lines that read or write a text file without naming its encoding (the locale's then):
    read_text, write_text, open() and os.fdopen() in a text mode, path.open() given a text mode."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or any(k.arg == "encoding" for k in node.keywords):
            continue
        f = node.func
        modes = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        modes += [k.value.value for k in node.keywords
                  if k.arg == "mode" and isinstance(k.value, ast.Constant)]
        text = not any("b" in m for m in modes)
        if isinstance(f, ast.Attribute) and f.attr in ("read_text", "write_text") \
                or isinstance(f, ast.Name) and f.id == "open" and text \
                or isinstance(f, ast.Attribute) and f.attr == "fdopen" and text \
                or isinstance(f, ast.Attribute) and f.attr == "open" and modes and text:
            lines.append(node.lineno)
    return lines


def test_every_text_file_is_read_and_written_as_utf8():
    found = {f"{p.relative_to(ROOT)}:{n}" for p in SOURCES
             for n in text_io_without_encoding(p.read_text(encoding="utf-8"))}
    assert found == set()


def test_the_check_for_an_encoding_finds_each_form():
    assert text_io_without_encoding("p.write_text(s)\np.read_text()\nopen(f)\nopen(f, 'w')\n"
                                    "os.fdopen(fd, 'w')\np.open('a')\n") == [1, 2, 3, 4, 5, 6]
    assert text_io_without_encoding("open(f, 'rb')\nos.open(f, 1)\np.read_text(encoding='utf-8')\n"
                                    "tarfile.open(f)\np.open('wb')\n") == []


def test_the_command_runs_where_resource_is_missing():
    """resource is POSIX only: on Windows the import fails, and peak memory is then unknown."""
    script = ("import sys; sys.modules['resource'] = None\n"
              "from tcpverify.spec.cli import main\n"
              "sys.exit(main(['check', 'normal', '--json']))")
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["status"] == "VERIFIED"


def git_files() -> set[str]:
    p = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        pytest.skip("not a git checkout (an unpacked sdist, say)")
    return {f for f in p.stdout.splitlines() if (ROOT / f).exists()}


@pytest.mark.slow
def test_the_sdist_holds_every_tracked_file_and_a_build_the_package_data(tmp_path):
    build = "import sys\nfrom setuptools import build_meta as b\nprint(b.build_sdist(sys.argv[1]))"
    p = subprocess.run([sys.executable, "-c", build, str(tmp_path)], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    with tarfile.open(tmp_path / p.stdout.split()[-1]) as t:
        in_sdist = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    assert git_files() - in_sdist == set()
    # what a wheel holds: the packages as build_py lays them out, package data included
    subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "-d",
                    str(tmp_path / "lib")], cwd=ROOT, check=True, capture_output=True, timeout=600)
    built = {p.relative_to(tmp_path / "lib").as_posix() for p in (tmp_path / "lib").rglob("*")}
    for data in ("cli/schemas", "views/templates"):
        files = {f"tcpverify/spec/{data}/{p.name}" for p in (ROOT / "spec" / data).iterdir() if p.is_file()}
        assert files and files <= built
    assert {"tcpverify/__main__.py", "tcpverify/checker/resources.py", "tcpverify/spec/cli/__init__.py"} <= built
