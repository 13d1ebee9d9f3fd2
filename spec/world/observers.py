"""What the world observes of one step of an endpoint: ghosts of the TCB that the rules never
read, so that a property can judge the rules by what they do, not by what they count
(spec/world/properties.py: blind-reset-resistance, old-duplicates-harmless, no-rst-for-rst,
bounded-retransmission, handshake-without-timer, no-silent-end, challenge-ack, abort-reset,
synchronization), and the ghost of the segments it sends that graceful reads (answers_late)."""

from __future__ import annotations

from ..tcp.machine import ABORT, CLOSE_UNREAD, RTO, SEGMENT, Machine
from ..tcp.rules import Params
from ..tcp.segment import Segment
from ..tcp.states import CLOSED, SYNCHRONIZED
from ..tcp.symbolic import Ctx, Decider
from ..tcp.tcb import USER_TIMEOUT, Tcb
from .late import late


def fire_observed(machine: Machine, x: str, tcb: Tcb, event: str, seg: Segment | None, ctx: Ctx,
                  params: Params):
    """(machine.fire's result, whether it answers a RST or SYN in a synchronized state as RFC
    5961 asks, or None when the step is no such arrival), decided in the same branch."""
    result = machine.fire(x, tcb, event, seg, ctx, params)
    if result is None or seg is None or tcb.state not in SYNCHRONIZED or not (seg.rst or seg.syn):
        return result, None
    _, new, sent = result
    return result, _as_rfc5961(ctx, tcb, seg, new, sent)


def _as_rfc5961(ctx: Ctx, tcb: Tcb, seg: Segment, new: Tcb, sent: tuple) -> bool:
    challenge = (Segment(seq=tcb.snd_nxt, ack=tcb.rcv_nxt),)
    if seg.rst:
        nxt, wnd = tcb.rcv_nxt, tcb.rcv_wnd  # the window of RFC 9293 3.10.7.4, Table 6
        inside = ctx.eq(seg.seq, nxt) if wnd == 0 else ctx.le(nxt, seg.seq) and ctx.lt(seg.seq, nxt + wnd)
        if not inside:
            return new == tcb and not sent  # RFC 5961 3.2: silently dropped
        if ctx.eq(seg.seq, nxt):
            return new.state == CLOSED  # 3.2: exactly RCV.NXT resets
    return new == tcb and sent == challenge  # 3.2: elsewhere in the window; 4.2: any SYN


def observed(tcb: Tcb, event: str, seg: Segment | None, new: Tcb, sent: tuple, counted: bool,
             as_rfc5961: bool | None, decider: Decider, pc: frozenset) -> Tcb:
    """new with the ghosts of one step: the injected segment (old or forged) that ended a
    synchronized connection, with RCV.NXT then; whether a RST was answered with a RST; the
    retransmissions since SND.UNA last moved (``counted``:
    the retries are bounded, else the count would make the state space infinite); whether a
    segment ended a connection its user had not closed without telling the user; whether a RST
    or SYN in a synchronized state was answered otherwise than RFC 5961 asks; whether an ABORT
    sent anything but its reset at SND.NXT, as the step's path condition ``pc`` decides; the ISS
    of the last connection it left while its peer may still hold it, which a new TCB keeps."""
    injected_ended = seg is not None and (seg.forged or seg.old) and tcb.state in SYNCHRONIZED \
        and new.state not in SYNCHRONIZED
    if injected_ended:
        new = new._replace(reset_by=(seg, tcb.rcv_nxt))
    if seg is not None and seg.rst and any(s.rst for s in sent):
        new = new._replace(answered_rst=True)
    if event == RTO and sent and counted:
        new = new._replace(resent=tcb.resent + 1)
    elif new.snd_una != tcb.snd_una:
        new = new._replace(resent=0)
    if event == SEGMENT and tcb.state != CLOSED and new.state == CLOSED and new.error is None \
            and tcb.fin_seq is None:
        new = new._replace(ended_unsaid=True)
    if as_rfc5961 is False:
        new = new._replace(misanswered=True)
    if event in (ABORT, CLOSE_UNREAD) and new.state == CLOSED \
            and any(not (s.rst and decider.valid(pc, "eq", s.seq, tcb.snd_nxt)) for s in sent):
        new = new._replace(misaborted=True)  # RFC 9293 3.10.5, 3.6.1: the reset is at SND.NXT
    if injected_ended or (new.error == USER_TIMEOUT and tcb.error is None):
        new = new._replace(abandoned=tcb.iss)  # 3.10.8, 3.5.1: it gave up or was reset, unheard
    elif new.abandoned != tcb.abandoned:
        new = new._replace(abandoned=tcb.abandoned)
    return new


def answering(d: Decider, pc: frozenset, seg: Segment, sender: Tcb, receiver: Tcb, sent: tuple,
              fin_len: int) -> tuple:
    """sent, receiver's answer to seg, its RST marked answers_late when seg arrives late
    (spec/world/late.py; sender and receiver as they are when it arrives): RFC 9293 answers a
    segment no connection wants with a RST (3.10.7.1, 3.5.2), which graceful allows."""
    if not late(d, pc, seg, sender, receiver, fin_len):
        return sent
    return tuple(g._replace(answers_late=True) if g.rst else g for g in sent)
