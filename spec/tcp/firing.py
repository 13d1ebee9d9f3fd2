"""The graph fired on symbolic TCBs: the segments that can arrive, as the classes the rules tell
apart, and every feasible branch of one firing.

SEG.SEQ matters only relative to RCV.NXT, through the acceptability test of RFC 9293 3.10.7.4
(Table 6): a segment of at most QUEUE_MAX numbers is wholly old at RCV.NXT - QUEUE_MAX,
overlaps RCV.NXT above that, lies in the window up to RCV.NXT + RCV.WND - 1 and beyond it
at RCV.NXT + RCV.WND. One offset per position, and a free SEG.SEQ for anywhere else (beyond
the window, wholly old, or from another incarnation), cover every segment.
"""

from __future__ import annotations

from itertools import product

from .rules import QUEUE_MAX, Params
from .segment import Segment
from .seq import SeqVal
from .symbolic import Decider, branches
from .tcb import Tcb
from .z3lazy import z3


# Answers are pure functions of the question: one cache for every firing on symbolic TCBs.
DECIDER = Decider()


def v(name: str) -> SeqVal:
    """A symbolic sequence value of its own: SEG.SEQ, SND.UNA, ..."""
    return SeqVal(name, 0)


def seq_offsets(window: int) -> range:
    """SEG.SEQ - RCV.NXT at each position Table 6 (RFC 9293 3.10.7.4) tells apart, for
    SEG.LEN =< QUEUE_MAX and RCV.WND = window."""
    return range(-QUEUE_MAX, window + 2)


def elsewhere(d, offsets: range):
    """The distance d = SEG.SEQ - RCV.NXT (a bit-vector) is none of the offsets."""
    return z3.UGT(d - offsets[0], len(offsets) - 1)


def seq_classes(t: Tcb, offsets: range) -> list[tuple[SeqVal, object]]:
    """(SEG.SEQ, precondition): RCV.NXT + k for each offset k, and a free SEG.SEQ elsewhere
    (or anywhere, when the TCB has no RCV.NXT)."""
    rcv = t.rcv_nxt
    if rcv is None:
        return [(v("SEG.SEQ"), z3.BoolVal(True))]
    return [(rcv + k, z3.BoolVal(True)) for k in offsets] + \
        [(v("SEG.SEQ"), elsewhere(v("SEG.SEQ").term() - rcv.term(), offsets))]


def segments(t: Tcb, offsets: range) -> list[tuple[Segment, object]]:
    """(segment, precondition): every class of segment that can arrive, in any incarnation."""
    out = []
    seqs = seq_classes(t, offsets)
    for syn, fin, rst, ack, data in product((False, True), repeat=5):
        for seq, pre in seqs:
            seg = Segment(seq=seq, ack=v("SEG.ACK") if ack else None, syn=syn, fin=fin, rst=rst,
                          data=int(data))
            out.append((seg, pre))
    return out


def fired(machine, params: Params, decider: Decider, me: str, pre: Tcb, event: str, seg):
    """(edge, post-state, segments sent, path condition) for each feasible branch of one firing."""
    fire = lambda ctx: machine.fire(me, pre, event, seg, ctx, params)  # noqa: E731
    for result, pc in branches(decider, frozenset(), fire):
        if result is not None:
            name, post, sent = result
            yield name, post, tuple(sent), tuple(sorted(pc))
