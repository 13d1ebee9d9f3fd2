"""A TCP segment as the connection-management model sees it (RFC 9293 3.1)."""

from __future__ import annotations

from typing import NamedTuple

from .seq import SeqVal


class Segment(NamedTuple):
    seq: SeqVal
    ack: SeqVal | None = None  # None: the ACK control bit is off
    syn: bool = False
    fin: bool = False
    rst: bool = False
    data: int = 0  # octets of data
    old: bool = False  # an old duplicate from an earlier incarnation
    forged: bool = False  # injected by a blind attacker (RFC 5961 1), not sent by the peer

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
