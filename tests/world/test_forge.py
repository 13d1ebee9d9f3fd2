"""Blind injection (--forge): RFC 5961's challenge ACK keeps a forged RST or SYN from ending a
connection unless its SEQ is exactly RCV.NXT; RFC 793's in-window reset (no-challenge-ack) does not."""

import pytest
from tcpverify.checker.status import Status
from tcpverify.spec.cli import main
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.environment import FORGE

FORGE1 = Config(forge=1)
DECIDER = Decider()


@pytest.mark.parametrize("scenario", ["normal", "simultaneous-close"])
def test_the_protocol_is_reset_by_a_forged_rst_only_at_rcv_nxt(scenario):
    o = check_scenario(SCENARIOS[scenario], FORGE1, decider=DECIDER)
    assert o.status == Status.VERIFIED and o.result.exploration.limits == []
    v = o.verdict("blind-reset-resistance")
    assert v.status == Status.VERIFIED and not v.vacuous
    ended = o.state(v.witness[-1][1])  # the attacker guessed RCV.NXT: that reset is allowed
    (seg, nxt), = [t.reset_by for t in (ended.a, ended.b) if t.reset_by]
    assert seg.rst and seg.forged and DECIDER.valid(ended.pc, "eq", seg.seq, nxt)
    # a blind attacker who guesses RCV.NXT may end a connection: what speaks of its end is n/a
    assert sorted(o.skipped) == ["close-completion", "graceful", "no-deadlock", "no-half-open",
                                 "old-duplicates-harmless"]


def test_without_a_challenge_ack_a_forged_rst_anywhere_in_the_window_resets():
    o = check_scenario(SCENARIOS["normal"], FORGE1, VARIANTS["no-challenge-ack"], decider=DECIDER)
    v = o.verdict("blind-reset-resistance")
    assert v.status == Status.VIOLATED and v.length == 5
    steps = [label for label, _ in v.trace[1:]]
    assert [s.name for s in steps] == ["ActiveOpenInClosed", "RcvSynInListen", "RcvSynAckInSynSent",
                                       f"{FORGE}(RST)", "RcvRstInEstablished"]
    assert "while its RCV.NXT was ISS_B+1" in v.message
    end = o.state(v.trace[-1][1])
    assert not DECIDER.valid(end.pc, "eq", steps[-1].segment.seq, end.a.rcv_nxt)


def test_without_forging_the_property_is_not_applicable():
    o = check_scenario(SCENARIOS["normal"], Config(), decider=DECIDER)
    assert "blind-reset-resistance" in o.skipped
    assert "blind-reset-resistance" not in {v.property for v in o.result.verdicts}


def test_forge_on_the_command_line(capsys):
    assert main(["check", "normal", "--forge", "1", "--variant", "no-challenge-ack", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "loss 0, forge 1" in out and "VIOLATED   blind-reset-resistance" in out
    assert main(["check", "normal", "--forge", "inf"]) == 2
    assert "--forge" in capsys.readouterr().err
