"""synchronization where an endpoint abandons a connection and opens again: one that gives up
(RFC 9293 3.10.8) or is reset tells its peer nothing, and the peer, still synchronized with the
old connection, is half-open (3.5.1), not out of step. The ghost ``abandoned`` (the ISS of the
connection left, spec/world/observers.py) tells the two apart; BMC, which has no such ghost,
leaves synchronization out there."""

from __future__ import annotations

from tcpverify.checker.status import Status
from tcpverify.spec.proofs.bmc import applicable
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.machine import OPEN_PASSIVE, RTO, SEGMENT
from tcpverify.spec.tcp.segment import Segment
from tcpverify.spec.tcp.seq import SeqVal
from tcpverify.spec.tcp.states import CLOSED, ESTABLISHED, FIN_WAIT_2, LAST_ACK, LISTEN, SYNCHRONIZED
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.tcb import Tcb
from tcpverify.spec.world.config import GAP_SCENARIOS, SCENARIOS, Config
from tcpverify.spec.world.observers import observed
from tcpverify.spec.world.properties import BY_NAME
from tcpverify.spec.world.system import World

RECONNECT, GIVES_UP = GAP_SCENARIOS["reconnect"], Config(loss=2, retries=1)
D, NONE = Decider(), frozenset()
ISS_A, ISS_B, ISS_B2 = SeqVal("ISS_A", 0), SeqVal("ISS_B", 0), SeqVal("ISS_B2", 0)
IN_LAST_ACK = Tcb(state=LAST_ACK, iss=ISS_B, irs=ISS_A, snd_una=ISS_B + 1, snd_nxt=ISS_B + 2,
                  rcv_nxt=ISS_A + 2, fin_seq=ISS_B + 1, fin_rcvd=True, incarnations=1)
A_IN_FIN_WAIT_2 = Tcb(state=FIN_WAIT_2, origin="active", iss=ISS_A, irs=ISS_B, snd_una=ISS_A + 2,
                      snd_nxt=ISS_A + 2, rcv_nxt=ISS_B + 1, fin_seq=ISS_A + 1, incarnations=1)


def step(tcb: Tcb, new: Tcb, event: str = RTO, seg: Segment | None = None) -> Tcb:
    return observed(tcb, event, seg, new, (), True, None, D, NONE)


def test_giving_up_or_a_forged_reset_abandons_the_connection_and_a_new_tcb_remembers_it():
    gave_up = step(IN_LAST_ACK, IN_LAST_ACK._replace(state=CLOSED, error="user timeout"))
    assert gave_up.abandoned == ISS_B
    listening = step(gave_up, Tcb(state=LISTEN, origin="passive", incarnations=1), OPEN_PASSIVE)
    assert listening.abandoned == ISS_B  # RFC 9293 3.10.1 makes a new TCB; the world remembers
    rst = Segment(seq=ISS_A + 2, rst=True, forged=True)
    reset = step(IN_LAST_ACK, IN_LAST_ACK._replace(state=CLOSED, error="connection reset"), SEGMENT, rst)
    assert reset.reset_by == (rst, ISS_A + 2) and reset.abandoned == ISS_B
    closed = step(IN_LAST_ACK, IN_LAST_ACK._replace(state=CLOSED), SEGMENT, Segment(seq=ISS_A + 2, ack=ISS_B + 2))
    assert closed.abandoned is None  # its FIN acknowledged: the peer knows


def test_a_peer_of_an_abandoned_connection_is_half_open_not_out_of_step():
    check = BY_NAME["synchronization"].property(D).check
    half_open = World(A_IN_FIN_WAIT_2, Tcb(state=LISTEN, incarnations=1, abandoned=ISS_B), (), (), (2, 3),
                      (0, 0, 0, 0), NONE)
    assert check(half_open) is None
    # the exemption is for the connection abandoned only: one B never left is still checked
    other = half_open._replace(b=Tcb(state=LISTEN, incarnations=2, abandoned=ISS_B2))
    assert check(other) == "A is FIN-WAIT-2 with IRS=ISS_B, but B has chosen no ISS"


def test_the_rfc_model_is_verified_where_an_endpoint_gives_up_in_last_ack_and_listens_again():
    o = check_scenario(RECONNECT, GIVES_UP)
    assert o.verdict("synchronization").status == Status.VERIFIED
    assert o.result.exploration.stats.states == 368  # 340 with no ghost: it tells runs apart
    g = o.result.exploration.graph
    half_open = [i for i in range(len(g.parent))
                 if (w := o.state(i)).a.state in SYNCHRONIZED and w.a.irs == w.b.abandoned != w.b.iss]
    first = min(half_open, key=lambda i: (g.depth[i], i))
    assert [f"{label.actor}: {label.name}" for label, _ in g.path_to(first)[1:]] == [
        "A: ActiveOpenInClosed", "B: RcvSynInListen", "A: RcvSynAckInSynSent", "A: CloseInEstablished",
        "B: RcvAckOfSynInSynReceived", "B: RcvFinInEstablished", "B: CloseInCloseWait",
        "A: RcvAckOfFinInFinWait1", "net: Lose", "B: RetransmitInLastAck", "net: Lose",
        "B: GiveUpInLastAck", "B: PassiveOpenInClosed"]
    assert (o.state(first).a, o.state(first).b.state) == (A_IN_FIN_WAIT_2, LISTEN)


def test_an_endpoint_whose_peer_never_abandoned_is_still_held_to_synchronization():
    """The same run without giving up: no state is exempt, and the verdict still stands."""
    o = check_scenario(RECONNECT, Config(loss=1))
    g = o.result.exploration.graph
    assert not any(o.state(i).a.abandoned or o.state(i).b.abandoned for i in range(len(g.parent)))
    assert o.verdict("synchronization").status == Status.VERIFIED


def test_bmc_leaves_synchronization_out_where_an_endpoint_may_abandon_and_open_again():
    assert "synchronization" not in applicable(RECONNECT, GIVES_UP)
    assert "synchronization" not in applicable(RECONNECT, Config(forge=1))
    assert "synchronization" in applicable(RECONNECT, Config(loss=1))
    assert "synchronization" in applicable(SCENARIOS["normal"], GIVES_UP)  # it never opens again
    assert BY_NAME["synchronization"].bmc_excluded(SCENARIOS["normal"], GIVES_UP) == ""
