"""How a command ends other than with a verdict: Ctrl-C (130, one line, no report written, also
inside a Z3 query), an internal error (4, one line naming the file that holds the traceback), a
reader that goes away (the verdict's exit code all the same); and --version."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version

import pytest

from tcpverify.spec.cli import main
from tcpverify.spec.cli.errors import INTERNAL_EXIT, INTERRUPTED_EXIT

TCPVERIFY = [sys.executable, "-m", "tcpverify"]


def interrupted(argv: list[str], after: float) -> subprocess.CompletedProcess:
    """Run tcpverify, and send it SIGINT (what Ctrl-C sends) after ``after`` seconds."""
    p = subprocess.Popen(TCPVERIFY + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    assert p.poll() is None, "the command ended before it could be interrupted"
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    return subprocess.CompletedProcess(argv, p.returncode, out, err)


@pytest.mark.slow
def test_ctrl_c_in_the_proofs_exits_130_and_is_never_unknown():
    # prove spends nearly all its time in Z3, which catches SIGINT itself and answers unknown
    p = interrupted(["prove"], after=4)
    assert (p.returncode, p.stdout, p.stderr) == (INTERRUPTED_EXIT, "", "tcpverify: interrupted\n")


@pytest.mark.slow
def test_ctrl_c_in_verify_writes_no_report(tmp_path):
    (tmp_path / "verification.md").write_text("as before\n", encoding="utf-8")
    p = interrupted(["verify", "--reports", str(tmp_path)], after=4)
    assert (p.returncode, p.stdout, p.stderr) == (INTERRUPTED_EXIT, "", "tcpverify: interrupted\n")
    assert [f.name for f in tmp_path.iterdir()] == ["verification.md"]
    assert (tmp_path / "verification.md").read_text(encoding="utf-8") == "as before\n"


@pytest.mark.slow
def test_ctrl_c_in_a_search_on_forked_workers_exits_130_with_one_line():
    """Ctrl-C reaches every process of the terminal's group: the workers forked at the run's
    first level of 2,048 states (within a second) stop without a word of their own."""
    p = subprocess.Popen(TCPVERIFY + ["check", "half-close", "--loss", "2", "--dup", "4", "--reorder",
                                      "--retries", "3", "--capacity", "7", "--workers", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(4)
    assert p.poll() is None, "the search ended before it could be interrupted"
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert (p.returncode, out, err) == (INTERRUPTED_EXIT, "", "tcpverify: interrupted\n")


def test_a_z3_query_that_ctrl_c_cancels_raises_keyboard_interrupt():
    # in a process of its own: the signal goes to the whole process
    script = """if True:
        import os, signal, threading, z3
        from tcpverify.checker.z3check import check
        x, y = z3.BitVecs("x y", 128)
        s = z3.Solver()
        s.set("timeout", 60_000)
        n = 2305843009213693951 * 618970019642690137449562111  # two primes: a long search
        s.add(x * y == n, z3.ULT(1, x), z3.ULT(1, y), z3.ULT(x, 2**100), z3.ULT(y, 2**100))
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            print(check(s), s.reason_unknown())
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
    """
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert p.stdout == "KeyboardInterrupt\n", p.stdout + p.stderr


def test_a_ctrl_c_inside_a_finalizer_is_kept_for_the_next_check():
    # Python ignores an exception raised in __del__; Z3's objects run __del__ by the thousand
    script = """if True:
        import os, signal
        from tcpverify.checker import interrupt
        interrupt.install()
        class Dying:
            def __del__(self):
                os.kill(os.getpid(), signal.SIGINT)
                sum(range(1000))  # the handler runs here, inside __del__
        Dying()
        print(interrupt.pending())
        try:
            interrupt.check()
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
    """
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (p.stdout, p.stderr) == ("True\nKeyboardInterrupt\n", "")


def test_an_internal_error_exits_4_with_one_line_and_the_traceback_in_a_file(capsys, monkeypatch, tmp_path):
    from tcpverify.spec.cli import listing

    def broken(args):
        raise RuntimeError("the model is broken")
    monkeypatch.setattr(listing, "cmd_list", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert main(["list"]) == INTERNAL_EXIT == 4
    out, err = capsys.readouterr()
    (saved,) = tmp_path.glob("tcpverify-crash-*.txt")
    assert out == "" and err == (f"tcpverify: internal error: RuntimeError: the model is broken (a bug in "
                                 f"tcpverify; the traceback is in {saved})\n")
    details = saved.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in details and "def broken" not in err
    assert 'raise RuntimeError("the model is broken")' in details


@pytest.mark.parametrize("argv, code", [
    (["check", "normal", "--loss", "1", "--variant", "no-time-wait"], 1),
    (["check", "normal", "--loss", "1", "--max-states", "10"], 3),
    (["list"], 0),
])
def test_a_reader_that_goes_away_leaves_the_verdicts_exit_code(argv, code):
    p = subprocess.Popen(TCPVERIFY + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # as `tcpverify ... | head -0` would: every write meets a broken pipe
    err = p.stderr.read().decode()
    assert (p.wait(timeout=120), err) == (code, "")


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"tcpverify {version('tcpverify')}\n"


def test_python_m_tcpverify_is_the_command():
    p = subprocess.run(TCPVERIFY + ["--version"], capture_output=True, text=True, timeout=60)
    assert (p.returncode, p.stdout) == (0, f"tcpverify {version('tcpverify')}\n")
