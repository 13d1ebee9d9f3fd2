"""Every edge of the spec's state graph, fired through Machine.fire against the RFC rule it encodes.

A case is: the TCB before, the event (and segment), the edge that must fire,
the whole TCB after, and the segments sent. The endpoint is A, with ISS_A as
its ISS; its peer's ISN is ISS_B. Values of one base compare by offset, so
these cases hold for every pair of 32-bit ISNs. ``test_every_edge_has_a_case``
makes a new edge without a case fail.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from firing import MACHINE, fire, fire_branches

from tcpverify.spec.tcp.machine import (ABORT, CLOSE, CLOSE_UNREAD, CRASH, KEEPALIVE, MSL2, OPEN_ACTIVE,
                                        OPEN_PASSIVE, RTO, SEGMENT, SEND, build_graph)
from tcpverify.spec.tcp.rules import Params, View
from tcpverify.spec.tcp.segment import Segment
from tcpverify.spec.tcp.seq import MOD, SeqVal, concrete
from tcpverify.spec.tcp.states import (CLOSE_WAIT, CLOSED, CLOSING, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
                                       LAST_ACK, LISTEN, SYN_RECEIVED, SYN_SENT, TIME_WAIT, camel)
from tcpverify.spec.tcp.symbolic import Ctx, Decider
from tcpverify.spec.tcp.tcb import Tcb
from tcpverify.spec.world.environment import old_duplicate

A, B = SeqVal("ISS_A", 0), SeqVal("ISS_B", 0)


class Case(NamedTuple):
    rfc: str  # the RFC 9293 section whose rule the case checks
    edge: str
    before: Tcb
    event: str
    seg: Segment | None
    after: Tcb
    sends: tuple[Segment, ...] = ()
    params: Params | None = None  # None: the graph's own


def tcb(state, una, nxt, rcv=None, fin=None, origin="active", **kw) -> Tcb:
    """A's TCB with SND.UNA=ISS_A+una, SND.NXT=ISS_A+nxt, RCV.NXT=ISS_B+rcv, FIN at ISS_A+fin."""
    return Tcb(state=state, origin=origin, iss=A, snd_una=A + una, snd_nxt=A + nxt,
               irs=None if rcv is None else B, rcv_nxt=None if rcv is None else B + rcv,
               fin_seq=None if fin is None else A + fin, incarnations=1, **kw)


def ack(t: Tcb) -> Segment:
    """<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"""
    return Segment(seq=t.snd_nxt, ack=t.rcv_nxt)


LISTENING = Tcb(state=LISTEN, origin="passive")
SYN_SENT_TCB = tcb(SYN_SENT, 0, 1)
# RFC 9293 3.10.7.4 states, each with what the state implies: our FIN sent in FIN-WAIT-1,
# FIN-WAIT-2, CLOSING, LAST-ACK, TIME-WAIT; the peer's FIN received in CLOSE-WAIT, CLOSING,
# LAST-ACK, TIME-WAIT.
OTHER = {
    SYN_RECEIVED: tcb(SYN_RECEIVED, 0, 1, rcv=1, origin="passive"),
    ESTABLISHED: tcb(ESTABLISHED, 1, 1, rcv=1),
    FIN_WAIT_1: tcb(FIN_WAIT_1, 1, 2, rcv=1, fin=1),
    FIN_WAIT_2: tcb(FIN_WAIT_2, 2, 2, rcv=1, fin=1),
    CLOSE_WAIT: tcb(CLOSE_WAIT, 1, 1, rcv=2, fin_rcvd=True),
    CLOSING: tcb(CLOSING, 1, 2, rcv=2, fin=1, fin_rcvd=True),
    LAST_ACK: tcb(LAST_ACK, 1, 2, rcv=2, fin=1, fin_rcvd=True),
    TIME_WAIT: tcb(TIME_WAIT, 2, 2, rcv=2, fin=1, fin_rcvd=True),
}
RESET_SIGNALLED = (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT)
# What each retransmitting state has unacknowledged, and the one segment that resends it.
UNACKED = {
    SYN_SENT: (SYN_SENT_TCB, Segment(seq=A, syn=True)),
    SYN_RECEIVED: (OTHER[SYN_RECEIVED], Segment(seq=A, ack=B + 1, syn=True)),
    ESTABLISHED: (tcb(ESTABLISHED, 1, 2, rcv=1), Segment(seq=A + 1, ack=B + 1, data=1)),
    FIN_WAIT_1: (OTHER[FIN_WAIT_1], Segment(seq=A + 1, ack=B + 1, fin=True)),
    CLOSE_WAIT: (tcb(CLOSE_WAIT, 1, 2, rcv=2, fin_rcvd=True),
                 Segment(seq=A + 1, ack=B + 2, data=1)),
    CLOSING: (OTHER[CLOSING], Segment(seq=A + 1, ack=B + 2, fin=True)),
    LAST_ACK: (OTHER[LAST_ACK], Segment(seq=A + 1, ack=B + 2, fin=True)),
}


def user_call_cases():
    est, cw = OTHER[ESTABLISHED], OTHER[CLOSE_WAIT]
    syn_sent = SYN_SENT_TCB
    yield Case("3.10.1", "PassiveOpenInClosed", Tcb(), OPEN_PASSIVE, None, LISTENING)
    yield Case("3.10.1", "ActiveOpenInClosed", Tcb(), OPEN_ACTIVE, None, syn_sent,
               (Segment(seq=A, syn=True),))
    # 3.4.1: each incarnation takes a new ISN; a run may fix the ISNs.
    yield Case("3.10.1", "ActiveOpenInClosed", Tcb(incarnations=1), OPEN_ACTIVE, None,
               syn_sent._replace(iss=SeqVal("ISS_A2", 0), snd_una=SeqVal("ISS_A2", 0),
                                 snd_nxt=SeqVal("ISS_A2", 1), incarnations=2),
               (Segment(seq=SeqVal("ISS_A2", 0), syn=True),))
    yield Case("3.10.1", "ActiveOpenInClosed", Tcb(), OPEN_ACTIVE, None,
               syn_sent._replace(iss=concrete(MOD - 1), snd_una=concrete(MOD - 1),
                                 snd_nxt=concrete(0)),
               (Segment(seq=concrete(MOD - 1), syn=True),), Params(isns=(("A", (MOD - 1,)),)))
    # OPEN creates a new TCB: nothing of a connection that ended (here by a reset) carries over.
    ended = OTHER[TIME_WAIT]._replace(state=CLOSED, received=3, error="connection reset")
    a2 = SeqVal("ISS_A2", 0)
    yield Case("3.10.1", "ActiveOpenInClosed", ended, OPEN_ACTIVE, None,
               syn_sent._replace(iss=a2, snd_una=a2, snd_nxt=a2 + 1, incarnations=2),
               (Segment(seq=a2, syn=True),))
    yield Case("3.10.1", "PassiveOpenInClosed", ended, OPEN_PASSIVE, None,
               LISTENING._replace(incarnations=1))
    # LISTEN becomes active: select an ISS, send a SYN, enter SYN-SENT.
    yield Case("3.10.2", "SendInListen", LISTENING, SEND, None, syn_sent,
               (Segment(seq=A, syn=True),))
    for t in (est, cw):
        yield Case("3.10.2", f"SendIn{camel(t.state)}", t, SEND, None,
                   t._replace(snd_nxt=A + 2), (Segment(seq=A + 1, ack=t.rcv_nxt, data=1),))
    yield Case("3.10.4", "CloseInListen", LISTENING, CLOSE, None, LISTENING._replace(state=CLOSED))
    yield Case("3.10.4", "CloseInSynSent", syn_sent, CLOSE, None, syn_sent._replace(state=CLOSED))
    # CLOSE sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>; the FIN takes SND.NXT.
    for t, dst in ((OTHER[SYN_RECEIVED], FIN_WAIT_1), (est, FIN_WAIT_1), (cw, LAST_ACK)):
        yield Case("3.10.4", f"CloseIn{camel(t.state)}", t, CLOSE, None,
                   t._replace(state=dst, fin_seq=t.snd_nxt, snd_nxt=t.snd_nxt + 1),
                   (Segment(seq=t.snd_nxt, ack=t.rcv_nxt, fin=True),))
    # ABORT: <SEQ=SND.NXT><CTL=RST> in SYN-RECEIVED and the states where data may flow;
    # once synchronized the reset carries <ACK=RCV.NXT> too (3.1).
    t = OTHER[SYN_RECEIVED]
    yield Case("3.10.5", "AbortInSynReceived", t, ABORT, None,
               t._replace(state=CLOSED, error="aborted"), (Segment(seq=t.snd_nxt, rst=True),))
    for s in (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT):
        t = OTHER[s]
        yield Case("3.10.5", f"AbortIn{camel(s)}", t, ABORT, None,
                   t._replace(state=CLOSED, error="aborted"),
                   (Segment(seq=t.snd_nxt, ack=t.rcv_nxt, rst=True),))
    # 3.6.1: CLOSE while received data is unread: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>.
    for t in (est, cw):
        unread = t._replace(received=3)
        yield Case("3.6.1", f"CloseWithUnreadDataIn{camel(t.state)}", unread, CLOSE_UNREAD, None,
                   unread._replace(state=CLOSED, error="aborted"),
                   (Segment(seq=t.snd_nxt, ack=t.rcv_nxt, rst=True),))
    for t in (LISTENING, syn_sent, OTHER[CLOSING], OTHER[LAST_ACK], OTHER[TIME_WAIT]):
        yield Case("3.10.5", f"AbortIn{camel(t.state)}", t, ABORT, None,
                   t._replace(state=CLOSED, error="aborted"))


def closed_and_listen_cases():
    closed = Tcb()
    yield Case("3.10.7.1", "DropRstInClosed", closed, SEGMENT, Segment(seq=B, rst=True), closed)
    yield Case("3.10.7.1", "DropRstInClosed", closed, SEGMENT,
               Segment(seq=B, ack=A, rst=True), closed)
    # ACK on: <SEQ=SEG.ACK><CTL=RST>; ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
    yield Case("3.10.7.1", "RcvSegmentInClosed", closed, SEGMENT, Segment(seq=B, ack=A + 1),
               closed, (Segment(seq=A + 1, rst=True),))
    yield Case("3.10.7.1", "RcvSegmentInClosed", closed, SEGMENT, Segment(seq=B, syn=True),
               closed, (Segment(seq=concrete(0), ack=B + 1, rst=True),))
    yield Case("3.10.7.1", "RcvSegmentInClosed", closed, SEGMENT,
               Segment(seq=B, fin=True, data=2), closed,
               (Segment(seq=concrete(0), ack=B + 3, rst=True),))
    yield Case("3.10.7.2", "DropRstInListen", LISTENING, SEGMENT,
               Segment(seq=B, ack=A, rst=True), LISTENING)
    # Any ACK in LISTEN is bad, a SYN,ACK too: the ACK check comes before the SYN check.
    yield Case("3.10.7.2", "RcvAckInListen", LISTENING, SEGMENT, Segment(seq=B, ack=A + 1),
               LISTENING, (Segment(seq=A + 1, rst=True),))
    yield Case("3.10.7.2", "RcvAckInListen", LISTENING, SEGMENT,
               Segment(seq=B, ack=A + 7, syn=True), LISTENING, (Segment(seq=A + 7, rst=True),))
    yield Case("3.10.7.2", "RcvSynInListen", LISTENING, SEGMENT, Segment(seq=B, syn=True),
               OTHER[SYN_RECEIVED], (Segment(seq=A, ack=B + 1, syn=True),))
    yield Case("3.10.7.2", "DropInListen", LISTENING, SEGMENT, Segment(seq=B, fin=True),
               LISTENING)


def syn_sent_cases():
    t = SYN_SENT_TCB
    # First, the ACK: SEG.ACK =< ISS or SEG.ACK > SND.NXT is bad: RST unless RST is set.
    for bad in (A, A + 2):
        yield Case("3.10.7.3", "DropBadAckRstInSynSent", t, SEGMENT,
                   Segment(seq=B, ack=bad, rst=True), t)
        yield Case("3.10.7.3", "RcvBadAckInSynSent", t, SEGMENT,
                   Segment(seq=B, ack=bad, syn=True), t, (Segment(seq=bad, rst=True),))
    # Second, the RST: with an acceptable ACK, "connection reset"; without an ACK, drop.
    yield Case("3.10.7.3", "RcvRstInSynSent", t, SEGMENT, Segment(seq=B, ack=A + 1, rst=True),
               t._replace(state=CLOSED, error="connection reset"))
    yield Case("3.10.7.3", "DropRstInSynSent", t, SEGMENT, Segment(seq=B, rst=True), t)
    # Fourth, the SYN: acknowledged, ESTABLISHED and ACK it; else SYN-RECEIVED (simultaneous open).
    yield Case("3.10.7.3", "RcvSynAckInSynSent", t, SEGMENT,
               Segment(seq=B, ack=A + 1, syn=True), OTHER[ESTABLISHED],
               (Segment(seq=A + 1, ack=B + 1),))
    yield Case("3.10.7.3", "RcvSynInSynSent", t, SEGMENT, Segment(seq=B, syn=True),
               OTHER[SYN_RECEIVED]._replace(origin="active"),  # MUST-11: keeps its origin
               (Segment(seq=A, ack=B + 1, syn=True),))
    # Data and a FIN on the SYN,ACK are taken with it (3.10.7.3: "continue processing at the
    # sixth step"): RCV.NXT moves past them, and the FIN leads on to CLOSE-WAIT.
    yield Case("3.10.7.3", "RcvSynAckInSynSent", t, SEGMENT,
               Segment(seq=B, ack=A + 1, syn=True, data=3),
               OTHER[ESTABLISHED]._replace(rcv_nxt=B + 4, received=3),
               (Segment(seq=A + 1, ack=B + 4),))
    yield Case("3.10.7.3", "RcvSynAckFinInSynSent", t, SEGMENT,
               Segment(seq=B, ack=A + 1, syn=True, fin=True, data=2),
               OTHER[ESTABLISHED]._replace(state=CLOSE_WAIT, rcv_nxt=B + 4, received=2,
                                           fin_rcvd=True),
               (Segment(seq=A + 1, ack=B + 4),))
    # Fifth, neither SYN nor RST: drop.
    yield Case("3.10.7.3", "DropInSynSent", t, SEGMENT, Segment(seq=B, ack=A + 1), t)
    yield Case("3.10.7.3", "DropInSynSent", t, SEGMENT, Segment(seq=B, fin=True), t)


def other_state_cases():
    """The checks of RFC 9293 3.10.7.4, in its order, in each state it lists."""
    for s, t in OTHER.items():
        c, nxt = camel(s), t.rcv_nxt
        # First, the sequence number (Table 6): unacceptable RST dropped, else ACK and drop.
        yield Case("3.10.7.4", f"DropUnacceptableRstIn{c}", t, SEGMENT,
                   Segment(seq=nxt + 10, rst=True), t)
        yield Case("3.10.7.4", f"AckUnacceptableIn{c}", t, SEGMENT,
                   Segment(seq=nxt + 10, ack=t.snd_nxt), t, (ack(t),))
        yield Case("3.10.7.4", f"AckUnacceptableIn{c}", t, SEGMENT,
                   Segment(seq=nxt + (-2), ack=t.snd_nxt, data=1), t, (ack(t),))
        # Second, the RST: exactly RCV.NXT resets (RFC 5961 3.2); elsewhere in window, a
        # challenge ACK.
        rst = Segment(seq=nxt, rst=True)
        if s == SYN_RECEIVED:
            yield Case("3.10.7.4", "RcvRstInSynReceived", t, SEGMENT, rst,
                       LISTENING._replace(incarnations=1))
            active = t._replace(origin="active")
            yield Case("3.10.7.4", "RcvRefusalInSynReceived", active, SEGMENT, rst,
                       active._replace(state=CLOSED, error="connection refused"))
        else:
            error = "connection reset" if s in RESET_SIGNALLED else None
            yield Case("3.10.7.4", f"RcvRstIn{c}", t, SEGMENT, rst,
                       t._replace(state=CLOSED, error=error))
        yield Case("3.10.7.4", f"ChallengeAckRstIn{c}", t, SEGMENT,
                   Segment(seq=nxt + 3, rst=True), t, (ack(t),))
        # Fourth, the SYN: SYN-RECEIVED from LISTEN goes back; otherwise a challenge ACK
        # (RFC 5961 4.2).
        syn = Segment(seq=nxt, syn=True)
        if s == SYN_RECEIVED:
            yield Case("3.10.7.4", "RcvSynInSynReceived", t, SEGMENT, syn,
                       LISTENING._replace(incarnations=1))
            t = t._replace(origin="active")
        yield Case("3.10.7.4", f"ChallengeAckSynIn{c}", t, SEGMENT, syn, t, (ack(t),))
        # Beyond RCV.NXT, in the window: acknowledged and dropped (the model's stand-in for
        # SHLD-31's holding).
        yield Case("3.10.7.4", f"HoldFutureIn{c}", t, SEGMENT,
                   Segment(seq=nxt + 1, ack=t.snd_nxt, data=1), t, (ack(t),))
        # Fifth, the ACK field: no ACK bit, drop (its text is not taken).
        yield Case("3.10.7.4", f"DropNoAckIn{c}", t, SEGMENT, Segment(seq=nxt, data=1), t)
        if s != SYN_RECEIVED:
            # SEG.ACK > SND.NXT: send an ACK, drop the segment.
            yield Case("3.10.7.4", f"AckUnsentIn{c}", t, SEGMENT,
                       Segment(seq=nxt, ack=t.snd_nxt + 1, data=1), t, (ack(t),))
            # A duplicate ACK is ignored.
            yield Case("3.10.7.4", f"RcvSegmentIn{c}", t, SEGMENT,
                       Segment(seq=nxt, ack=t.snd_una), t)

    sr = OTHER[SYN_RECEIVED]
    # SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT enters ESTABLISHED; else <SEQ=SEG.ACK><CTL=RST>.
    for bad in (A, A + 2):
        yield Case("3.10.7.4", "RcvBadAckInSynReceived", sr, SEGMENT,
                   Segment(seq=B + 1, ack=bad), sr, (Segment(seq=bad, rst=True),))
    yield Case("3.10.7.4", "RcvAckOfSynInSynReceived", sr, SEGMENT,
               Segment(seq=B + 1, ack=A + 1), sr._replace(state=ESTABLISHED, snd_una=A + 1))
    # ... and a FIN with it: eighth check, SYN-RECEIVED enters CLOSE-WAIT.
    yield Case("3.10.7.4", "RcvAckOfSynAndFinInSynReceived", sr, SEGMENT,
               Segment(seq=B + 1, ack=A + 1, fin=True),
               OTHER[CLOSE_WAIT]._replace(origin="passive", snd_una=A + 1),
               (Segment(seq=A + 1, ack=B + 2),))

    est = OTHER[ESTABLISHED]
    # Fifth: SND.UNA advances; seventh: text from RCV.NXT is taken and ACKed (a straddling
    # segment's old part trimmed).
    sending = tcb(ESTABLISHED, 1, 2, rcv=1, retries=1)
    yield Case("3.10.7.4", "RcvSegmentInEstablished", sending, SEGMENT,
               Segment(seq=B + 1, ack=A + 2), sending._replace(snd_una=A + 2, retries=0))
    yield Case("3.10.7.4", "RcvSegmentInEstablished", est, SEGMENT,
               Segment(seq=B + 1, ack=A + 1, data=1), est._replace(rcv_nxt=B + 2, received=1),
               (Segment(seq=A + 1, ack=B + 2),))
    yield Case("3.10.7.4", "RcvSegmentInEstablished", est, SEGMENT,
               Segment(seq=B, ack=A + 1, data=2), est._replace(rcv_nxt=B + 2, received=1),
               (Segment(seq=A + 1, ack=B + 2),))
    # Eighth, the FIN: advance RCV.NXT over it, ACK it; ESTABLISHED enters CLOSE-WAIT.
    yield Case("3.10.7.4", "RcvFinInEstablished", est, SEGMENT,
               Segment(seq=B + 1, ack=A + 1, fin=True), OTHER[CLOSE_WAIT],
               (Segment(seq=A + 1, ack=B + 2),))
    yield Case("3.10.7.4", "RcvFinInEstablished", est, SEGMENT,
               Segment(seq=B + 1, ack=A + 1, fin=True, data=1),
               OTHER[CLOSE_WAIT]._replace(rcv_nxt=B + 3, received=1),
               (Segment(seq=A + 1, ack=B + 3),))

    fw1, fw2 = OTHER[FIN_WAIT_1], OTHER[FIN_WAIT_2]
    # FIN-WAIT-1: FIN and our FIN ACKed, TIME-WAIT; FIN alone, CLOSING; our FIN ACKed, FIN-WAIT-2.
    yield Case("3.10.7.4", "RcvFinAckOfFinInFinWait1", fw1, SEGMENT,
               Segment(seq=B + 1, ack=A + 2, fin=True),
               OTHER[TIME_WAIT], (Segment(seq=A + 2, ack=B + 2),))
    yield Case("3.10.7.4", "RcvFinInFinWait1", fw1, SEGMENT,
               Segment(seq=B + 1, ack=A + 1, fin=True),
               OTHER[CLOSING], (Segment(seq=A + 2, ack=B + 2),))
    yield Case("3.10.7.4", "RcvAckOfFinInFinWait1", fw1, SEGMENT, Segment(seq=B + 1, ack=A + 2),
               fw2)
    yield Case("3.10.7.4", "RcvSegmentInFinWait1", fw1, SEGMENT,
               Segment(seq=B + 1, ack=A + 1, data=1), fw1._replace(rcv_nxt=B + 2, received=1),
               (Segment(seq=A + 2, ack=B + 2),))
    # FIN-WAIT-2: a FIN enters TIME-WAIT; text is still received.
    yield Case("3.10.7.4", "RcvFinInFinWait2", fw2, SEGMENT,
               Segment(seq=B + 1, ack=A + 2, fin=True),
               OTHER[TIME_WAIT], (Segment(seq=A + 2, ack=B + 2),))
    yield Case("3.10.7.4", "RcvSegmentInFinWait2", fw2, SEGMENT,
               Segment(seq=B + 1, ack=A + 2, data=1), fw2._replace(rcv_nxt=B + 2, received=1),
               (Segment(seq=A + 2, ack=B + 2),))

    # CLOSE-WAIT: the ACK as in ESTABLISHED; the text is ignored (the peer's FIN is in).
    cw_sending = tcb(CLOSE_WAIT, 1, 2, rcv=2, fin_rcvd=True)
    yield Case("3.10.7.4", "RcvSegmentInCloseWait", cw_sending, SEGMENT,
               Segment(seq=B + 2, ack=A + 2, data=1), cw_sending._replace(snd_una=A + 2))
    # CLOSING and LAST-ACK: the ACK of our FIN leads on; TIME-WAIT: an ACK changes nothing.
    yield Case("3.10.7.4", "RcvAckOfFinInClosing", OTHER[CLOSING], SEGMENT,
               Segment(seq=B + 2, ack=A + 2), OTHER[TIME_WAIT])
    yield Case("3.10.7.4", "RcvAckOfFinInLastAck", OTHER[LAST_ACK], SEGMENT,
               Segment(seq=B + 2, ack=A + 2), OTHER[LAST_ACK]._replace(state=CLOSED, snd_una=A + 2))
    tw = OTHER[TIME_WAIT]
    # TIME-WAIT: the retransmitted FIN is ACKed again (and 2MSL restarts).
    yield Case("3.10.7.4", "RcvFinInTimeWait", tw, SEGMENT,
               Segment(seq=B + 1, ack=A + 2, fin=True), tw, (Segment(seq=A + 2, ack=B + 2),))


def timer_cases():
    for s, (t, resent) in UNACKED.items():
        yield Case("3.8.1", f"RetransmitIn{camel(s)}", t, RTO, None,
                   t._replace(retries=1), (resent,))
        # With retries=None the connection never gives up, and the count stays.
        yield Case("3.8.1", f"RetransmitIn{camel(s)}", t._replace(retries=5), RTO, None,
                   t._replace(retries=5), (resent,), Params(retries=None))
        # 3.8.3, 3.10.8: the user timeout: "connection aborted due to user timeout".
        yield Case("3.10.8", f"GiveUpIn{camel(s)}", t._replace(retries=2), RTO, None,
                   t._replace(state=CLOSED, retries=2, error="user timeout"))
    fw1 = tcb(FIN_WAIT_1, 1, 3, rcv=1, fin=2)  # data and FIN outstanding: one segment resends both
    yield Case("3.8.1", "RetransmitInFinWait1", fw1, RTO, None, fw1._replace(retries=1),
               (Segment(seq=A + 1, ack=B + 1, fin=True, data=1),))
    yield Case("3.10.8", "TimeoutInTimeWait", OTHER[TIME_WAIT], MSL2, None,
               OTHER[TIME_WAIT]._replace(state=CLOSED))
    # 3.8.4: the probe <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>, only with nothing unacknowledged.
    for s in (ESTABLISHED, CLOSE_WAIT):
        t = OTHER[s]
        yield Case("3.8.4", f"KeepAliveIn{camel(s)}", t, KEEPALIVE, None, t,
                   (Segment(seq=t.snd_nxt + -1, ack=t.rcv_nxt),))
    # 3.5.1: a crash loses the connection's memory, nothing is sent; 3.4.3: the ISN count stays.
    for t in (OTHER[ESTABLISHED], LISTENING):
        yield Case("3.5.1", f"CrashIn{camel(t.state)}", t, CRASH, None,
                   Tcb(incarnations=t.incarnations, error="host crash"))


CASES = [*user_call_cases(), *closed_and_listen_cases(), *syn_sent_cases(),
         *other_state_cases(), *timer_cases()]


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.edge}-RFC{c.rfc}") for c in CASES])
def test_edge(case: Case):
    decider = Decider()
    name, after, sent = fire(case.before, case.event, case.seg, params=case.params,
                             decider=decider)
    assert (name, after, sent) == (case.edge, case.after, case.sends)
    assert decider.queries == 0  # one base per comparison: offsets decide, Z3 is not asked


def test_every_edge_has_a_case():
    graph = build_graph()
    assert {c.edge for c in CASES} == {k for _, _, k in graph.edges(keys=True)}
    cited = {k: d["rfc"] for _, _, k, d in graph.edges(keys=True, data=True)}
    assert [c for c in CASES if not cited[c.edge].startswith(c.rfc)
            and c.rfc not in cited[c.edge]] == []


# ------------------------------------------------------------ Table 6, RFC 9293 3.10.7.4

NEAR_WRAP = concrete(MOD - 2)  # the window [2^32-2, 2^32+2) wraps through 0


@pytest.mark.parametrize("wnd, length, start, acceptable", [
    # SEG.LEN = 0, RCV.WND = 0: SEG.SEQ = RCV.NXT
    (0, 0, 0, True), (0, 0, 1, False), (0, 0, -1, False),
    # SEG.LEN = 0, RCV.WND > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND
    (4, 0, -1, False), (4, 0, 0, True), (4, 0, 3, True), (4, 0, 4, False),
    # SEG.LEN > 0, RCV.WND = 0: not acceptable
    (0, 1, 0, False), (0, 3, -1, False),
    # SEG.LEN > 0, RCV.WND > 0: the first or the last octet in the window
    (4, 2, -2, False), (4, 2, -1, True), (4, 1, 3, True), (4, 3, 3, True), (4, 1, 4, False),
    # Covering the whole window, neither end is in it: Table 6 taken literally rejects it.
    (4, 6, -1, False),
])
def test_table_6_acceptability(wnd, length, start, acceptable):
    t = OTHER[ESTABLISHED]._replace(rcv_nxt=NEAR_WRAP, rcv_wnd=wnd)
    seg = Segment(seq=NEAR_WRAP + start, ack=A + 1, data=length)
    view = View("A", t, seg, Ctx(Decider(), frozenset(), ()), Params())
    assert view.acceptable() == acceptable
    name, _, sent = fire(t, SEGMENT, seg)
    assert name.startswith("AckUnacceptable") == (not acceptable)


def test_zero_window_still_takes_a_valid_ack():
    # RFC 9293 3.10.7.4: "special allowance should be made to accept valid ACKs".
    t = tcb(ESTABLISHED, 1, 2, rcv=1, rcv_wnd=0)
    assert fire(t, SEGMENT, Segment(seq=B + 1, ack=A + 2)) == (
        "RcvSegmentInEstablished", t._replace(snd_una=A + 2), ())
    assert fire(t, SEGMENT, Segment(seq=B + 1, ack=A + 2, data=1)) == (
        "AckUnacceptableInEstablished", t, (ack(t),))


@pytest.mark.parametrize("state, kind", [
    *((ESTABLISHED, k) for k in ("SYN", "ACK", "FIN", "RST", "DATA")),
    (TIME_WAIT, "FIN"), (TIME_WAIT, "RST"),
])
def test_old_duplicate_is_never_acceptable(state, kind):
    """Across bases Z3 decides: an old duplicate (at least FAR from the ISNs, RFC 9293 3.4.1)
    fails the sequence check on every branch."""
    t = OTHER[state]
    drop = f"DropUnacceptableRstIn{camel(state)}"
    want = {"RST": drop, "FIN": "RcvFinInTimeWait" if state == TIME_WAIT else None}.get(kind)
    outcomes = fire_branches(t, SEGMENT, old_duplicate(kind, 1))
    assert {r[0] for r, _ in outcomes} == {want or f"AckUnacceptableIn{camel(state)}"}


@pytest.mark.parametrize("state", [ESTABLISHED, CLOSE_WAIT])
def test_a_keep_alive_probe_is_answered_with_an_ack(state):
    """3.8.4: the peer finds the probe unacceptable (before RCV.NXT) and acknowledges (3.10.7.4)."""
    prober = OTHER[state]
    (probe,) = fire(prober, KEEPALIVE, None)[2]
    peer = Tcb(state=FIN_WAIT_2 if state == CLOSE_WAIT else ESTABLISHED, origin="passive",
               iss=B, irs=A, snd_una=prober.rcv_nxt, snd_nxt=prober.rcv_nxt, rcv_nxt=A + 1)
    name, after, sent = fire(peer, SEGMENT, probe)
    assert (name, after) == (f"AckUnacceptableIn{camel(peer.state)}", peer)
    assert sent == (Segment(seq=peer.snd_nxt, ack=peer.rcv_nxt),)
    # data outstanding: no probe
    assert fire_branches(UNACKED[ESTABLISHED][0], KEEPALIVE) == [(None, frozenset())]


def test_no_timer_fires_with_nothing_unacknowledged():
    for t in (OTHER[ESTABLISHED], OTHER[CLOSE_WAIT]):
        assert fire_branches(t, RTO) == [(None, frozenset())]
    assert not MACHINE.handles(FIN_WAIT_2, RTO) and not MACHINE.handles(TIME_WAIT, RTO)
    assert not MACHINE.handles(CLOSED, CLOSE)
