"""benchmarks/mutation.py: its mutants apply to the model as it stands and cover the endpoint
rules, the sequence arithmetic and the environment; each class of mutant that verify kills is
killed by the shortest counterexample pinned here, computed by the checker on the mutated model
(one small `tcpverify check` each, in a copy of the package, as the benchmark mutates it)."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tcpverify.checker.status import Status
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.properties import PROPERTY_NAMES

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("mutation", ROOT / "benchmarks" / "mutation.py")
mutation = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mutation)
BY_NAME = {m[0]: m for m in mutation.MUTANTS}


def test_every_mutant_applies_to_the_model_as_it_stands():
    assert len(BY_NAME) == len(mutation.MUTANTS)
    assert {name: (ROOT / path).read_text(encoding="utf-8").count(text)
            for name, path, text, _ in mutation.MUTANTS} == {name: 1 for name in BY_NAME}


def test_the_mutants_cover_the_rules_the_arithmetic_and_the_environment():
    assert {path for _, path, _, _ in mutation.MUTANTS} == {
        "spec/tcp/rules.py", "spec/tcp/machine.py", "spec/tcp/seq.py", "spec/world/environment.py"}


def test_every_mutant_argued_equivalent_is_one_and_says_why():
    argued = mutation.equivalent()
    assert set(argued) <= set(BY_NAME) and all(len(why) > 40 for why in argued.values())


def options(c: Config) -> list[str]:
    """The `tcpverify check` options that choose configuration c."""
    out = ["--loss", "inf" if c.loss < 0 else str(c.loss), "--dup", str(c.dup), "--stale", str(c.stale),
           "--forge", str(c.forge), "--retries", "inf" if c.retries is None else str(c.retries),
           "--capacity", str(c.capacity), "--window", str(c.window)]
    return out + ["--reorder"] * c.reorder


def shortest(mutant: str, scenario: str, config: Config, tmp: Path) -> tuple[str, int, list[str]]:
    """(the first property the mutated model violates in this run, in the registry's order; its
    counterexample's length; its steps, 'actor: action')."""
    name, path, text, replacement = BY_NAME[mutant]
    mutation.mutate(tmp, path, text, replacement)
    code = ("import sys, tcpverify.spec; assert tcpverify.spec.__file__.startswith(sys.argv[1]); "
            "from tcpverify.spec.cli import main; sys.exit(main(sys.argv[2:]))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp), "check", scenario, *options(config), "--json"],
                          cwd=tmp, env=dict(os.environ, PYTHONPATH=str(tmp), PYTHONHASHSEED="0"),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    violated = sorted((p for p in run["properties"] if p["status"] == Status.VIOLATED),
                      key=lambda p: PROPERTY_NAMES.index(p["name"]))[0]
    trace = violated["counterexample"]
    return violated["name"], trace["length"], [f"{s['actor']}: {s['action']}" for s in trace["steps"][1:]]


FORGED_RST_ANSWERED = ['A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent',
                       'net: ForgedArrives(RST)', 'A: ChallengeAckRstInEstablished']
# mutant: (scenario, configuration, property, steps of the shortest counterexample)
PINNED = {
    "reset-reply-ack-off-by-one": ("normal", "loss 0, stale 1", "ack-validity", [
        'net: OldDuplicateArrives(SYN)', 'B: RcvSynInListen', 'A: RcvSegmentInClosed',
        'A: ActiveOpenInClosed', 'B: RcvRstInSynReceived', 'B: CloseInListen', 'B: RcvSegmentInClosed']),
    "close-in-syn-received-sends-nothing": ("close-during-handshake", "loss 0", "close-completion", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'B: CloseInSynReceived', 'A: RcvSynAckInSynSent',
        'A: CloseInEstablished', 'B: RcvSegmentInFinWait1', 'B: RcvFinInFinWait1',
        'A: RcvAckOfFinInFinWait1']),
    # a duplicated SYN opens B again (ISS_B2) after A's abort reset it; A's third ACK, overtaken by
    # the RST, acknowledges ISS_B+1, and Z3 lets ISS_B2 be ISS_B+1: SEG.ACK = ISS, and B synchronizes
    "syn-received-ack-test-le": ("abort", "loss 1, dup 1, reorder", "syn-acknowledged", [
        'A: ActiveOpenInClosed', 'net: Duplicate', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent',
        'A: AbortInEstablished', 'B: RcvRstInSynReceived', 'B: RcvSynInListen', 'B: RcvAckOfSynInSynReceived']),
    "abort-rst-at-snd-una": ("give-up-during-handshake", "loss 0", "abort-reset", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'B: AbortInSynReceived']),
    # A answers B's SYN with a bare ACK that overtakes A's SYN; B, in SYN-SENT, drops it (RFC 9293
    # 3.10.7.3 "fifth"), and B in SYN-RECEIVED waits for an ACK that only its timer draws
    "rfc793-simultaneous-open": ("simultaneous-open", "loss 1, dup 1, reorder", "handshake-without-timer", [
        'A: RcvSynInSynSent', 'B: DropInSynSent', 'B: RcvSynInSynSent', 'A: RcvAckOfSynInSynReceived',
        'B: RetransmitInSynReceived']),
    "rst-in-syn-received-to-closed": ("normal", "loss 0, stale 1", "no-silent-end", [
        'net: OldDuplicateArrives(SYN)', 'B: RcvSynInListen', 'A: RcvSegmentInClosed',
        'B: RcvRstInSynReceived']),
    "retries-off-by-one": ("normal", "loss 2, retries 1", "bounded-retransmission", [
        'A: ActiveOpenInClosed', 'net: Lose', 'A: RetransmitInSynSent', 'net: Lose',
        'A: RetransmitInSynSent']),
    "new-ack-keeps-retries": ("normal", "loss 2, retries 1", "bounded-retransmission", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'net: Lose', 'B: RetransmitInSynReceived',
        'A: RcvSynAckInSynSent', 'A: CloseInEstablished', 'B: RcvAckOfSynInSynReceived',
        'B: RcvFinInEstablished', 'B: CloseInCloseWait', 'A: RcvAckOfFinInFinWait1', 'net: Lose',
        'B: GiveUpInLastAck']),
    "reset-not-signalled": ("normal", "loss 0, stale 1", "no-silent-end", [
        'net: OldDuplicateArrives(SYN)', 'B: RcvSynInListen', 'A: RcvSegmentInClosed',
        'A: ActiveOpenInClosed', 'B: RcvRstInSynReceived', 'B: CloseInListen', 'B: RcvSegmentInClosed',
        'A: RcvRstInSynSent']),
    # the forged RST lies at RCV.NXT+RCV.WND, outside the window: RFC 5961 3.2 drops it silently
    "window-end-inclusive": ("normal", "loss 0, forge 1", "challenge-ack", FORGED_RST_ANSWERED),
    # the forged RST lies in the window, not at RCV.NXT: the mutant drops what 3.2 challenges
    "challenge-ack-silent": ("normal", "loss 0, forge 1", "challenge-ack", FORGED_RST_ANSWERED),
    "rst-accepted-in-window": ("normal", "loss 0, forge 1", "blind-reset-resistance", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent',
        'net: ForgedArrives(RST)', 'A: RcvRstInEstablished']),
    "future-includes-rcv-nxt": ("normal", "loss 0", "close-completion", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished',
        'B: RcvAckOfSynInSynReceived', 'B: HoldFutureInEstablished', 'A: RcvSegmentInFinWait1',
        'A: RetransmitInFinWait1', 'B: HoldFutureInEstablished', 'A: RcvSegmentInFinWait1',
        'A: RetransmitInFinWait1', 'B: HoldFutureInEstablished', 'A: RcvSegmentInFinWait1',
        'A: GiveUpInFinWait1']),
    "ack-unsent-le": ("normal", "loss 0", "close-completion", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished',
        'B: RcvAckOfSynInSynReceived', 'B: AckUnsentInEstablished', 'A: RcvSegmentInFinWait1',
        'A: RetransmitInFinWait1', 'B: AckUnsentInEstablished', 'A: RcvSegmentInFinWait1',
        'A: RetransmitInFinWait1', 'B: AckUnsentInEstablished', 'A: RcvSegmentInFinWait1',
        'A: GiveUpInFinWait1']),
    "acks-fin-strict": ("normal", "loss 0", "close-completion", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished',
        'B: RcvAckOfSynInSynReceived', 'B: RcvFinInEstablished', 'B: CloseInCloseWait',
        'A: RcvSegmentInFinWait1', 'A: RcvFinInFinWait1', 'B: RcvSegmentInLastAck']),
    "irs-plus-zero": ("normal", "loss 0", "graceful", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvBadAckInSynSent']),
    # A takes the SYN,ACK but leaves SND.UNA at its ISS: ESTABLISHED with its SYN unacknowledged
    "syn-ack-keeps-snd-una": ("normal", "loss 0", "syn-acknowledged", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent']),
    "no-trimming": ("half-close", "loss 2, retries 3", "close-completion", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished',
        'B: RcvAckOfSynInSynReceived', 'B: RcvFinInEstablished', 'B: SendInCloseWait',
        'B: CloseInCloseWait', 'A: RcvAckOfFinInFinWait1', 'A: RcvSegmentInFinWait2', 'net: Lose',
        'net: Lose', 'B: RetransmitInLastAck', 'A: RcvFinInFinWait2', 'B: AckUnsentInLastAck',
        'A: AckUnacceptableInTimeWait']),
    "fin-takes-two": ("normal", "loss 0", "fin-accounting", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished']),
    "data-takes-none": ("half-close", "loss 0", "close-completion", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished',
        'B: RcvAckOfSynInSynReceived', 'B: RcvFinInEstablished', 'B: SendInCloseWait',
        'A: RcvAckOfFinInFinWait1', 'A: RcvSegmentInFinWait2', 'B: AckUnsentInCloseWait',
        'A: AckUnacceptableInFinWait2']),
    "retransmission-drops-syn": ("normal", "loss 1", "close-completion", [
        'A: ActiveOpenInClosed', 'net: Lose', 'A: RetransmitInSynSent', 'B: DropInListen',
        'A: RetransmitInSynSent', 'B: DropInListen', 'A: GiveUpInSynSent']),
    "time-wait-silent": ("normal", "loss 1", "graceful", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished',
        'B: RcvAckOfSynInSynReceived', 'B: RcvFinInEstablished', 'B: CloseInCloseWait',
        'A: RcvAckOfFinInFinWait1', 'A: RcvFinInFinWait2', 'net: Lose', 'B: RetransmitInLastAck',
        'A: RcvFinInTimeWait', 'B: RetransmitInLastAck', 'A: RcvFinInTimeWait', 'B: GiveUpInLastAck']),
    "ack-unacceptable-silent": ("normal", "loss 1", "graceful", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'net: Lose',
        'B: RetransmitInSynReceived', 'A: AckUnacceptableInEstablished', 'B: RetransmitInSynReceived',
        'A: AckUnacceptableInEstablished', 'B: GiveUpInSynReceived']),
    "distance-reversed": ("normal", "loss 0", "ack-validity", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished']),
    "loss-unbudgeted": ("normal", "loss 1", "close-completion", [
        'A: ActiveOpenInClosed', 'net: Lose', 'A: RetransmitInSynSent', 'net: Lose',
        'A: RetransmitInSynSent', 'net: Lose', 'A: GiveUpInSynSent']),
    "time-wait-ends-early": ("normal", "loss 1", "graceful", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished',
        'B: RcvAckOfSynInSynReceived', 'B: RcvFinInEstablished', 'B: CloseInCloseWait',
        'A: RcvAckOfFinInFinWait1', 'A: RcvFinInFinWait2', 'net: Lose', 'A: TimeoutInTimeWait',
        'B: RetransmitInLastAck', 'A: RcvSegmentInClosed']),
    "fifo-delivers-newest": ("normal", "loss 0", "graceful", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'A: RcvSynAckInSynSent', 'A: CloseInEstablished',
        'B: RcvAckOfSynAndFinInSynReceived', 'B: CloseInCloseWait', 'A: RcvFinAckOfFinInFinWait1',
        'B: RcvAckOfFinInLastAck', 'B: RcvSegmentInClosed']),
    "timers-fire-in-flight": ("normal", "loss 0", "graceful", [
        'A: ActiveOpenInClosed', 'A: RetransmitInSynSent', 'A: RetransmitInSynSent',
        'A: GiveUpInSynSent']),
    "timer-ignores-backoff": ("normal", "loss 1", "graceful", [
        'A: ActiveOpenInClosed', 'B: RcvSynInListen', 'net: Lose', 'A: RetransmitInSynSent',
        'B: AckUnacceptableInSynReceived', 'A: DropInSynSent', 'A: RetransmitInSynSent',
        'B: AckUnacceptableInSynReceived', 'A: DropInSynSent', 'A: GiveUpInSynSent']),
}


@pytest.mark.slow
@pytest.mark.parametrize("mutant", sorted(PINNED))
def test_a_killed_mutant_is_killed_by_its_shortest_counterexample(tmp_path, mutant):
    scenario, config, prop, steps = PINNED[mutant]
    config = Config.parse(config)
    # the RFC model keeps the property (give-up-during-handshake's run is VACUOUS elsewhere: no FIN)
    assert check_scenario(SCENARIOS[scenario], config).verdict(prop).status == Status.VERIFIED
    assert shortest(mutant, scenario, config, tmp_path) == (prop, len(steps), steps)
