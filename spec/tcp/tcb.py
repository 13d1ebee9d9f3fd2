"""The transmission control block of one endpoint (RFC 9293 3.3.1)."""

from __future__ import annotations

from typing import NamedTuple

from .seq import SeqVal
from .states import CLOSED

# What an endpoint's user is told when its connection ends otherwise than by CLOSE (Tcb.error).
# a RST accepted in SYN-SENT (3.10.7.3), or in ESTABLISHED to CLOSE-WAIT (3.10.7.4)
CONNECTION_RESET = "connection reset"
CONNECTION_REFUSED = "connection refused"  # a RST accepted in SYN-RECEIVED after an active OPEN (3.10.7.4)
USER_TIMEOUT = "user timeout"  # the retransmissions given up (3.8.3 R2, 3.10.8)
ABORTED = "aborted"  # the user's own ABORT (3.10.5)
HOST_CRASH = "host crash"  # the host lost its memory of the connection (3.5.1)


class Tcb(NamedTuple):
    state: str = CLOSED
    origin: str | None = None  # "passive" or "active" (MUST-11, RFC 9293 3.5)
    iss: SeqVal | None = None
    irs: SeqVal | None = None
    snd_una: SeqVal | None = None
    snd_nxt: SeqVal | None = None
    rcv_nxt: SeqVal | None = None
    rcv_wnd: int = 4
    fin_seq: SeqVal | None = None  # the sequence number our FIN occupies
    fin_rcvd: bool = False
    retries: int = 0
    received: int = 0  # data octets delivered to the application
    incarnations: int = 0  # ISNs chosen so far; names the next ISS base
    error: str | None = None  # what the user was told: one of the five above
    reset_by: tuple | None = None  # ghost: (forged or old segment that ended the connection, RCV.NXT then)
    answered_rst: bool = False  # ghost: it answered a RST with a RST
    # ghosts the world keeps (spec/world/observers.py), which the rules never read:
    resent: int = 0  # retransmissions since SND.UNA last moved (RFC 9293 3.8.3 R1 counts these)
    ended_unsaid: bool = False  # a segment ended its connection before its user closed, unsaid
    misanswered: bool = False  # it answered a RST or SYN otherwise than RFC 5961 3.2, 4.2 ask
    misaborted: bool = False  # its ABORT sent something other than <SEQ=SND.NXT><CTL=RST>
    abandoned: SeqVal | None = None  # the ISS of the last connection it left without its peer knowing

    def describe(self) -> str:
        parts = [self.state]
        for name in SEQ_FIELDS[:-1]:  # all but FIN.SEQ
            v = getattr(self, name)
            if v is not None:
                parts.append(f"{name.upper().replace('_', '.')}={v}")
        if self.error:
            parts.append(f"error={self.error}")
        return " ".join(parts)


# The sequence variables (RFC 9293 3.3.1), in the order of Tcb's fields, by the ISN they count
# from: ours (ISS, SND.UNA, SND.NXT and our FIN's number) or the peer's (IRS, RCV.NXT).
SEQ_FIELDS = ("iss", "irs", "snd_una", "snd_nxt", "rcv_nxt", "fin_seq")
RECEIVE_FIELDS = ("irs", "rcv_nxt")
SEND_FIELDS = tuple(f for f in SEQ_FIELDS if f not in RECEIVE_FIELDS)
# The ghosts the world keeps (Tcb's last fields, from resent), with their values in a TCB the
# rules create: the Z3 forms have none.
WORLD_GHOSTS = {f: Tcb._field_defaults[f] for f in Tcb._fields[Tcb._fields.index("resent"):]}
