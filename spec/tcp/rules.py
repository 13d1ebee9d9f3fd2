"""The predicates (guards) and effects (actions) that the state graph's edges name.

A guard is written as words joined by "and", each word a predicate of
``View`` below, optionally negated by "not"; the graph keeps the words, so
the picture and the executed rule cannot drift apart. An action is a function
``View -> (Tcb, segments sent)``; its docstring is its text in the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .segment import Segment
from .seq import SeqVal, concrete, distance
from .symbolic import ISS_PREFIX, Ctx
from .tcb import ABORTED, CONNECTION_REFUSED, CONNECTION_RESET, HOST_CRASH, USER_TIMEOUT, Tcb


@dataclass(frozen=True)
class Params:
    """What the endpoint rules need from the configuration and the variant."""

    retries: int | None = 2  # retransmissions before giving up; None: never
    fin_len: int = 1  # sequence numbers a FIN occupies (RFC 9293 3.4: one)
    isns: tuple[tuple[str, tuple[int, ...]], ...] = ()  # concrete ISNs, for replaying the RFC figures


class View:
    """One event at one endpoint: the TCB, the segment if any, and the predicates."""

    __slots__ = ("me", "tcb", "seg", "ctx", "params", "_len")

    def __init__(self, me: str, tcb: Tcb, seg: Segment | None, ctx: Ctx, params: Params):
        self.me, self.tcb, self.seg, self.ctx, self.params = me, tcb, seg, ctx, params
        self._len = seg.length(params.fin_len) if seg is not None else 0

    # --- flags
    def RST(self):
        return self.seg.rst

    def SYN(self):
        return self.seg.syn

    def FIN(self):
        return self.seg.fin

    def ACK(self):
        return self.seg.ack is not None

    def passive(self):
        return self.tcb.origin == "passive"

    def unacked(self):
        """The retransmission queue holds a SYN, data or a FIN (RFC 9293 3.8.1)."""
        t, c = self.tcb, self.ctx
        if t.snd_una is None:
            return False
        if not c.eq(t.snd_una, t.snd_nxt):
            return True
        return t.fin_seq is not None and c.le(t.snd_una, t.fin_seq)

    def data_received(self):
        """Data has arrived that the application may not have read."""
        return self.tcb.received > 0

    def retries_left(self):
        return self.params.retries is None or self.tcb.retries < self.params.retries

    # --- RFC 9293 3.10.7.4, first check: Table 6
    def acceptable(self):
        t, seg, c = self.tcb, self.seg, self.ctx
        nxt, wnd = t.rcv_nxt, t.rcv_wnd
        if self._len == 0:
            if wnd == 0:
                return c.eq(seg.seq, nxt)
            return c.le(nxt, seg.seq) and c.lt(seg.seq, nxt + wnd)
        if wnd == 0:
            return False
        last = seg.seq + (self._len - 1)
        return ((c.le(nxt, seg.seq) and c.lt(seg.seq, nxt + wnd))
                or (c.le(nxt, last) and c.lt(last, nxt + wnd)))

    def rst_exact(self):
        """RFC 5961 3.2: a RST resets only when SEG.SEQ = RCV.NXT exactly."""
        return self.ctx.eq(self.seg.seq, self.tcb.rcv_nxt)

    def future(self):
        """Begins beyond RCV.NXT: held for later processing (SHLD-31)."""
        return self.ctx.lt(self.tcb.rcv_nxt, self.seg.seq)

    def has_length(self):
        """SEG.LEN > 0: it occupies sequence space (an ACK alone does not)."""
        return self._len > 0

    # --- RFC 9293 3.10.7.3: SYN-SENT's ACK test
    def ack_acceptable(self):
        t, c = self.tcb, self.ctx
        return c.lt(t.iss, self.seg.ack) and c.le(self.seg.ack, t.snd_nxt)

    # --- RFC 9293 3.10.7.4, fifth check
    def acks_new(self):
        """SND.UNA < SEG.ACK =< SND.NXT."""
        t, c = self.tcb, self.ctx
        return c.lt(t.snd_una, self.seg.ack) and c.le(self.seg.ack, t.snd_nxt)

    def ack_unsent(self):
        """SEG.ACK > SND.NXT: acknowledges something not yet sent."""
        return self.ctx.lt(self.tcb.snd_nxt, self.seg.ack)

    def acks_fin(self):
        """After this segment's ACK our FIN is acknowledged."""
        t, c = self.tcb, self.ctx
        if t.fin_seq is None:
            return False
        end = t.fin_seq + self.params.fin_len
        return c.le(end, self.seg.ack) and c.lt(t.fin_seq, self.seg.ack)

    def new_iss(self) -> SeqVal:
        """RFC 9293 3.4.1: a fresh ISN, symbolic unless the run fixes it."""
        n = self.tcb.incarnations
        fixed = dict(self.params.isns).get(self.me, ())
        if n < len(fixed):
            return concrete(fixed[n])
        return SeqVal(iss_base(self.me, n), 0)


def iss_base(me: str, n: int) -> str:
    """The symbolic base of the (n+1)-th ISN an endpoint chooses: ISS_A, ISS_A2, ..."""
    return f"{ISS_PREFIX}{me}" + (str(n + 1) if n else "")


Guard = Callable[[View], bool]


def compile_guard(text: str) -> Guard:
    """'not acceptable and RST' -> a predicate over View."""
    if not text:
        return lambda v: True
    terms = []
    for word in text.split(" and "):
        negate = word.startswith("not ")
        name = word[4:] if negate else word
        fn = getattr(View, name)
        terms.append((fn, negate))

    def guard(v: View) -> bool:
        for fn, negate in terms:
            if fn(v) == negate:
                return False
        return True

    return guard


# ---------------------------------------------------------------- actions

def _ack_segment(t: Tcb) -> Segment:
    return Segment(seq=t.snd_nxt, ack=t.rcv_nxt)


def drop(v: View):
    """discard the segment"""
    return v.tcb, ()


def send_ack(v: View):
    """send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, discard the segment"""
    return v.tcb, (_ack_segment(v.tcb),)


def reset_to_seg_ack(v: View):
    """send <SEQ=SEG.ACK><CTL=RST>"""
    return v.tcb, (Segment(seq=v.seg.ack, rst=True),)


def reply_reset(v: View):
    """send <SEQ=SEG.ACK><CTL=RST> if ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"""
    seg = v.seg
    if seg.ack is not None:
        return v.tcb, (Segment(seq=seg.ack, rst=True),)
    return v.tcb, (Segment(seq=concrete(0), ack=seg.seq + v._len, rst=True),)


def _new_tcb(t: Tcb, origin: str) -> Tcb:
    """RFC 9293 3.10.1: OPEN creates a new TCB; only the window and the ISN count carry over."""
    return Tcb(origin=origin, rcv_wnd=t.rcv_wnd, incarnations=t.incarnations)


def passive_open(v: View):
    """wait for a SYN"""
    return _new_tcb(v.tcb, "passive"), ()


def _send_syn(v: View, origin: str):
    iss = v.new_iss()
    t = _new_tcb(v.tcb, origin)._replace(iss=iss, snd_una=iss, snd_nxt=iss + 1,
                                         incarnations=v.tcb.incarnations + 1)
    return t, (Segment(seq=iss, syn=True),)


def active_open(v: View):
    """select ISS, send <SEQ=ISS><CTL=SYN>, SND.UNA=ISS, SND.NXT=ISS+1"""
    return _send_syn(v, "active")


def send_in_listen(v: View):
    """become active: select ISS, send <SEQ=ISS><CTL=SYN> (the data waits for ESTABLISHED)"""
    return _send_syn(v, "active")


def accept_syn(v: View):
    """IRS=SEG.SEQ, RCV.NXT=SEG.SEQ+1, select ISS, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>"""
    seg = v.seg
    iss = v.new_iss()
    t = v.tcb._replace(irs=seg.seq, rcv_nxt=seg.seq + 1, iss=iss, snd_una=iss,
                       snd_nxt=iss + 1, incarnations=v.tcb.incarnations + 1, retries=0)
    return t, (Segment(seq=iss, ack=t.rcv_nxt, syn=True),)


def accept_syn_ack(v: View):
    """IRS=SEG.SEQ, RCV.NXT=SEG.SEQ+SEG.LEN (its data and FIN taken too), SND.UNA=SEG.ACK,
    send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"""
    seg = v.seg
    # 3.10.7.3: "if there are other controls or text in the segment", process them as in
    # 3.10.7.4 from the sixth check: in order, right after the SYN, so all of it is taken.
    data = seg.data
    t = v.tcb._replace(irs=seg.seq, rcv_nxt=seg.seq + v._len, snd_una=seg.ack, retries=0,
                       received=v.tcb.received + data, fin_rcvd=seg.fin)
    return t, (_ack_segment(t),)


def simultaneous_syn(v: View):
    """IRS=SEG.SEQ, RCV.NXT=SEG.SEQ+1, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>"""
    seg = v.seg
    t = v.tcb._replace(irs=seg.seq, rcv_nxt=seg.seq + 1)
    return t, (Segment(seq=t.iss, ack=t.rcv_nxt, syn=True),)


def back_to_listen(v: View):
    """flush the retransmission queue, forget the half-made connection"""
    return _new_tcb(v.tcb, "passive"), ()


def connection_reset(v: View):
    """signal "connection reset", delete the TCB"""
    return v.tcb._replace(error=CONNECTION_RESET), ()


def connection_refused(v: View):
    """signal "connection refused", delete the TCB"""
    return v.tcb._replace(error=CONNECTION_REFUSED), ()


def _take_ack(t: Tcb, seg: Segment, c: Ctx) -> Tcb:
    if seg.ack is not None and c.lt(t.snd_una, seg.ack) and c.le(seg.ack, t.snd_nxt):
        return t._replace(snd_una=seg.ack, retries=0)
    return t


def process(v: View):
    """SND.UNA=SEG.ACK if new; take in-order data and FIN, RCV.NXT+=their length; ACK them"""
    seg, c = v.seg, v.ctx
    t = _take_ack(v.tcb, seg, c)
    units = v._len - _already_received(t, seg, c, v._len)  # new octets and FIN from RCV.NXT
    if units <= 0:
        return t, ()
    data = units - v.params.fin_len * seg.fin
    t = t._replace(rcv_nxt=t.rcv_nxt + units, received=t.received + max(data, 0),
                   fin_rcvd=t.fin_rcvd or seg.fin)
    return t, (_ack_segment(t),)


def process_ack(v: View):
    """SND.UNA=SEG.ACK if new; the text is ignored, the peer's FIN is already in"""
    return _take_ack(v.tcb, v.seg, v.ctx), ()


def _already_received(t: Tcb, seg: Segment, c: Ctx, length: int) -> int:
    """How much of an acceptable segment lies before RCV.NXT, to be trimmed (RFC 9293 3.10.7.4).

    Across bases the distance is unknown: a segment not starting exactly at
    RCV.NXT then counts as wholly old, and only its ACK field is used.
    """
    if seg.seq.base == t.rcv_nxt.base:
        return min(max(distance(seg.seq, t.rcv_nxt), 0), length)
    return 0 if c.eq(seg.seq, t.rcv_nxt) else length


def _send_fin(v: View):
    t = v.tcb
    fin = Segment(seq=t.snd_nxt, ack=t.rcv_nxt, fin=True)
    return t._replace(fin_seq=t.snd_nxt, snd_nxt=t.snd_nxt + v.params.fin_len), (fin,)


def send_fin(v: View):
    """send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=FIN,ACK>, SND.NXT+=1"""
    return _send_fin(v)


def delete_tcb(v: View):
    """delete the TCB"""
    return v.tcb, ()


def send_data(v: View):
    """send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK><DATA>, SND.NXT+=its length"""
    t = v.tcb
    n = v.seg.data if v.seg is not None else 1  # the octets the user passed; one by default
    seg = Segment(seq=t.snd_nxt, ack=t.rcv_nxt, data=n)
    return t._replace(snd_nxt=t.snd_nxt + n), (seg,)


def abort_with_reset(v: View):
    """send <SEQ=SND.NXT><CTL=RST>, delete the TCB"""
    return v.tcb._replace(error=ABORTED), (Segment(seq=v.tcb.snd_nxt, rst=True),)


def abort_with_reset_ack(v: View):
    """send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, delete the TCB"""
    # 3.10.5 writes <SEQ=SND.NXT><CTL=RST>; once synchronized the ACK is always sent (3.1)
    # and a receiver validates a reset by its SEQ alone (3.5.3): either form is the reset.
    t = v.tcb
    return t._replace(error=ABORTED), (Segment(seq=t.snd_nxt, ack=t.rcv_nxt, rst=True),)


def reset_forms(seg: Segment) -> tuple[Segment, ...]:
    """The forms an ABORT reset from a synchronized state may take on the wire (see above)."""
    return (seg, seg._replace(ack=None)) if seg.rst and seg.ack is not None else (seg,)


def send_keepalive(v: View):
    """send <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>, no data"""
    # 3.8.4: a probe the peer finds unacceptable (SEQ before RCV.NXT), so it answers with
    # an ACK (3.10.7.4, first check); it changes nothing here.
    t = v.tcb
    return t, (Segment(seq=t.snd_nxt + -1, ack=t.rcv_nxt),)


def abort_silently(v: View):
    """delete the TCB"""
    return v.tcb._replace(error=ABORTED), ()


def retransmit(v: View):
    """resend what is unacknowledged from SND.UNA (SYN, data, FIN), retries+=1"""
    t = v.tcb
    counted = t if v.params.retries is None else t._replace(retries=t.retries + 1)
    return counted, (retransmission(v),)


QUEUE_MAX = 3  # a retransmission holds at most a SYN, one octet and a FIN (scenarios send one)


def retransmission(v: View) -> Segment:
    """The one segment that covers the retransmission queue [SND.UNA, SND.NXT)."""
    t, c = v.tcb, v.ctx
    syn = c.eq(t.snd_una, t.iss)
    fin = t.fin_seq is not None
    data = _queued(t, c) - syn - fin * v.params.fin_len
    return Segment(seq=t.snd_una, ack=t.rcv_nxt, syn=syn, fin=fin, data=data)


def _queued(t: Tcb, c: Ctx) -> int:
    """SND.NXT - SND.UNA. Across bases (symbolic TCBs, an ACK with a number of its own) it is
    the first of 0 .. QUEUE_MAX that the path condition allows, branching on each."""
    if t.snd_una.base == t.snd_nxt.base:
        return distance(t.snd_una, t.snd_nxt)
    return next((q for q in range(QUEUE_MAX) if c.eq(t.snd_nxt, t.snd_una + q)), QUEUE_MAX)


def give_up(v: View):
    """signal "connection aborted due to user timeout", delete the TCB (RFC 9293 3.10.8)"""
    return v.tcb._replace(error=USER_TIMEOUT), ()


def time_wait_ack(v: View):
    """send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, restart the 2MSL timer"""
    return v.tcb, (_ack_segment(v.tcb),)


def crash(v: View):
    """forget the connection; only the ISN count survives (3.4.3: the quiet time keeps the
    next ISN clear of this connection's numbers)"""
    return Tcb(rcv_wnd=v.tcb.rcv_wnd, incarnations=v.tcb.incarnations, error=HOST_CRASH), ()


def expire(v: View):
    """delete the TCB"""
    return v.tcb, ()
