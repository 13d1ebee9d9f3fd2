"""The commands README.md and docs/ give to regenerate committed files reproduce them byte for byte."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tcpverify.spec.cli import main

ROOT = Path(__file__).parents[2]


def regenerating_commands() -> list[list[str]]:
    """Every `tcpverify ... --write-expect FILE` in the code blocks of the pages, as argv."""
    text = "".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    blocks = re.findall(r"^ *```\n(.*?)^ *```", text, re.M | re.S)
    commands = [shlex.split(line) for block in blocks for line in block.replace("\\\n", " ").splitlines()
                if line.strip().startswith("tcpverify ") and "--write-expect" in line]
    return commands


def test_the_docs_have_the_command_that_writes_the_expected_verdicts():
    assert [c[c.index("--write-expect") + 1] for c in regenerating_commands()] == \
        ["tests/data/expected-verdicts.tsv"]


@pytest.mark.slow
@pytest.mark.parametrize("argv", regenerating_commands(), ids=lambda a: a[a.index("--write-expect") + 1])
def test_the_readme_command_reproduces_the_committed_file(tmp_path, capsys, argv):
    committed = ROOT / argv[argv.index("--write-expect") + 1]
    argv = [str(tmp_path / "out") if a == str(committed.relative_to(ROOT)) else a for a in argv[1:]]
    assert main(argv + ["--reports", str(tmp_path / "reports"), "--quiet"]) == 0
    assert (tmp_path / "out").read_bytes() == committed.read_bytes()
