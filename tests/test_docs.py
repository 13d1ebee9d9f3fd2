"""README.md and docs/ cannot fall behind the tool: the command table names every command,
option, positional argument and choice the parser has, and nothing it lacks; every
`$ tcpverify ...` example of README.md and docs/*.md prints what the tool prints; every
relative link, every path, every `tcpverify.` module and every `NAME` in `FILE` they name
exists."""

import argparse
import importlib
import re
import shlex
from pathlib import Path

import pytest

from tcpverify.spec.cli import main, parser

from tiers import sampled

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
RUN_OPTIONS = "[run options]"  # a command row's stand-in for the rows of the run-option table
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")


def commands_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Commands\n")
    return text[start:text.index("\n## ", start + 1)]


def rows() -> tuple[dict[str, str], str]:
    """The command table's rows by command name, and the run-option table's rows, as text
    (a cell's escaped `\\|` read as `|`)."""
    commands, run_options = {}, []
    for line in commands_section().splitlines():
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if not cells or not cells[0].startswith("`"):
            continue
        if cells[0].startswith("`tcpverify "):
            commands[cells[0].strip("`").split()[1]] = " ".join(cells)
        elif cells[0].startswith("`-"):
            run_options.append(cells[0])
    return commands, " ".join(run_options)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def words(p: argparse.ArgumentParser) -> set[str]:
    """What a command's row must show: each option string but help, each positional argument
    as its metavar (or its name in capitals), each set of choices as a|b|c."""
    out = set()
    for a in p._actions:
        if isinstance(a, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        out.update(a.option_strings or [a.metavar or a.dest.upper()])
        if a.choices:
            out.add("|".join(a.choices))
    return out


def shown(word: str, text: str) -> bool:
    if word.startswith("-"):
        return word in OPTION.findall(text)
    if "|" in word:
        return word in text
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_every_command_and_option_is_in_the_command_table():
    commands, run_options = rows()
    assert set(commands) == set(subcommands())
    missing = set()
    for name, p in subcommands().items():
        row = commands[name] + (run_options if RUN_OPTIONS in commands[name] else "")
        missing |= {(name, w) for w in words(p) if not shown(w, row)}
    # options of tcpverify itself (--version): anywhere in the section
    missing |= {("tcpverify", w) for w in words(parser()) if not shown(w, commands_section())}
    assert missing == set()


def test_the_command_table_names_no_option_a_command_lacks():
    commands, run_options = rows()
    extra = set()
    for name, p in subcommands().items():
        has = {o for a in p._actions for o in a.option_strings}
        extra |= {(name, o) for o in OPTION.findall(commands[name]) if o not in has}
        if RUN_OPTIONS in commands[name]:
            extra |= {(name, o) for o in OPTION.findall(run_options) if o not in has}
    assert extra == set()


def test_the_tables_are_read():
    """The two checks above see what a reader sees: a row per command, the run options used."""
    commands, run_options = rows()
    assert "check" in commands and RUN_OPTIONS in commands["check"] and "--loss" in run_options
    assert not shown("--variant", "--variant-file FILE") and shown("en|zh", "`--lang en|zh`")


def examples(page: Path) -> list[tuple[list[str], list[str]]]:
    """A page's `$ tcpverify ...` blocks: the arguments and the lines shown."""
    found = re.findall(r"```\n\$ tcpverify (.*?)\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    return [(shlex.split(args), out.splitlines()) for args, out in found]


def follows(shown_lines: list[str], printed: list[str]) -> list[str]:
    """The shown lines not found, in order, among the printed ones: `...` skips lines, and a
    line that ends in `...` shows only the start of one."""
    lines = iter(printed)
    unmatched = []
    for want in shown_lines:
        if want.strip() == "...":
            continue
        prefix = want[:-3] if want.endswith("...") else None
        if not any(line.startswith(prefix) if prefix is not None else line == want for line in lines):
            unmatched.append(want)
            lines = iter(printed)
    return unmatched


def test_the_readme_has_worked_examples():
    assert len(examples(README)) >= 2


# The README's examples run in the fast tier; the docs' (Z3 proofs, BMC, the audit) are slow.
EXAMPLES = sampled([(page, args, shown) for page in PAGES for args, shown in examples(page)],
                   lambda case: case[0] == README, name=lambda case: f"{case[0].name}: {' '.join(case[1])}")


@pytest.mark.parametrize("page, args, expected", EXAMPLES)
def test_a_worked_example_prints_what_the_tool_prints(capsys, monkeypatch, tmp_path, page, args, expected):
    monkeypatch.chdir(tmp_path)  # where the audit writes reports/, and a page's variant file is read
    for name, code in re.findall(r"`(\w+\.py)`:\n\n```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
        (tmp_path / name).write_text(code, encoding="utf-8")
    main(args)
    assert follows(expected, capsys.readouterr().out.splitlines()) == []


def test_an_example_that_drifted_is_caught():
    printed = ["scenario normal: VERIFIED", "  67 states, 96 transitions, 0.01 s", "  VERIFIED   graceful"]
    assert follows(["scenario normal: VERIFIED", "  67 states, ...", "...", "  VERIFIED   graceful"], printed) == []
    assert follows(["  68 states, ..."], printed) == ["  68 states, ..."]
    assert follows(["  VERIFIED   graceful", "scenario normal: VERIFIED"], printed) == ["scenario normal: VERIFIED"]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(line.lstrip("#")) for line in page.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")}


def broken_links(page: Path) -> list[str]:
    out = []
    for target in re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        file = (page.parent / path) if path else page
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in anchors(file)):
            out.append(target)
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_points_at_a_file_that_exists(page):
    assert broken_links(page) == []


def test_a_broken_link_is_caught(tmp_path):
    (tmp_path / "a.md").write_text("# A page\n[ok](a.md#a-page) [gone](b.md) [no anchor](a.md#b)\n", encoding="utf-8")
    assert broken_links(tmp_path / "a.md") == ["b.md", "a.md#b"]


def resolves(dotted: str) -> bool:
    """A module of tcpverify, or an attribute of one."""
    parts = dotted.split(".")
    for i in range(len(parts), 1, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for a in parts[i:]:
            obj = getattr(obj, a, None)
        return obj is not None
    return False


NAMED_IN = re.compile(r"`([\w.]+)` in `((?:spec|checker)/[\w/]+\.py)`")  # `REPORTS` in `spec/reports/build.py`


def defines(file: Path, name: str) -> bool:
    source = file.read_text(encoding="utf-8") if file.exists() else ""
    return re.search(rf"^\s*(?:def|class)\s+{name}\b|^\s*{name}\s*[:=]", source, re.M) is not None


def test_a_name_a_module_no_longer_defines_is_caught():
    assert defines(ROOT / "spec/reports/build.py", "REPORTS") and defines(ROOT / "checker/reach.py", "path_through")
    assert not defines(ROOT / "spec/views/render.py", "trace_steps")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_path_and_module_named_exists(page):
    text = page.read_text(encoding="utf-8")
    paths = re.findall(r"(?<![\w./-])((?:spec|checker|tests|benchmarks|reports|docs|\.ci)/[\w./-]*)", text)
    modules = re.findall(r"tcpverify(?:\.\w+)+", text)
    assert [p for p in paths if not (ROOT / p.rstrip(".")).exists()] == []
    assert [m for m in modules if not resolves(m)] == []
    assert [(n, f) for n, f in NAMED_IN.findall(text) if not defines(ROOT / f, n.rsplit(".", 1)[-1])] == []
    assert paths  # the pages name code: a check that finds nothing checks nothing
