"""graceful where the network delivers late (duplicates, reordering): a RST that answers a late
segment, one neither end still needs or an old duplicate's, is legitimate (RFC 9293 3.10.7.1,
3.5.2); one that answers a segment an end still needs is gratuitous, and graceful catches it.
Under old duplicates the RFC model itself refuses connections: graceful is n/a there, with that
reason, computed here."""

from __future__ import annotations

from tcpverify.checker.status import Status
from tcpverify.spec.proofs.bmc import applicable
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.segment import Segment
from tcpverify.spec.tcp.seq import SeqVal
from tcpverify.spec.tcp.tcb import Tcb
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.world.late import late
from tcpverify.spec.world.observers import answering
from tcpverify.spec.world.properties import BY_NAME, OLD_SYN_REFUSES
from tcpverify.spec.world.system import World

DUP_REORDER, STALE = Config(loss=1, dup=1, reorder=True), Config(stale=1)
NORMAL = SCENARIOS["normal"]
D, NONE = Decider(), frozenset()


def a(n):
    return SeqVal("ISS_A", n)


def b(n):
    return SeqVal("ISS_B", n)


def test_a_segment_is_late_when_neither_end_still_needs_it():
    final_ack = Segment(seq=a(2), ack=b(2))
    a_in_time_wait = Tcb(snd_una=a(2), rcv_nxt=b(2))
    assert late(D, NONE, final_ack, a_in_time_wait, Tcb(snd_una=b(2), rcv_nxt=a(2)))  # B has it: CLOSED
    assert not late(D, NONE, final_ack, a_in_time_wait, Tcb(snd_una=b(1), rcv_nxt=a(2)))  # B in LAST-ACK needs it
    fin = Segment(seq=b(1), ack=a(2), fin=True)  # sent again: B still waits for its ACK
    assert not late(D, NONE, fin, Tcb(snd_una=b(1), rcv_nxt=a(2)), Tcb(snd_una=a(2), rcv_nxt=b(2)))
    assert late(D, NONE, fin, Tcb(snd_una=b(2), rcv_nxt=a(2)), Tcb(snd_una=a(2), rcv_nxt=b(2)))
    assert late(D, NONE, Segment(seq=SeqVal("OLDSEQ1", 0), syn=True, old=True), Tcb(), Tcb())
    assert late(D, NONE, Segment(seq=b(0), ack=SeqVal("OLDSEQ1", 1), syn=True), Tcb(), Tcb())  # answers one
    assert not late(D, NONE, Segment(seq=a(0), syn=True), Tcb(snd_una=a(0)), Tcb())  # nothing to compare


def test_numbers_of_two_incarnations_are_compared_under_the_path_condition():
    """An ACK for B's first incarnation reaches B, whose SND.UNA counts from its second
    ISS: late only where the path condition puts it at or before SND.UNA (never by the names)."""
    ack = Segment(seq=a(1), ack=b(1))
    sender, receiver = Tcb(snd_una=a(1), rcv_nxt=b(1)), Tcb(snd_una=SeqVal("ISS_B2", 1), rcv_nxt=a(1))
    assert not late(D, NONE, ack, sender, receiver)  # either way round: it may be needed
    before = frozenset({("lt", b(1), SeqVal("ISS_B2", 1), True)})
    assert late(D, before, ack, sender, receiver)
    assert not late(D, frozenset({("lt", b(1), SeqVal("ISS_B2", 1), False),
                                  ("eq", b(1), SeqVal("ISS_B2", 1), False)}), ack, sender, receiver)


def test_a_reset_that_answers_a_late_segment_is_not_flagged():
    """observers.answering marks the RST that answers a late segment; graceful passes it by and
    stops at one that answers a segment an end still needs."""
    final_ack, rst = Segment(seq=a(2), ack=b(2)), Segment(seq=b(2), rst=True)
    a_in_time_wait = Tcb(snd_una=a(2), rcv_nxt=b(2))
    (excused,) = answering(D, NONE, final_ack, a_in_time_wait, Tcb(snd_una=b(2), rcv_nxt=a(2)), (rst,), 1)
    (needed,) = answering(D, NONE, final_ack, a_in_time_wait, Tcb(snd_una=b(1), rcv_nxt=a(2)), (rst,), 1)
    assert excused == rst._replace(answers_late=True) and needed == rst
    check = BY_NAME["graceful"].property(D).check
    world = World(Tcb(), Tcb(), (), (excused,), (1, 1), (0, 0, 0, 0), NONE)
    assert check(world) is None
    assert check(world._replace(ba=(excused, needed))) == f"B sent {needed}"


def test_under_duplicates_and_reordering_a_late_segment_draws_a_legitimate_reset():
    o = check_scenario(NORMAL, DUP_REORDER)
    v = o.verdict("graceful")
    assert "graceful" not in o.skipped and v.status == Status.VERIFIED and v.witness is not None
    g = o.result.exploration.graph
    excused = [i for i in range(len(g.parent))
               if any(s.rst and s.answers_late for s in o.state(i).ab + o.state(i).ba)]
    first = min(excused, key=lambda i: g.depth[i])
    # A's third ACK is overtaken by its FIN; B closes, and the ACK then reaches CLOSED B (3.10.7.1)
    assert [label.name for label, _ in g.path_to(first)[1:]] == [
        "ActiveOpenInClosed", "RcvSynInListen", "RcvSynAckInSynSent", "CloseInEstablished",
        "RcvAckOfSynAndFinInSynReceived", "CloseInCloseWait", "RcvFinAckOfFinInFinWait1",
        "RcvAckOfFinInLastAck", "RcvSegmentInClosed"]
    assert Segment(seq=b(1), rst=True, answers_late=True) in o.state(first).ba  # <SEQ=SEG.ACK><CTL=RST>


def test_an_end_that_answers_a_needed_segment_with_a_reset_is_caught():
    o = check_scenario(NORMAL, DUP_REORDER, VARIANTS["no-time-wait"])
    v = o.verdict("graceful")
    assert v.status == Status.VIOLATED and v.length == 9 and v.message == "A sent <SEQ=ISS_A+2><CTL=RST>"
    # the overtaken third ACK draws B's ACK in LAST-ACK, which B still needs answered: A, with no
    # TIME-WAIT, has nothing left but a RST
    assert [label.name for label, _ in v.trace[-2:]] == ["AckUnacceptableInLastAck", "RcvSegmentInClosed"]


def test_under_old_duplicates_graceful_is_n_a_because_the_rfc_model_refuses_a_connection():
    """The n/a reason, computed: checked regardless under stale 1, graceful is VIOLATED."""
    assert check_scenario(NORMAL, STALE).skipped["graceful"] == OLD_SYN_REFUSES
    v = check_scenario(NORMAL, STALE, regardless=("graceful",)).verdict("graceful")
    assert v.status == Status.VIOLATED and v.length == 7
    assert v.message == "B sent <SEQ=0><ACK=ISS_A+1><CTL=RST,ACK>"  # B's listener closed
    assert [label.name for label, _ in v.trace[1:]] == [
        "OldDuplicateArrives(SYN)", "RcvSynInListen", "RcvSegmentInClosed", "ActiveOpenInClosed",
        "RcvRstInSynReceived", "CloseInListen", "RcvSegmentInClosed"]


def test_bmc_leaves_graceful_out_where_segments_arrive_late():
    assert "graceful" in applicable(NORMAL, Config(loss=1))
    assert "graceful" not in applicable(NORMAL, Config(dup=1))
