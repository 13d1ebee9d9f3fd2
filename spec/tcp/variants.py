"""Protocol variants: named transformations of the state graph, each a few lines.

A variant takes a copy of the graph and changes edges (their target, guard or
action) or graph-wide rules (how many sequence numbers a FIN occupies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import networkx as nx

from . import rules as r
from .machine import RTO
from .segment import Segment
from .seq import SeqVal
from .states import CLOSED, ESTABLISHED, FIN_WAIT_1, SYN_RECEIVED, TIME_WAIT
from .tcb import CONNECTION_RESET


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    transform: Callable[[nx.MultiDiGraph], None]

    def apply(self, graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
        g = graph.copy()
        self.transform(g)
        return g


def edge(g: nx.MultiDiGraph, name: str) -> tuple[str, str, dict]:
    """(source, target, attributes) of the edge called name."""
    for src, dst, key, data in g.edges(keys=True, data=True):
        if key == name:
            return src, dst, data
    raise KeyError(f"no edge named {name}")


def retarget(g: nx.MultiDiGraph, name: str, target: str, **changes) -> None:
    """Make edge ``name`` lead to ``target``, optionally changing its attributes."""
    src, dst, data = edge(g, name)
    g.remove_edge(src, dst, key=name)
    g.add_edge(src, target, key=name, **{**data, **changes})


def add_edge(g: nx.MultiDiGraph, name: str, src: str, dst: str, before: str | None = None, **attrs) -> None:
    """Add edge ``name``, ranked just before edge ``before`` (checked first, as RFC 9293 3.10.7
    orders its checks), or after every edge."""
    ranks = [d["rank"] for _, _, d in g.edges(data=True)]
    rank = edge(g, before)[2]["rank"] if before else max(ranks) + 1
    for _, _, d in g.edges(data=True):
        if d["rank"] >= rank:
            d["rank"] += 1
    g.add_edge(src, dst, key=name, rank=rank, **attrs)


def remove(g: nx.MultiDiGraph, prefix: str) -> None:
    for src, dst, key in [e for e in g.edges(keys=True) if e[2].startswith(prefix)]:
        g.remove_edge(src, dst, key=key)


def rewrite_sent(g: nx.MultiDiGraph, names, **changes) -> None:
    """Change the segments that the edges called ``names`` send: each keyword is a field of
    Segment, set to a value, or to ``fn(view, segment)`` when callable."""
    for name in names:
        data = edge(g, name)[2]
        data["action"] = _rewritten(data["action"], changes)


def _rewritten(action, changes):
    def act(v: r.View):
        t, sent = action(v)
        return t, tuple(s._replace(**{k: c(v, s) if callable(c) else c for k, c in changes.items()})
                        for s in sent)

    act.__doc__ = f"{(action.__doc__ or action.__name__).strip()}; but the segment has " + \
        ", ".join(f"{k.upper()}={c.__doc__ if callable(c) else c}" for k, c in sorted(changes.items()))
    return act


def _no_time_wait(g):
    for src, dst, key in [e for e in g.edges(keys=True) if e[1] == TIME_WAIT]:
        retarget(g, key, CLOSED)


def _fin_takes_no_sequence_number(g):
    g.graph["fin_len"] = 0


def _ack_syn_twice(v: r.View):
    """IRS=SEG.SEQ, RCV.NXT=SEG.SEQ+2 (one too far), send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>"""
    t, (syn_ack,) = r.accept_syn(v)
    t = t._replace(rcv_nxt=t.rcv_nxt + 1)
    return t, (syn_ack._replace(ack=t.rcv_nxt),)


def _acks_syn_without_increment(v: r.View):
    """IRS=SEG.SEQ, RCV.NXT=SEG.SEQ (not +1), send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>"""
    t, (syn_ack,) = r.accept_syn(v)
    t = t._replace(rcv_nxt=v.seg.seq)
    return t, (syn_ack._replace(ack=t.rcv_nxt),)


def _at_snd_una(v: r.View, s) -> SeqVal:
    """SND.UNA"""
    return v.tcb.snd_una


def _at_snd_nxt(v: r.View, s) -> SeqVal:
    """SND.NXT"""
    return v.tcb.snd_nxt


def _no_challenge_ack(g):
    """RFC 793 (RFC 9293 3.10.7.4 keeps it for implementations without RFC 5961): any RST
    in the window resets, and a SYN in the window is answered with RST and resets."""
    for _, _, key, data in list(g.edges(keys=True, data=True)):
        data["guard"] = data["guard"].replace(" and rst_exact", "")
        if key.startswith("ChallengeAckSynIn"):
            retarget(g, key, CLOSED, action=_reset_on_syn)


def _rst_without_window(g):
    """An unacceptable RST ends ESTABLISHED: the SEQ test of RFC 9293 3.10.7.4 is skipped."""
    retarget(g, "DropUnacceptableRstInEstablished", CLOSED, action=r.connection_reset)


def _closed_answers_rst(g):
    """CLOSED answers a RST as any other segment; RFC 9293 3.10.7.1 says to discard it."""
    edge(g, "DropRstInClosed")[2]["action"] = r.reply_reset


def _reset_on_syn(v: r.View):
    """send <SEQ=SND.NXT><CTL=RST>, signal "connection reset", delete the TCB"""
    return v.tcb._replace(error=CONNECTION_RESET), (Segment(seq=v.tcb.snd_nxt, rst=True),)


# ------------------------------------------------ the seed blog post, taken literally
# Its parenthesised notations, segment by segment (reports/seed-audit.md).

ACK_OF_FIN = ("RcvFinInEstablished",)  # the second close segment
FINAL_ACK = ("RcvFinInFinWait2", "RcvFinAckOfFinInFinWait1", "RcvFinInTimeWait")  # the fourth
# Every edge that sends a FIN: tests/tcp/test_facts.py checks it against spec.tcp.facts, which
# computes it from the graph (seconds of Z3, too slow to run whenever the variant is applied).
SENDS_FIN = ("CloseInSynReceived", "CloseInEstablished", "CloseInCloseWait",
             "RetransmitInFinWait1", "RetransmitInClosing", "RetransmitInLastAck")
RANDOM_PREFIX = "RAND_"


def _random_seq(v: r.View, s) -> SeqVal:
    """a random number"""
    # A fresh symbolic base per endpoint and per kind of segment (a retransmission repeats
    # it). Not named OLD*: no distance from the ISNs is assumed, so Z3 decides each
    # acceptability test both ways.
    return SeqVal(f"{RANDOM_PREFIX}{v.me}_{'FIN' if s.fin else 'ACK'}", 0)


def _random_fin_seq(v: r.View, s) -> SeqVal:
    """a random number on a FIN"""
    return _random_seq(v, s) if s.fin else s.seq


def _syn_in_third_segment(g):
    rewrite_sent(g, ("RcvSynAckInSynSent",), syn=True)


def _random_sequence_in_close(g):
    rewrite_sent(g, ACK_OF_FIN + FINAL_ACK, seq=_random_seq)
    rewrite_sent(g, SENDS_FIN, seq=_random_fin_seq)


def _fin_without_ack(g):
    rewrite_sent(g, ("CloseInEstablished", "RetransmitInFinWait1"), ack=None)


def _fin_on_ack_of_fin(g):
    rewrite_sent(g, ACK_OF_FIN, fin=True)


def _fin_on_final_ack(g):
    rewrite_sent(g, FINAL_ACK, fin=True)


SEED_DEPARTURES = (
    ("syn-in-third-segment", "the third handshake segment has SYN=1 (so LISTEN is back)",
     _syn_in_third_segment),
    ("fin-without-ack", "the first close segment, the active closer's FIN, has no ACK",
     _fin_without_ack),
    ("random-sequence-in-close", "every close segment carries a random SEQ, not SND.NXT",
     _random_sequence_in_close),
    ("fin-on-ack-of-fin", "the second close segment, the ACK of the first FIN, has FIN=1",
     _fin_on_ack_of_fin),
    ("fin-on-final-ack", "the fourth close segment, the final ACK, has FIN=1", _fin_on_final_ack),
)


def _seed_literal(g):
    for _, _, transform in SEED_DEPARTURES:
        transform(g)


VARIANTS = {v.name: v for v in (
    Variant("no-time-wait", "the active closer goes straight to CLOSED instead of TIME-WAIT",
            _no_time_wait),
    Variant("two-way-handshake", "LISTEN answers a SYN and is ESTABLISHED at once",
            lambda g: retarget(g, "RcvSynInListen", ESTABLISHED)),
    Variant("no-retransmission", "nothing is ever sent again; the timer only gives up",
            lambda g: remove(g, "RetransmitIn")),
    Variant("fin-takes-no-sequence-number", "a FIN occupies no sequence number (SEG.LEN ignores it)",
            _fin_takes_no_sequence_number),
    Variant("no-simultaneous-close", "a FIN that arrives in FIN-WAIT-1 is ignored",
            lambda g: retarget(g, "RcvFinInFinWait1", FIN_WAIT_1, action=r.drop)),
    Variant("no-fin-wait-2", "the ACK of our FIN in FIN-WAIT-1 leads straight to TIME-WAIT",
            lambda g: retarget(g, "RcvAckOfFinInFinWait1", TIME_WAIT)),
    Variant("syn-ack-acks-too-far", "LISTEN acknowledges a SYN with SEG.SEQ+2",
            lambda g: retarget(g, "RcvSynInListen", SYN_RECEIVED, action=_ack_syn_twice)),
    Variant("ack-not-incremented", "LISTEN acknowledges a SYN with SEG.SEQ, not SEG.SEQ+1",
            lambda g: retarget(g, "RcvSynInListen", SYN_RECEIVED,
                               action=_acks_syn_without_increment)),
    Variant("time-wait-too-short", "TIME-WAIT ends with the retransmission timeout, not 2MSL",
            lambda g: retarget(g, "TimeoutInTimeWait", CLOSED, event=RTO)),
    Variant("time-wait-never-ends", "no 2MSL timeout: TIME-WAIT lasts for ever",
            lambda g: remove(g, "TimeoutInTimeWait")),
    Variant("listener-closes-on-reset", "a passive OPEN in SYN-RECEIVED that a RST resets goes to "
            "CLOSED, not back to LISTEN", lambda g: retarget(g, "RcvRstInSynReceived", CLOSED)),
    Variant("abort-reset-at-iss", "ABORT in SYN-RECEIVED sends its RST at SND.UNA, the ISS, not at "
            "SND.NXT", lambda g: rewrite_sent(g, ("AbortInSynReceived",), seq=_at_snd_una)),
    # benchmarks/mutation.py's rfc793-simultaneous-open: the bare ACK completes a handshake on a
    # FIFO network, but one that overtakes the endpoint's own SYN is dropped in SYN-SENT (3.10.7.3
    # "fifth") and only the peer's timer recovers
    Variant("rfc793-simultaneous-open", "SYN-SENT answers a SYN with a bare ACK at SND.NXT, not "
            "with its SYN,ACK at ISS (RFC 9293 3.10.7.3)",
            lambda g: rewrite_sent(g, ("RcvSynInSynSent",), seq=_at_snd_nxt, syn=False)),
    Variant("no-challenge-ack", "RFC 793: an in-window RST or SYN resets (no RFC 5961 challenge ACK)",
            _no_challenge_ack),
    Variant("rst-without-window", "ESTABLISHED takes a RST whatever its SEQ (no window test)",
            _rst_without_window),
    Variant("closed-answers-rst", "CLOSED answers a RST with a RST", _closed_answers_rst),
    *(Variant(name, text, transform) for name, text, transform in SEED_DEPARTURES),
    Variant("seed-literal", "the seed post's handshake and close, every notation as written",
            _seed_literal),
)}
