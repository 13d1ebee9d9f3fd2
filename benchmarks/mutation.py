"""Benchmark: mutation adequacy of `tcpverify verify` alone.

nice python3 benchmarks/mutation.py [--jobs N] [NAME ...]   (default: every mutant, 2 jobs)

Each mutant below is one small edit of the model: an endpoint rule (spec/tcp/rules.py, the
graph in machine.py), the sequence arithmetic (seq.py) or the environment
(spec/world/environment.py). The script copies spec/ and checker/ to a temporary folder,
applies the edit, runs `tcpverify verify --fail-fast` there (the whole suite and the proofs
when every run is VERIFIED; it stops at the first run that is not), and counts the mutant
killed when verify does not exit 0 (1: a property is violated, 3: a search or proof is
incomplete: never VERIFIED either way). It prints every mutant's exit code, the kill rate
over the mutants not argued equivalent in benchmarks/equivalent-mutants.md, and every
survivor. An argument of equivalence is checked: the script also runs verify on an unmutated
copy, and an argued mutant counts as equivalent only if each of verify's runs on it explores
as many states and transitions as on the RFC model (a mutant that reaches a state the RFC
model does not, or misses one, is not equivalent, whatever the file says).

Why a hand-written operator list and not a library: mutmut 3 switches its mutants inside one
pytest process (its trampolines need the tests to call the mutated functions in that
process), so it cannot judge a mutant by a command's exit code; cosmic-ray can (its
test-command), but it makes a mutant of every operator of every module it is given,
hundreds for rules.py alone, each costing a verify (up to a CPU minute), on two cores
shared by five developers: days, not a benchmark. The list below targets one mutant per
rule, comparison and budget that a protocol bug would touch, the issue's six among them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "benchmarks" / "equivalent-mutants.md"
TIMEOUT = 900  # seconds of wall time per mutant; a mutant that takes longer is reported as such

R, M, Q, E = "spec/tcp/rules.py", "spec/tcp/machine.py", "spec/tcp/seq.py", "spec/world/environment.py"
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
    ("syn-ack-keeps-snd-una", R, "rcv_nxt=seg.seq + v._len, snd_una=seg.ack, retries=0,",
     "rcv_nxt=seg.seq + v._len, retries=0,"),
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
    ("reset-not-signalled", R, "return v.tcb._replace(error=CONNECTION_RESET), ()", "return v.tcb, ()"),
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
    ("loss-unbudgeted", E, "lambda s, w, p: w.budget[LOSS] != 0", "lambda s, w, p: True"),
    ("time-wait-ends-early", E, "\n            and not system.timeouts(w)[PEER[x]])", ")"),
    ("fifo-delivers-newest", E, "return system.fire(w, x, SEGMENT, taken=k)",
     "return system.fire(w, x, SEGMENT, taken=len(w.channel_to(x)) - 1 - k)"),
    ("no-duplicate-capacity-check", E, "w.budget[DUP] > 0 and room(s, w, p[0])", "w.budget[DUP] > 0"),
    ("timers-fire-in-flight", E, "    if not w.quiet():\n        return False\n", ""),
    ("timer-ignores-backoff", E, "return x in pending and w.tcb(x).retries == min(w.tcb(y).retries for y in pending)",
     "return x in pending"),
]


def equivalent() -> dict[str, str]:
    """{mutant: why it is equivalent}, from the '- `name`: argument' lines of the file."""
    if not EQUIVALENT.exists():
        return {}
    return dict(re.findall(r"^- `([^`]+)`: (.+)$", EQUIVALENT.read_text(encoding="utf-8"), re.M))


def mutate(tmp: Path, path: str, text: str, replacement: str) -> None:
    for wing in ("spec", "checker"):
        shutil.copytree(ROOT / wing, tmp / "tcpverify" / wing, ignore=shutil.ignore_patterns("__pycache__"))
    if not path:
        return  # the RFC model, unmutated
    target = tmp / "tcpverify" / Path(path)
    source = target.read_text(encoding="utf-8")
    if source.count(text) != 1:
        raise SystemExit(f"{path}: the text to mutate occurs {source.count(text)} times: {text!r}")
    target.write_text(source.replace(text, replacement), encoding="utf-8")


RFC = ("(none: the RFC model)", "", "", "")


def run(mutant: tuple) -> tuple[str, str, float, dict]:
    """(verify's exit code on the mutant, 'timeout' past TIMEOUT or 'error: ...'; the line it
    printed, naming the run that killed it; the CPU seconds it took; for a mutant that survives
    it, and for the RFC model, {(scenario, configuration): (states, transitions)} from a second,
    plain verify's verification.json: --fail-fast writes no report)."""
    name, path, text, replacement = mutant
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        mutate(tmp, path, text, replacement)
        code, said, trace, cpu, expired = _verify(tmp, "--fail-fast") if path else (0, "", "", 0.0, False)
        sizes = {}
        if code == 0 and not expired:
            _, _, _, again, _ = _verify(tmp)
            cpu += again
            sizes = {(r["scenario"], r["configuration"]): (r["states"], r["transitions"])
                     for r in json.loads((tmp / "reports" / "verification.json").read_text(encoding="utf-8"))["runs"]}
    result = "timeout" if expired else str(code)
    if code == 2 or "Traceback" in trace:
        result = "error: " + (trace.strip().splitlines() or ["?"])[-1]
    return result, said, cpu, sizes


def _verify(tmp: Path, *options: str) -> tuple[int, str, str, float, bool]:
    """`tcpverify verify --quiet` on the copy in tmp: (exit code, stdout, stderr, CPU seconds,
    whether TIMEOUT killed it)."""
    code = ("import sys, tcpverify.spec; assert tcpverify.spec.__file__.startswith(sys.argv[1]); "
            "from tcpverify.spec.cli import main; sys.exit(main(sys.argv[2:]))")
    env = dict(os.environ, PYTHONPATH=str(tmp), PYTHONHASHSEED="0")
    with open(tmp / "out", "w+", encoding="utf-8") as out, open(tmp / "err", "w+", encoding="utf-8") as err:
        p = subprocess.Popen(["nice", "-n", "10", sys.executable, "-c", code, str(tmp), "verify", *options,
                              "--quiet"], cwd=tmp, env=env, stdout=out, stderr=err)
        timer = threading.Timer(TIMEOUT, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)  # the CPU time of this verify alone
        expired = not timer.is_alive()
        timer.cancel()
        out.seek(0)
        err.seek(0)
        return (os.waitstatus_to_exitcode(status), out.read().strip(), err.read(),
                usage.ru_utime + usage.ru_stime, expired)


def main(argv: list[str]) -> int:
    jobs = 2
    if argv[:1] == ["--jobs"]:
        jobs, argv = int(argv[1]), argv[2:]
    unknown = set(argv) - {m[0] for m in MUTANTS}
    if unknown:
        print(f"unknown mutant(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    chosen = [m for m in MUTANTS if not argv or m[0] in argv]
    for name, path, text, _ in chosen:
        found = (ROOT / path).read_text(encoding="utf-8").count(text)
        if found != 1:
            print(f"mutant {name}: its text occurs {found} times in {path}", file=sys.stderr)
            return 2
    argued = equivalent()
    killed, survivors, errors = [], [], []
    cpu_total = 0.0
    graphs = {}  # mutant -> its runs' sizes
    with ThreadPoolExecutor(jobs) as pool:
        for (name, *_), (result, said, cpu, sizes) in zip([RFC] + chosen, pool.map(run, [RFC] + chosen)):
            graphs[name] = sizes
            if name == RFC[0]:
                print(f"{name:36} verify exit {result:4} {cpu:6.1f} CPU s  {len(sizes)} runs", flush=True)
                cpu_total += cpu
                continue
            # A non-zero exit of verify kills; a timeout or an error gives no verdict.
            (errors if result.startswith("error") or result == "timeout"
             else survivors if result == "0" else killed).append(name)
            cpu_total += cpu
            print(f"{name:36} verify exit {result:4} {cpu:6.1f} CPU s  {said if result != '0' else ''}",
                  flush=True)
    base = graphs[RFC[0]]
    differs = {n: sorted(k for k in base if graphs[n].get(k) != base[k]) for n in survivors}
    argued = {n: why for n, why in argued.items() if n not in differs or not differs[n]}
    judged = [n for n in survivors + killed if n not in argued]
    alive = [n for n in survivors if n not in argued]
    rate = (len(judged) - len(alive)) / len(judged) if judged else 0.0
    print(f"\n{len(chosen)} mutants: {len(killed)} killed, {len(survivors)} survived "
          f"({len(survivors) - len(alive)} argued equivalent), {len(errors)} errors or timeouts; "
          f"{cpu_total:.0f} CPU s")
    print(f"kill rate over the non-equivalent mutants: {rate:.0%} ({len(judged) - len(alive)} of {len(judged)})")
    for n in survivors:
        runs = (f"the same states and transitions as the RFC model in all {len(base)} runs" if not differs[n]
                else f"{len(differs[n])} of {len(base)} runs differ from the RFC model's, e.g. "
                     f"{differs[n][0][0]} under {differs[n][0][1]}")
        print(f"  survivor {n}: " + (f"equivalent: {argued[n]}" if n in argued else "NOT KILLED, not argued "
                                     "equivalent (or argued, but its runs differ)") + f"; {runs}")
    for n in errors:
        print(f"  {n}: no verdict (error or timeout)")
    stale = sorted(set(argued) - set(survivors)) if not argv else []
    for n in stale:
        print(f"  {n} is argued equivalent in {EQUIVALENT.name} but " +
              ("was killed" if n in killed else "is no mutant of this list"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
