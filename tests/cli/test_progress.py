"""Progress on long runs: one refreshing line on a terminal, nothing otherwise."""

import io
import re
import sys

from tcpverify.spec.cli import main

# A run of about 2,000 states: the engine reports every 1,000.
RUN = ["check", "normal", "--loss", "1", "--dup", "1", "--reorder"]
LINE = re.compile(r"\r\x1b\[Knormal, loss 1, dup 1, reorder \(1/1\): ([\d,]+) states, "
                  r"[\d,]+ states/s, queue ([\d,]+)")


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_silent_when_stderr_is_not_a_terminal(capsys):
    assert main(RUN) == 0
    assert capsys.readouterr().err == ""


def test_one_refreshing_line_on_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    assert main(RUN) == 0
    err = sys.stderr.getvalue()
    assert "\n" not in err and err.endswith("\r\x1b[K")  # the line is cleared at the end
    seen = [(int(s.replace(",", "")), int(q.replace(",", ""))) for s, q in LINE.findall(err)]
    assert seen and all(1000 <= states <= 1984 and queue < states for states, queue in seen)
    assert "1984 states" in capsys.readouterr().out  # the outcome on stdout is unchanged


def test_quiet_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    assert main([*RUN, "--quiet"]) == 0
    assert sys.stderr.getvalue() == ""


def test_the_line_fits_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "48")  # FakeTerminal has no file descriptor: $COLUMNS says its width
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    assert main(RUN) == 0
    drawn = sys.stderr.getvalue().split("\r\x1b[K")[1:]
    assert any("states/s" in line for line in drawn)
    assert max(len(line) for line in drawn) <= 47
    assert any(re.match(r"norm\w*…: [\d,]+ states, [\d,]+ states/s, queue [\d,]+$", line) for line in drawn)
