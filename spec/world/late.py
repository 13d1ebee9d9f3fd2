"""Whether a segment arrives late: the ghost that tells a legitimate reset from a gratuitous one.

RFC 9293 answers a segment that belongs to no connection with a RST (3.10.7.1, 3.10.7.2,
3.5.2): that is how a copy the network made, a segment overtaken by its sender's later ones, or
an old duplicate is cleared away once the exchange it belongs to is over. A RST that answers such
a late segment is legitimate; one that answers a segment an end still needs is gratuitous
(graceful, spec/world/properties.py).
"""

from __future__ import annotations

from ..tcp.segment import Segment
from ..tcp.seq import SeqVal
from ..tcp.symbolic import OLD_PREFIX, Decider
from ..tcp.tcb import Tcb


def late(d: Decider, pc: frozenset, seg: Segment, sender: Tcb, receiver: Tcb, fin_len: int = 1) -> bool:
    """seg, from sender, arrives late at receiver (both TCBs as they are when it arrives): an old
    duplicate, an answer to one (its ACK counts in an old duplicate's numbers), or a segment
    neither end still needs: its sender has had all it occupies acknowledged (a pure ACK occupies
    nothing), and its receiver has taken in all it occupies and all it acknowledges. Each
    comparison must be implied by the path condition: a segment that may be needed is not late."""
    if seg.old or (seg.ack is not None and seg.ack.base.startswith(OLD_PREFIX)):
        return True
    end = seg.seq + seg.length(fin_len)
    return (_le(d, pc, end, sender.snd_una) and _le(d, pc, end, receiver.rcv_nxt)
            and (seg.ack is None or _le(d, pc, seg.ack, receiver.snd_una)))


def _le(d: Decider, pc: frozenset, x: SeqVal, y: SeqVal | None) -> bool:
    """The path condition implies x =< y (RFC 9293 3.4: modulo 2^32); False when y is unset."""
    return y is not None and (d.valid(pc, "eq", x, y) or d.valid(pc, "lt", x, y))
