"""A property that holds only because nothing it speaks of happens is VACUOUS, never VERIFIED:
close-completion's goal needs the applications to have acted (both endpoints start CLOSED)."""

from __future__ import annotations

from dataclasses import replace

from tcpverify.checker.status import Status
from tcpverify.checker.verdict import check
from tcpverify.spec.suite.run import check_scenario, machine_for
from tcpverify.spec.tcp import rules as r
from tcpverify.spec.tcp.states import CLOSED, SYN_SENT, TIME_WAIT
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.variants import Variant, retarget
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.properties import BY_NAME
from tcpverify.spec.world.system import TcpSystem

REFUSED = SCENARIOS["connect-to-closed-port"]
NEVER_GIVES_UP = Config(retries=None)
# A client deaf to the closed port's RST: it stays in SYN-SENT and resends its SYN for ever.
DEAF = Variant("syn-sent-ignores-rst", "SYN-SENT drops a RST that acknowledges its SYN",
               lambda g: retarget(g, "RcvRstInSynSent", SYN_SENT, action=r.drop))


def test_the_rfc_client_refused_ends_closed_and_close_completion_is_witnessed():
    v = check_scenario(REFUSED, NEVER_GIVES_UP).verdict("close-completion")
    assert v.status == Status.VERIFIED and v.witness is not None


def test_a_client_that_resends_its_syn_for_ever_fails_close_completion():
    v = check_scenario(REFUSED, NEVER_GIVES_UP, DEAF).verdict("close-completion")
    assert v.status == Status.VIOLATED and v.loop_start is not None
    assert v.message == "a fair run loops for ever without reaching the goal"


def test_with_a_goal_that_holds_before_the_applications_act_it_would_be_vacuous():
    """The goal as it was (both in CLOSED or TIME-WAIT, whatever the applications did): both start
    CLOSED, so every run reached it at once and the deaf client passed."""
    before = replace(BY_NAME["close-completion"].property(Decider()),
                     goal=lambda w: {w.a.state, w.b.state} <= {CLOSED, TIME_WAIT})
    system = TcpSystem(machine_for(DEAF), REFUSED, NEVER_GIVES_UP)
    (v,) = check(system, [before]).verdicts
    assert v.status == Status.VACUOUS
    assert v.message == "its goal holds in the initial state: no run has to do anything"
