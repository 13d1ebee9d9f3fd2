"""Bad input to every command and every file it reads or writes: exit 2, one line on stderr
naming the input, nothing on stdout, no traceback, and no run started (the inputs are checked
before any search or proof)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import z3

from tcpverify.spec.cli import main
from tcpverify.spec.world.system import TcpSystem

CAPTURE = str(Path(__file__).parents[1] / "data" / "captures" / "normal-close.pcap")
NOT_WRITABLE = "/sys/tcpverify-test"  # sysfs refuses new files, to root too

# Placeholders a case's arguments may hold, made in a temporary folder by materialize().
DIR, FILE, BINARY, NO_HEADER, EXIT5, SYNTAX = "<dir>", "<file>", "<binary>", "<no-header>", "<exit5>", \
    "<syntax>"

CASES = [
    # no command, an unknown one
    ([], "the following arguments are required: command"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    # check: the run options every run command shares
    (["check"], "the following arguments are required: scenario"),
    (["check", "nosuch"], "unknown scenario 'nosuch'"),
    (["check", "normal", "--bogus"], "unrecognized arguments: --bogus"),
    (["check", "normal", "--variant", "nosuch"], "unknown variant 'nosuch'"),
    (["check", "normal", "--loss", "one"], "'one' is not a whole number or 'inf'"),
    (["check", "normal", "--loss", "-1"], "'-1' is negative"),
    (["check", "normal", "--retries", "2.5"], "'2.5' is not a whole number"),
    (["check", "normal", "--dup", "inf"], "--dup, --stale and --forge take a whole number"),
    (["check", "normal", "--window", "inf"], "'inf' is not a whole number from 0 to 65535"),
    (["check", "normal", "--window", "wide"], "--window: 'wide' is not a whole number from 0 to 65535 (a 16-bit"),
    (["check", "normal", "--window", "99999999999999999999"], "--window: '99999999999999999999' is not"),
    (["check", "normal", "--window", "65536"], "from 0 to 65535 (a 16-bit field)"),
    (["check", "normal", "--max-states", "0"], "must be a whole number above 0"),
    (["check", "normal", "--capacity", "inf"], "argument --capacity: 'inf' is not a whole number"),
    (["check", "normal", "--capacity", "x"], "'x' is not a whole number"),
    (["check", "normal", "--variant-file", "/nonexistent/v.py"],
     "variant file '/nonexistent/v.py' not found"),
    (["check", "normal", "--variant-file", ""], "--variant-file: the file name is empty"),
    (["check", "normal", "--variant-file", DIR], "not found"),
    (["check", "normal", "--variant-file", BINARY], "syntax error"),
    (["check", "normal", "--variant-file", SYNTAX], "syntax error at line 1"),
    (["check", "normal", "--variant-file", EXIT5], "raised SystemExit while loading: 5"),
    (["check", "normal", "--variant-file", FILE], "defines neither VARIANT"),
    (["check", "normal", "--variant", "no-time-wait", "--variant-file", EXIT5], "not both"),
    # graph and list
    (["graph", "--format", "png"], "invalid choice: 'png'"),
    (["graph", "--variant", "nosuch"], "unknown variant 'nosuch'"),
    (["graph", "--variant-file", "/nonexistent/v.py"], "not found"),
    (["list", "extra"], "unrecognized arguments: extra"),
    # verify: its files read and written, its selectors
    (["verify", "--max-states", "lots"], "'lots' is not a whole number"),
    (["verify", "--variant", "nosuch"], "unknown variant 'nosuch'"),
    (["verify", "--variant", "no-time-wait:loss x"], "configuration 'loss x'"),
    (["verify", "--variant", "-:dup 1"], "configuration 'dup 1'"),
    (["verify", "--expect", "/nonexistent/e.tsv"], "cannot read expectation file /nonexistent/e.tsv"),
    (["verify", "--expect", ""], "--expect: the file name is empty"),
    (["verify", "--fail-fast", "--json"], "--fail-fast writes no report: drop --json"),
    (["verify", "--fail-fast", "--variant", "nosuch"], "unknown variant 'nosuch'"),
    (["verify", "--expect", DIR], "Is a directory"),
    (["verify", "--expect", BINARY], "is not UTF-8 text"),
    (["verify", "--expect", NO_HEADER], ":1: the header must be"),
    (["verify", "--junit", ""], "--junit: the file name is empty"),
    (["verify", "--junit", DIR], "is a directory"),
    (["verify", "--junit", "/nonexistent/j.xml"], "folder '/nonexistent' does not exist"),
    (["verify", "--junit", f"{NOT_WRITABLE}.xml"], "cannot be written"),
    (["verify", "--write-expect", ""], "--write-expect: the file name is empty"),
    (["verify", "--write-expect", DIR], "is a directory"),
    (["verify", "--write-expect", "/nonexistent/e.tsv"], "does not exist"),
    (["verify", "--write-expect", f"{NOT_WRITABLE}.tsv"], "cannot be written"),
    (["verify", "--reports", ""], "--reports: the folder name is empty"),
    (["verify", "--reports", FILE], "is not a folder"),
    (["verify", "--reports", "/nonexistent/reports"], "folder '/nonexistent' does not exist"),
    (["verify", "--reports", NOT_WRITABLE], "cannot be written"),
    (["verify", "--json", "--reports", FILE], "is not a folder"),
    # report, audit, mutants: their reports folder
    (["report", "--reports", FILE], "is not a folder"),
    (["report", "--reports", NOT_WRITABLE], "cannot be written"),
    (["report", "--reports", ""], "the folder name is empty"),
    (["audit", "--reports", FILE], "is not a folder"),
    (["audit", "--reports", "/nonexistent/r"], "does not exist"),
    (["mutants", "nosuch"], "unknown variant 'nosuch'"),
    (["mutants", "--reports", FILE], "is not a folder"),
    (["mutants", "--reports", NOT_WRITABLE], "cannot be written"),
    # explain and trace: the pages they write
    (["explain", "nosuch"], "unknown topic 'nosuch'"),
    (["explain", "--lang", "xx"], "invalid choice: 'xx'"),
    (["explain", "time-wait", "--html", ""], "--html: the file name is empty"),
    (["explain", "time-wait", "--html", DIR], "is a directory"),
    (["explain", "time-wait", "--html", "/nonexistent/p.html"], "does not exist"),
    (["explain", "time-wait", "--html", f"{NOT_WRITABLE}.html"], "cannot be written"),
    (["explore", "normal"], "one of the arguments --html --serve is required"),
    (["explore", "nosuch", "--html", "x.html"], "unknown scenario 'nosuch'"),
    (["explore", "normal", "--html", "/nonexistent/x.html"], "no such directory"),
    (["explore", "normal", "--serve", "--port", "70000"], "is not a port number"),
    # exercise: the exercise, and an answer that cannot be graded
    (["exercise", "nosuch"], "unknown exercise 'nosuch'"),
    (["exercise", "--answer", "3"], "--answer needs an exercise"),
    (["exercise", "--lang", "xx"], "invalid choice: 'xx'"),
    (["exercise", "time-wait-saves", "--answer", "ten"], "the answer is a number of steps"),
    (["exercise", "time-wait-saves", "--answer", "-3"], "the answer is a number of steps"),
    (["exercise", "predict-the-states", "--answer", "OPEN,CLOSED"], "the answer is two states"),
    (["exercise", "predict-the-states", "--answer", "CLOSED"], "the answer is two states"),
    (["exercise", "break-the-handshake", "--answer", "/nonexistent/v.py"], "not found"),
    (["exercise", "break-the-handshake", "--answer", SYNTAX], "syntax error at line 1"),
    (["trace", "normal"], "trace needs --html FILE, --svg FILE or --mermaid"),
    (["trace", "nosuch", "--mermaid"], "unknown scenario 'nosuch'"),
    (["trace", "normal", "--mermaid", "--property", "nosuch"], "unknown property 'nosuch'"),
    (["trace", "normal", "--html", ""], "--html: the file name is empty"),
    (["trace", "normal", "--html", DIR], "is a directory"),
    (["trace", "normal", "--svg", "/nonexistent/c.svg"], "does not exist"),
    (["trace", "normal", "--svg", f"{NOT_WRITABLE}.svg"], "cannot be written"),
    # prove: a Z3 timeout is a finite number of seconds, at least Z3's millisecond
    (["prove", "--timeout", "inf"], "'inf' is not between 0.001 and"),
    (["prove", "--timeout", "nan"], "'nan' is not between"),
    (["prove", "--timeout", "1e-9"], "'1e-9' is not between 0.001"),
    (["prove", "--timeout", "0"], "'0' is not between"),
    (["prove", "--timeout", "-1"], "'-1' is not between"),
    (["prove", "--timeout", "1e300"], "'1e300' is not between"),
    (["prove", "--timeout", "soon"], "'soon' is not a number of seconds"),
    # bmc
    (["bmc", "nosuch"], "unknown scenario 'nosuch'"),
    (["bmc", "normal", "--depth", "99999999999999999999"], "from 1 to 100"),
    (["bmc", "normal", "--depth", "0"], "from 1 to 100"),
    (["bmc", "normal", "--reorder"], "bmc does not encode DeliverOutOfOrder (no --reorder)"),
    (["bmc", "normal", "--forge", "1"], "bmc does not encode"),
    (["bmc", "normal", "--loss", "inf"], "bmc needs a bounded --loss"),
    # schema
    (["schema", "nosuch"], "unknown schema 'nosuch' (one of: bmc, graph, proofs, replay, verification)"),
    # replay: the capture and its options (what a malformed capture holds is the reader's)
    (["replay", ""], "capture: the file name is empty"),
    (["replay", "/nonexistent/c.pcap"], "cannot read /nonexistent/c.pcap"),
    (["replay", DIR], "cannot read"),
    (["replay", BINARY], "is not a pcap or pcapng capture"),
    (["replay", CAPTURE, "--captured-on", "not-an-address"], "'not-an-address' is not an IPv4 or IPv6"),
    (["replay", CAPTURE, "--captured-on", "10.9.9.9"], "--captured-on 10.9.9.9: no connection"),
    (["replay", CAPTURE, "--endpoint", "C"], "invalid choice: 'C'"),
    (["replay", CAPTURE, "--profile", "bsd"], "invalid choice: 'bsd'"),
    (["replay", CAPTURE, "--max-unseen", "0"], "must be a whole number above 0"),
]


def materialize(argv: list[str], folder) -> list[str]:
    made = {DIR: folder, FILE: folder / "plain.txt", BINARY: folder / "random.bin",
            NO_HEADER: folder / "no-header.tsv", EXIT5: folder / "exit5.py", SYNTAX: folder / "syntax.py"}
    made[FILE].write_text("x = 1\n", encoding="utf-8")
    made[BINARY].write_bytes(bytes(range(128, 256)) * 4)
    made[NO_HEADER].write_text("normal\tloss 0\n", encoding="utf-8")
    made[EXIT5].write_text("import sys\nsys.exit(5)\n", encoding="utf-8")
    made[SYNTAX].write_text("def (:\n", encoding="utf-8")
    return [str(made.get(a, a)) for a in argv]


@pytest.fixture
def no_run(monkeypatch):
    """Any search or Z3 query fails the test: bad input is found before the work starts."""
    def started(*a, **k):
        raise AssertionError("a run started before the input was checked")
    monkeypatch.setattr(TcpSystem, "__init__", started)
    monkeypatch.setattr(z3.Solver, "check", started)


@pytest.mark.parametrize("argv, says", CASES, ids=[" ".join(a) or "(none)" for a, _ in CASES])
def test_bad_input_exits_2_with_one_line_and_starts_no_run(capsys, tmp_path, no_run, argv, says):
    code = main(materialize(argv, tmp_path))
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), err
    assert err.startswith("tcpverify: error: ") and err.count("\n") == 1, err
    assert says in err and "Traceback" not in err


def test_every_command_has_a_bad_input_case():
    from tcpverify.spec.cli import parser
    commands = set(parser()._subparsers._group_actions[0].choices)
    assert commands <= {argv[0] for argv, _ in CASES if argv}


# Through the console script: what used to end in a traceback or in silence.
SCRIPT_CASES = [
    (["verify", "--expect", BINARY], "is not UTF-8 text"),
    (["prove", "--timeout", "inf"], "'inf' is not between"),
    (["check", "normal", "--variant-file", EXIT5], "raised SystemExit while loading: 5"),
    (["explain", "time-wait", "--html", ""], "the file name is empty"),
    (["verify", "--reports", NOT_WRITABLE], "cannot be written"),
]


@pytest.mark.parametrize("argv, says", SCRIPT_CASES, ids=[" ".join(a) for a, _ in SCRIPT_CASES])
def test_bad_input_through_python_m_tcpverify(tmp_path, argv, says):
    p = subprocess.run([sys.executable, "-m", "tcpverify", *materialize(argv, tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr.startswith("tcpverify: error: ") and p.stderr.count("\n") == 1, p.stderr
    assert says in p.stderr
