"""Benchmark: mutation adequacy of `tcpverify verify` alone.

python3 benchmarks/mutation.py [NAME ...]   (default: every mutant; about 25 CPU s each)

Each mutant below is one small edit of the model, by hand (cosmic-ray and mutmut mutate
through a pytest run or their own runner; here the test is the command a user runs on a
variant): an endpoint rule (spec/tcp/rules.py, the graph in machine.py), the sequence
arithmetic (seq.py) or the environment (spec/world/system.py). The script copies spec/
and checker/ to a temporary folder, applies the edit, runs `tcpverify verify` there, and
counts the mutant killed when verify does not exit 0 (1: a property is violated, 3: a
search or proof is incomplete: never VERIFIED either way). It prints every mutant's exit
code and the kill rate over the mutants not argued equivalent in
benchmarks/mutation-equivalent.md, whose arguments are checked by nobody but a reader.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "benchmarks" / "mutation-equivalent.md"
TIMEOUT = 900  # seconds of wall time per mutant; a mutant that takes longer is reported as such

R, M, Q, S = "spec/tcp/rules.py", "spec/tcp/machine.py", "spec/tcp/seq.py", "spec/world/system.py"
# (name, file, text, replacement): the text must occur exactly once in the file.
MUTANTS = [
    # the seven the issue names, tried from outside on the RFC model
    ("rfc793-simultaneous-open", R, "return t, (Segment(seq=t.iss, ack=t.rcv_nxt, syn=True),)",
     "return t, (Segment(seq=t.snd_nxt, ack=t.rcv_nxt),)"),
    ("syn-received-ack-test-le", R, "return c.lt(t.snd_una, self.seg.ack) and c.le(self.seg.ack, t.snd_nxt)",
     "return c.le(t.snd_una, self.seg.ack) and c.le(self.seg.ack, t.snd_nxt)"),
    ("rst-in-syn-received-to-closed", M,
     'edge("RcvRstInSynReceived", s, LISTEN,', 'edge("RcvRstInSynReceived", s, CLOSED,'),
    ("reset-reply-ack-off-by-one", R, "ack=seg.seq + v._len, rst=True", "ack=seg.seq + v._len + 1, rst=True"),
    ("retries-off-by-one", R, "self.tcb.retries < self.params.retries",
     "self.tcb.retries <= self.params.retries"),
    ("close-in-syn-received-sends-nothing", M,
     'SYN_RECEIVED, FIN_WAIT_1, CLOSE, "", r.send_fin', 'SYN_RECEIVED, FIN_WAIT_1, CLOSE, "", r.drop'),
    # endpoint rules
    ("window-end-inclusive", R, "return c.le(nxt, seg.seq) and c.lt(seg.seq, nxt + wnd)",
     "return c.le(nxt, seg.seq) and c.le(seg.seq, nxt + wnd)"),
    ("rst-accepted-in-window", R, "return self.ctx.eq(self.seg.seq, self.tcb.rcv_nxt)",
     "return self.acceptable()"),
    ("future-includes-rcv-nxt", R, "return self.ctx.lt(self.tcb.rcv_nxt, self.seg.seq)",
     "return self.ctx.le(self.tcb.rcv_nxt, self.seg.seq)"),
    ("syn-sent-ack-test-le", R, "return c.lt(t.iss, self.seg.ack) and c.le(self.seg.ack, t.snd_nxt)",
     "return c.le(t.iss, self.seg.ack) and c.le(self.seg.ack, t.snd_nxt)"),
    ("ack-unsent-le", R, "return self.ctx.lt(self.tcb.snd_nxt, self.seg.ack)",
     "return self.ctx.le(self.tcb.snd_nxt, self.seg.ack)"),
    ("acks-fin-strict", R, "return c.le(end, self.seg.ack) and c.lt(t.fin_seq, self.seg.ack)",
     "return c.lt(end, self.seg.ack) and c.lt(t.fin_seq, self.seg.ack)"),
    ("irs-plus-zero", R, "t = v.tcb._replace(irs=seg.seq, rcv_nxt=seg.seq + 1, iss=iss,",
     "t = v.tcb._replace(irs=seg.seq, rcv_nxt=seg.seq, iss=iss,"),
    ("syn-ack-keeps-snd-una", R, "t = v.tcb._replace(irs=seg.seq, rcv_nxt=seg.seq + 1, snd_una=seg.ack, retries=0)",
     "t = v.tcb._replace(irs=seg.seq, rcv_nxt=seg.seq + 1, retries=0)"),
    ("no-trimming", R, "units = v._len - _already_received(t, seg, c, v._len)", "units = v._len"),
    ("fin-takes-two", R, "snd_nxt=t.snd_nxt + v.params.fin_len), (fin,)", "snd_nxt=t.snd_nxt + 2), (fin,)"),
    ("data-takes-none", R, "return t._replace(snd_nxt=t.snd_nxt + n), (seg,)", "return t, (seg,)"),
    ("abort-rst-at-snd-una", R, "(Segment(seq=v.tcb.snd_nxt, rst=True),)", "(Segment(seq=v.tcb.snd_una, rst=True),)"),
    ("retransmission-drops-syn", R, "syn = c.eq(t.snd_una, t.iss)", "syn = False"),
    ("new-ack-keeps-retries", R, "return t._replace(snd_una=seg.ack, retries=0)",
     "return t._replace(snd_una=seg.ack)"),
    ("time-wait-silent", R, '"""send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, restart the 2MSL timer"""\n'
     "    return v.tcb, (_ack_segment(v.tcb),)",
     '"""send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, restart the 2MSL timer"""\n    return v.tcb, ()'),
    ("fin-unacked-strict", R, "return t.fin_seq is not None and c.le(t.snd_una, t.fin_seq)",
     "return t.fin_seq is not None and c.lt(t.snd_una, t.fin_seq)"),
    ("reset-not-signalled", R, 'return v.tcb._replace(error="connection reset"), ()', "return v.tcb, ()"),
    ("challenge-ack-silent", M, 'edge(f"ChallengeAckRstIn{c}", s, s, SEGMENT, "RST", r.send_ack,',
     'edge(f"ChallengeAckRstIn{c}", s, s, SEGMENT, "RST", r.drop,'),
    ("ack-unacceptable-silent", M, 'edge(f"AckUnacceptableIn{c}", s, s, SEGMENT, "not acceptable", r.send_ack,',
     'edge(f"AckUnacceptableIn{c}", s, s, SEGMENT, "not acceptable", r.drop,'),
    ("listen-ack-not-reset", M, 'edge("RcvAckInListen", LISTEN, LISTEN, SEGMENT, "ACK", r.reset_to_seg_ack,',
     'edge("RcvAckInListen", LISTEN, LISTEN, SEGMENT, "ACK", r.drop,'),
    # sequence arithmetic
    ("lt-half-inclusive", Q, "return ops.and_(ops.ult(ops.const(0), d), ops.ult(d, ops.const(HALF)))",
     "return ops.and_(ops.ult(ops.const(0), d), ops.ult(d, ops.const(HALF + 1)))"),
    ("lt-includes-equal", Q, "return ops.and_(ops.ult(ops.const(0), d), ops.ult(d, ops.const(HALF)))",
     "return ops.ult(d, ops.const(HALF))"),
    ("distance-reversed", Q, "d = b.off - a.off", "d = a.off - b.off"),
    # the environment
    ("loss-unbudgeted", S, "(loss - (loss > 0), dup, stale, forge)", "(loss, dup, stale, forge)"),
    ("time-wait-ends-early", S,
     "if w.tcb(x).state == TIME_WAIT and not self._can_retransmit(w, PEER[x]):",
     "if w.tcb(x).state == TIME_WAIT:"),
    ("fifo-delivers-tail", S, "return [(0, ch[0])]", "return [(len(ch) - 1, ch[-1])]"),
    ("no-duplicate-capacity-check", S, "if dup > 0 and len(ch) < self.config.capacity:", "if dup > 0:"),
    ("timers-fire-in-flight", S, "if w.quiet():\n            out += self._timeouts(w)",
     "out += self._timeouts(w)\n        if w.quiet():"),
]


def equivalent() -> dict[str, str]:
    """{mutant: why it is equivalent}, from the '- `name`: argument' lines of the file."""
    if not EQUIVALENT.exists():
        return {}
    return dict(re.findall(r"^- `([^`]+)`: (.+)$", EQUIVALENT.read_text(encoding="utf-8"), re.M))


def mutate(tmp: Path, path: str, text: str, replacement: str) -> None:
    for wing in ("spec", "checker"):
        shutil.copytree(ROOT / wing, tmp / "tcpverify" / wing, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp / "tcpverify" / Path(path)
    source = target.read_text(encoding="utf-8")
    if source.count(text) != 1:
        raise SystemExit(f"{path}: the text to mutate occurs {source.count(text)} times: {text!r}")
    target.write_text(source.replace(text, replacement), encoding="utf-8")


def run(name: str, path: str, text: str, replacement: str) -> tuple[str, float]:
    """verify's exit code on the mutant ('timeout' past TIMEOUT) and the CPU seconds it took."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        mutate(tmp, path, text, replacement)
        code = ("import sys, tcpverify.spec; assert tcpverify.spec.__file__.startswith(sys.argv[1]); "
                "from tcpverify.spec.cli import main; sys.exit(main(sys.argv[2:]))")
        env = dict(os.environ, PYTHONPATH=str(tmp), PYTHONHASHSEED="0")
        before = os.times()
        try:
            done = subprocess.run([sys.executable, "-c", code, str(tmp), "verify", "--quiet",
                                   "--reports", str(tmp / "reports")],
                                  cwd=tmp, env=env, capture_output=True, text=True, timeout=TIMEOUT)
            result = str(done.returncode)
            if done.returncode == 2 or "Traceback" in done.stderr:
                result = "error: " + (done.stderr.strip().splitlines() or ["?"])[-1]
        except subprocess.TimeoutExpired:
            result = "timeout"
        after = os.times()
        return result, (after.children_user - before.children_user)


def main(names: list[str]) -> int:
    chosen = [m for m in MUTANTS if not names or m[0] in names]
    argued = equivalent()
    killed, survivors, errors = [], [], []
    for name, path, text, replacement in chosen:
        start = time.perf_counter()
        result, cpu = run(name, path, text, replacement)
        # A non-zero exit of verify kills; a timeout kills nothing (no verdict was given).
        (errors if result.startswith("error") or result == "timeout"
         else survivors if result == "0" else killed).append(name)
        print(f"{name:40} verify exit {result:8} {cpu:6.1f} CPU s {time.perf_counter() - start:6.1f} s",
              flush=True)
    judged = [n for n in survivors + killed if n not in argued]
    rate = len([n for n in killed if n not in argued]) / len(judged) if judged else 0.0
    print(f"\n{len(chosen)} mutants: {len(killed)} killed, {len(survivors)} survived, "
          f"{len(errors)} errors or timeouts")
    print(f"kill rate over the non-equivalent mutants: {rate:.0%} "
          f"({len(judged) - len([n for n in survivors if n not in argued])} of {len(judged)})")
    for n in survivors:
        print(f"  survivor {n}: " + (f"equivalent: {argued[n]}" if n in argued else "NOT KILLED, not argued equivalent"))
    for n in errors:
        print(f"  {n}: no verdict (error or timeout)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
