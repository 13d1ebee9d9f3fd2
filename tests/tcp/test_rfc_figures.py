"""RFC 9293 Figures 6 to 13 replayed line by line through the spec's own transition function.

Each step fires one event at one peer through ``Machine.fire`` (the checker's
path) and asserts the edge taken, the state after, and every segment sent,
printed as the figure prints it. Where RFC 9293's event processing (3.10)
does not produce the figure's exchange, or the figure relies on something the
model does not have, the step says so in a comment marked FINDING or MODEL.
"""

from __future__ import annotations

from firing import fire, fire_branches

from tcpverify.spec.tcp.machine import CLOSE, MSL2, OPEN_ACTIVE, OPEN_PASSIVE, RTO, SEGMENT, SEND
from tcpverify.spec.tcp.rules import Params
from tcpverify.spec.tcp.segment import Segment
from tcpverify.spec.tcp.seq import SeqVal, concrete
from tcpverify.spec.tcp.states import (CLOSE_WAIT, CLOSED, CLOSING, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
                                       LAST_ACK, LISTEN, SYN_RECEIVED, SYN_SENT, TIME_WAIT)
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.tcb import Tcb
from tcpverify.spec.world.environment import PEER, old_duplicate


class Replay:
    """Two peers and the segments travelling to each, driven one figure line at a time."""

    def __init__(self, **isns: tuple[int, ...]):
        self.params = Params(isns=tuple(sorted(isns.items())))
        self.decider = Decider()
        self.tcb = {"A": Tcb(), "B": Tcb()}
        self.wire: dict[str, list[Segment]] = {"A": [], "B": []}  # segments travelling to A, to B

    def call(self, x: str, event: str, **expect) -> Tcb:
        """A user call or a timer at x."""
        return self._step(x, event, None, **expect)

    def deliver(self, x: str, which: str | None = None, **expect) -> Tcb:
        """The oldest segment travelling to x arrives, or the one printed as ``which``."""
        wire = self.wire[x]
        k = 0 if which is None else [str(s) for s in wire].index(which)
        return self._step(x, SEGMENT, wire.pop(k), **expect)

    def inject(self, x: str, seg: Segment) -> None:
        """A segment the figure makes appear in the network (an old duplicate)."""
        self.wire[x].append(seg)

    def _step(self, x, event, seg, *, edge: str, state: str, sends: tuple[str, ...] = ()) -> Tcb:
        """Fire x's state graph. Where Z3 splits on symbolic numbers, every branch must agree,
        so the step holds whatever the numbers are."""
        outcomes = {result for result, _ in fire_branches(self.tcb[x], event, seg, me=x,
                                                          params=self.params, decider=self.decider)}
        assert len(outcomes) == 1, outcomes
        name, tcb, sent = outcomes.pop()
        assert (name, tcb.state, tuple(str(s) for s in sent)) == (edge, state, sends)
        self.tcb[x] = tcb
        self.wire[PEER[x]] += sent
        return tcb


def synchronized(**isns: tuple[int, ...]) -> Replay:
    """Both peers ESTABLISHED through the spec's own handshake (Figure 6, lines 1 to 4)."""
    r = Replay(**isns)
    r.call("B", OPEN_PASSIVE, edge="PassiveOpenInClosed", state=LISTEN)
    r.call("A", OPEN_ACTIVE, edge="ActiveOpenInClosed", state=SYN_SENT,
           sends=(f"<SEQ={isns['A'][0]}><CTL=SYN>",))
    r.deliver("B", edge="RcvSynInListen", state=SYN_RECEIVED,
              sends=(f"<SEQ={isns['B'][0]}><ACK={isns['A'][0] + 1}><CTL=SYN,ACK>",))
    r.deliver("A", edge="RcvSynAckInSynSent", state=ESTABLISHED,
              sends=(f"<SEQ={isns['A'][0] + 1}><ACK={isns['B'][0] + 1}><CTL=ACK>",))
    r.deliver("B", edge="RcvAckOfSynInSynReceived", state=ESTABLISHED)
    assert r.wire == {"A": [], "B": []}
    return r


def test_figure_6_basic_three_way_handshake():
    r = Replay(A=(100,), B=(300,))
    # 1.  CLOSED                                               LISTEN
    r.call("B", OPEN_PASSIVE, edge="PassiveOpenInClosed", state=LISTEN)
    # 2.  SYN-SENT    --> <SEQ=100><CTL=SYN>               --> SYN-RECEIVED
    r.call("A", OPEN_ACTIVE, edge="ActiveOpenInClosed", state=SYN_SENT,
           sends=("<SEQ=100><CTL=SYN>",))
    b = r.deliver("B", edge="RcvSynInListen", state=SYN_RECEIVED,
                  sends=("<SEQ=300><ACK=101><CTL=SYN,ACK>",))
    assert (b.irs, b.rcv_nxt, b.snd_una, b.snd_nxt) == tuple(map(concrete, (100, 101, 300, 301)))
    # 3.  ESTABLISHED <-- <SEQ=300><ACK=101><CTL=SYN,ACK>  <-- SYN-RECEIVED
    a = r.deliver("A", edge="RcvSynAckInSynSent", state=ESTABLISHED,
                  sends=("<SEQ=101><ACK=301><CTL=ACK>",))
    assert (a.irs, a.rcv_nxt, a.snd_una, a.snd_nxt) == tuple(map(concrete, (300, 301, 101, 101)))
    # 4.  ESTABLISHED --> <SEQ=101><ACK=301><CTL=ACK>       --> ESTABLISHED
    b = r.deliver("B", edge="RcvAckOfSynInSynReceived", state=ESTABLISHED)
    assert b.snd_una == concrete(301)
    # 5.  ESTABLISHED --> <SEQ=101><ACK=301><CTL=ACK><DATA> --> ESTABLISHED
    # MODEL: a SEND carries one octet; B's acknowledgment of it is not drawn in the figure.
    r.call("A", SEND, edge="SendInEstablished", state=ESTABLISHED,
           sends=("<SEQ=101><ACK=301><CTL=ACK><DATA=1>",))
    b = r.deliver("B", edge="RcvSegmentInEstablished", state=ESTABLISHED,
                  sends=("<SEQ=301><ACK=102><CTL=ACK>",))
    assert (b.rcv_nxt, b.received) == (concrete(102), 1)


def test_figure_7_simultaneous_open():
    r = Replay(A=(100,), B=(300,))
    # 1.  CLOSED                                           CLOSED
    # 2.  SYN-SENT     --> <SEQ=100><CTL=SYN>              ...
    r.call("A", OPEN_ACTIVE, edge="ActiveOpenInClosed", state=SYN_SENT,
           sends=("<SEQ=100><CTL=SYN>",))
    # 3.  SYN-RECEIVED <-- <SEQ=300><CTL=SYN>              <-- SYN-SENT
    r.call("B", OPEN_ACTIVE, edge="ActiveOpenInClosed", state=SYN_SENT,
           sends=("<SEQ=300><CTL=SYN>",))
    # (A sends at once the SYN,ACK that line 5 shows)
    r.deliver("A", edge="RcvSynInSynSent", state=SYN_RECEIVED,
              sends=("<SEQ=100><ACK=301><CTL=SYN,ACK>",))
    # 4.               ... <SEQ=100><CTL=SYN>              --> SYN-RECEIVED
    # (B sends at once the SYN,ACK that line 6 shows)
    r.deliver("B", edge="RcvSynInSynSent", state=SYN_RECEIVED,
              sends=("<SEQ=300><ACK=101><CTL=SYN,ACK>",))
    # 5.  SYN-RECEIVED --> <SEQ=100><ACK=301><CTL=SYN,ACK> ...
    # 6.  ESTABLISHED  <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED
    # FINDING: line 6 says A, in SYN-RECEIVED, becomes ESTABLISHED on B's SYN,ACK. Under
    # RFC 9293 3.10.7.4 the sequence check comes first: the SYN occupies 300 and RCV.NXT is
    # already 301, so the segment is not acceptable (Table 6, SEG.LEN > 0); A sends an ACK
    # and drops it. B does the same at line 7. Each peer becomes ESTABLISHED on the
    # other's ACK: two segments the figure does not draw.
    r.deliver("A", edge="AckUnacceptableInSynReceived", state=SYN_RECEIVED,
              sends=("<SEQ=101><ACK=301><CTL=ACK>",))
    # 7.               ... <SEQ=100><ACK=301><CTL=SYN,ACK> --> ESTABLISHED
    r.deliver("B", edge="AckUnacceptableInSynReceived", state=SYN_RECEIVED,
              sends=("<SEQ=301><ACK=101><CTL=ACK>",))
    a = r.deliver("A", edge="RcvAckOfSynInSynReceived", state=ESTABLISHED)
    b = r.deliver("B", edge="RcvAckOfSynInSynReceived", state=ESTABLISHED)
    assert (a.snd_una, a.rcv_nxt, b.snd_una, b.rcv_nxt) == tuple(map(concrete, (101, 301, 301, 101)))
    assert (a.origin, b.origin) == ("active", "active")  # MUST-11


def test_figure_8_recovery_from_old_duplicate_syn():
    r = Replay(A=(100,), B=(300, 400))
    # 1.  CLOSED                                               LISTEN
    r.call("B", OPEN_PASSIVE, edge="PassiveOpenInClosed", state=LISTEN)
    # 2.  SYN-SENT    --> <SEQ=100><CTL=SYN>               ...
    r.call("A", OPEN_ACTIVE, edge="ActiveOpenInClosed", state=SYN_SENT,
           sends=("<SEQ=100><CTL=SYN>",))
    # 3.  (duplicate) ... <SEQ=90><CTL=SYN>               --> SYN-RECEIVED
    r.inject("B", Segment(seq=concrete(90), syn=True, old=True))
    r.deliver("B", "<SEQ=90><CTL=SYN> (old duplicate)", edge="RcvSynInListen",
              state=SYN_RECEIVED, sends=("<SEQ=300><ACK=91><CTL=SYN,ACK>",))
    # 4.  SYN-SENT    <-- <SEQ=300><ACK=91><CTL=SYN,ACK>  <-- SYN-RECEIVED
    # 5.  SYN-SENT    --> <SEQ=91><CTL=RST>               --> LISTEN
    r.deliver("A", edge="RcvBadAckInSynSent", state=SYN_SENT, sends=("<SEQ=91><CTL=RST>",))
    b = r.deliver("B", "<SEQ=91><CTL=RST>", edge="RcvRstInSynReceived", state=LISTEN)
    assert (b.iss, b.irs, b.rcv_nxt, b.origin) == (None, None, None, "passive")
    # 6.              ... <SEQ=100><CTL=SYN>               --> SYN-RECEIVED
    # 7.  ESTABLISHED <-- <SEQ=400><ACK=101><CTL=SYN,ACK>  <-- SYN-RECEIVED
    r.deliver("B", edge="RcvSynInListen", state=SYN_RECEIVED,
              sends=("<SEQ=400><ACK=101><CTL=SYN,ACK>",))
    # 8.  ESTABLISHED --> <SEQ=101><ACK=401><CTL=ACK>      --> ESTABLISHED
    r.deliver("A", edge="RcvSynAckInSynSent", state=ESTABLISHED,
              sends=("<SEQ=101><ACK=401><CTL=ACK>",))
    b = r.deliver("B", edge="RcvAckOfSynInSynReceived", state=ESTABLISHED)
    assert (b.irs, b.rcv_nxt, b.snd_una) == tuple(map(concrete, (100, 101, 401)))


def test_figure_8_for_every_isn_pair_and_old_syn():
    """Figure 8 with symbolic ISNs and the model's old duplicate SYN, which RFC 9293 3.4.1 keeps
    at least FAR from the ISNs: A's ACK test fails on every branch Z3 leaves open."""
    r = Replay()
    r.call("B", OPEN_PASSIVE, edge="PassiveOpenInClosed", state=LISTEN)
    r.call("A", OPEN_ACTIVE, edge="ActiveOpenInClosed", state=SYN_SENT,
           sends=("<SEQ=ISS_A><CTL=SYN>",))
    r.inject("B", old_duplicate("SYN", 1))
    r.deliver("B", "<SEQ=OLDSEQ1><CTL=SYN> (old duplicate)", edge="RcvSynInListen",
              state=SYN_RECEIVED, sends=("<SEQ=ISS_B><ACK=OLDSEQ1+1><CTL=SYN,ACK>",))
    asked = r.decider.queries + r.decider.cache_hits
    a = r.tcb["A"]
    r.deliver("A", edge="RcvBadAckInSynSent", state=SYN_SENT, sends=("<SEQ=OLDSEQ1+1><CTL=RST>",))
    # decided by Z3, across bases (or by its answer to an earlier Decider of this process)
    assert r.decider.queries + r.decider.cache_hits > asked
    r.deliver("B", "<SEQ=OLDSEQ1+1><CTL=RST>", edge="RcvRstInSynReceived", state=LISTEN)
    r.deliver("B", edge="RcvSynInListen", state=SYN_RECEIVED,
              sends=("<SEQ=ISS_B2><ACK=ISS_A+1><CTL=SYN,ACK>",))
    r.deliver("A", edge="RcvSynAckInSynSent", state=ESTABLISHED,
              sends=("<SEQ=ISS_A+1><ACK=ISS_B2+1><CTL=ACK>",))
    r.deliver("B", edge="RcvAckOfSynInSynReceived", state=ESTABLISHED)
    # Without that distance an old SYN,ACK may acknowledge A's SYN exactly: A would take it.
    z = SeqVal("Z", 0)
    taken = {res[0] for res, _ in fire_branches(
        a, SEGMENT, Segment(seq=SeqVal("ISS_B", 0), ack=z + 1, syn=True))}
    assert taken == {"RcvBadAckInSynSent", "RcvSynAckInSynSent"}


def _rebooted(r: Replay) -> None:
    """A loses its TCB (MODEL: the model has no crash; the TCB is replaced by a fresh one).
    Its ISN clock runs on across the reboot (RFC 9293 3.4.1), so its next ISN is the next
    one listed."""
    r.tcb["A"] = Tcb(incarnations=r.tcb["A"].incarnations)


def test_figure_9_half_open_connection_discovery():
    # MODEL: "send 300, receive 100" is reached by a handshake with ISNs 99 (A) and 299 (B).
    r = synchronized(A=(99, 400), B=(299,))
    # 1.  (REBOOT)                              (send 300,receive 100)
    _rebooted(r)
    # 2.  CLOSED                                           ESTABLISHED
    b = r.tcb["B"]
    assert (r.tcb["A"].state, b.state, b.snd_nxt, b.rcv_nxt) == (
        CLOSED, ESTABLISHED, concrete(300), concrete(100))
    # 3.  SYN-SENT --> <SEQ=400><CTL=SYN>              --> (??)
    r.call("A", OPEN_ACTIVE, edge="ActiveOpenInClosed", state=SYN_SENT,
           sends=("<SEQ=400><CTL=SYN>",))
    # 4.  (!!)     <-- <SEQ=300><ACK=100><CTL=ACK>     <-- ESTABLISHED
    r.deliver("B", edge="AckUnacceptableInEstablished", state=ESTABLISHED,
              sends=("<SEQ=300><ACK=100><CTL=ACK>",))
    # 5.  SYN-SENT --> <SEQ=100><CTL=RST>              --> (Abort!!)
    r.deliver("A", edge="RcvBadAckInSynSent", state=SYN_SENT, sends=("<SEQ=100><CTL=RST>",))
    # 6.  SYN-SENT                                         CLOSED
    b = r.deliver("B", edge="RcvRstInEstablished", state=CLOSED)
    assert b.error == "connection reset"
    # 7.  SYN-SENT --> <SEQ=400><CTL=SYN>              -->
    r.call("A", RTO, edge="RetransmitInSynSent", state=SYN_SENT, sends=("<SEQ=400><CTL=SYN>",))


def test_figure_10_active_side_causes_half_open_connection_discovery():
    r = synchronized(A=(99,), B=(299,))
    # 1.  (REBOOT)                                  (send 300,receive 100)
    _rebooted(r)
    # 2.  (??)    <-- <SEQ=300><ACK=100><DATA=10><CTL=ACK> <-- ESTABLISHED
    # MODEL: a SEND carries one octet, not ten; the reply does not depend on it (checked below).
    r.call("B", SEND, edge="SendInEstablished", state=ESTABLISHED,
           sends=("<SEQ=300><ACK=100><CTL=ACK><DATA=1>",))
    # 3.          --> <SEQ=100><CTL=RST>                   --> (ABORT!!)
    a = r.deliver("A", edge="RcvSegmentInClosed", state=CLOSED, sends=("<SEQ=100><CTL=RST>",))
    b = r.deliver("B", edge="RcvRstInEstablished", state=CLOSED)
    assert b.error == "connection reset"
    ten = Segment(seq=concrete(300), ack=concrete(100), data=10)
    assert fire(a, SEGMENT, ten, params=r.params) == (
        "RcvSegmentInClosed", a, (Segment(seq=concrete(100), rst=True),))


def test_figure_11_old_duplicate_syn_resets_two_passive_sockets():
    # Z and X stay symbolic: Z is the model's old duplicate SYN (OLDSEQ1), X is B's ISN (ISS_B).
    r = Replay()
    # 1.  LISTEN                                        LISTEN
    r.call("A", OPEN_PASSIVE, edge="PassiveOpenInClosed", state=LISTEN)
    r.call("B", OPEN_PASSIVE, edge="PassiveOpenInClosed", state=LISTEN)
    # 2.       ... <SEQ=Z><CTL=SYN>                -->  SYN-RECEIVED
    r.inject("B", old_duplicate("SYN", 1))
    r.deliver("B", edge="RcvSynInListen", state=SYN_RECEIVED,
              sends=("<SEQ=ISS_B><ACK=OLDSEQ1+1><CTL=SYN,ACK>",))
    # 3.  (??) <-- <SEQ=X><ACK=Z+1><CTL=SYN,ACK>   <--  SYN-RECEIVED
    # 4.       --> <SEQ=Z+1><CTL=RST>              -->  (return to LISTEN!)
    r.deliver("A", edge="RcvAckInListen", state=LISTEN, sends=("<SEQ=OLDSEQ1+1><CTL=RST>",))
    # 5.  LISTEN                                        LISTEN
    b = r.deliver("B", edge="RcvRstInSynReceived", state=LISTEN)
    assert b == Tcb(state=LISTEN, origin="passive", incarnations=1)


def test_figure_12_normal_close_sequence():
    # MODEL: "SEQ=100" and "SEQ=300" in ESTABLISHED come from a handshake with ISNs 99 and 299.
    r = synchronized(A=(99,), B=(299,))
    # 1.  ESTABLISHED                                          ESTABLISHED
    # 2.  (Close)
    #     FIN-WAIT-1  --> <SEQ=100><ACK=300><CTL=FIN,ACK>  --> CLOSE-WAIT
    a = r.call("A", CLOSE, edge="CloseInEstablished", state=FIN_WAIT_1,
               sends=("<SEQ=100><ACK=300><CTL=FIN,ACK>",))
    assert (a.fin_seq, a.snd_nxt) == (concrete(100), concrete(101))
    # 3.  FIN-WAIT-2  <-- <SEQ=300><ACK=101><CTL=ACK>      <-- CLOSE-WAIT
    b = r.deliver("B", edge="RcvFinInEstablished", state=CLOSE_WAIT,
                  sends=("<SEQ=300><ACK=101><CTL=ACK>",))
    assert (b.rcv_nxt, b.fin_rcvd) == (concrete(101), True)
    r.deliver("A", edge="RcvAckOfFinInFinWait1", state=FIN_WAIT_2)
    # 4.                                                       (Close)
    #     TIME-WAIT   <-- <SEQ=300><ACK=101><CTL=FIN,ACK>  <-- LAST-ACK
    r.call("B", CLOSE, edge="CloseInCloseWait", state=LAST_ACK,
           sends=("<SEQ=300><ACK=101><CTL=FIN,ACK>",))
    # 5.  TIME-WAIT   --> <SEQ=101><ACK=301><CTL=ACK>      --> CLOSED
    r.deliver("A", edge="RcvFinInFinWait2", state=TIME_WAIT,
              sends=("<SEQ=101><ACK=301><CTL=ACK>",))
    r.deliver("B", edge="RcvAckOfFinInLastAck", state=CLOSED)
    # 6.  (2 MSL)
    #     CLOSED
    r.call("A", MSL2, edge="TimeoutInTimeWait", state=CLOSED)
    assert r.wire == {"A": [], "B": []}


def test_figure_13_simultaneous_close_sequence():
    r = synchronized(A=(99,), B=(299,))
    # 1.  ESTABLISHED                                          ESTABLISHED
    # 2.  (Close)                                              (Close)
    #     FIN-WAIT-1  --> <SEQ=100><ACK=300><CTL=FIN,ACK>  ... FIN-WAIT-1
    #                 <-- <SEQ=300><ACK=100><CTL=FIN,ACK>  <--
    #                 ... <SEQ=100><ACK=300><CTL=FIN,ACK>  -->
    r.call("A", CLOSE, edge="CloseInEstablished", state=FIN_WAIT_1,
           sends=("<SEQ=100><ACK=300><CTL=FIN,ACK>",))
    r.call("B", CLOSE, edge="CloseInEstablished", state=FIN_WAIT_1,
           sends=("<SEQ=300><ACK=100><CTL=FIN,ACK>",))
    # 3.  CLOSING     --> <SEQ=101><ACK=301><CTL=ACK>      ... CLOSING
    #                 <-- <SEQ=301><ACK=101><CTL=ACK>      <--
    #                 ... <SEQ=101><ACK=301><CTL=ACK>      -->
    r.deliver("A", edge="RcvFinInFinWait1", state=CLOSING, sends=("<SEQ=101><ACK=301><CTL=ACK>",))
    r.deliver("B", edge="RcvFinInFinWait1", state=CLOSING, sends=("<SEQ=301><ACK=101><CTL=ACK>",))
    # 4.  TIME-WAIT                                            TIME-WAIT
    r.deliver("A", edge="RcvAckOfFinInClosing", state=TIME_WAIT)
    r.deliver("B", edge="RcvAckOfFinInClosing", state=TIME_WAIT)
    #     (2 MSL)                                              (2 MSL)
    #     CLOSED                                               CLOSED
    r.call("A", MSL2, edge="TimeoutInTimeWait", state=CLOSED)
    r.call("B", MSL2, edge="TimeoutInTimeWait", state=CLOSED)
    assert r.wire == {"A": [], "B": []}
