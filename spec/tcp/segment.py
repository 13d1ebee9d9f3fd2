"""A TCP segment as the connection-management model sees it (RFC 9293 3.1)."""

from __future__ import annotations

from typing import NamedTuple

from .seq import HALF, MOD, SeqVal


class Segment(NamedTuple):
    seq: SeqVal
    ack: SeqVal | None = None  # None: the ACK control bit is off
    syn: bool = False
    fin: bool = False
    rst: bool = False
    data: int = 0  # octets of data
    old: bool = False  # an old duplicate from an earlier incarnation
    forged: bool = False  # injected by a blind attacker (RFC 5961 1), not sent by the peer
    answers_late: bool = False  # ghost: a RST that answers a late segment (spec/world/late.py)

    def length(self, fin_len: int = 1) -> int:
        """SEG.LEN: data plus one for SYN and one for FIN (RFC 9293 3.4)."""
        return self.data + self.syn + fin_len * self.fin

    @property
    def flags(self) -> str:
        names = [n for n, on in (("SYN", self.syn), ("FIN", self.fin), ("RST", self.rst),
                                 ("ACK", self.ack is not None)) if on]
        return ",".join(names) or "none"

    @property
    def kind(self) -> str:
        """A short name for statistics: SYN, SYN-ACK, ACK, DATA, FIN, RST."""
        if self.rst:
            return "RST"
        if self.syn:
            return "SYN-ACK" if self.ack is not None else "SYN"
        if self.fin:
            return "FIN"
        return "DATA" if self.data else "ACK"

    def __str__(self) -> str:
        ack = f"<ACK={self.ack}>" if self.ack is not None else ""
        data = f"<DATA={self.data}>" if self.data else ""
        old = " (old duplicate)" if self.old else " (forged)" if self.forged else ""
        return f"<SEQ={self.seq}>{ack}<CTL={self.flags}>{data}{old}"


def pure_ack(g: Segment) -> bool:
    """An ACK alone: no SYN, FIN, RST or data."""
    return g.ack is not None and not (g.syn or g.fin or g.rst or g.data)


def covers(later: Segment, earlier: Segment) -> bool:
    """later is at the same SEQ and acknowledges at least what earlier does (concrete numbers)."""
    return later.seq == earlier.seq and later.ack is not None \
        and (later.ack.off - earlier.ack.off) % MOD < HALF


def carried(pending: Segment, captured: Segment) -> bool:
    """A pure ACK that a later segment makes redundant: a delayed ACK need never be sent
    (RFC 9293 3.10.7.4 acknowledges queued segments together; RFC 1122 4.2.3.2)."""
    return pure_ack(pending) and covers(captured, pending)
