"""Protocol variants: named transformations of the state graph, each a few lines.

A variant takes a copy of the graph and changes edges (their target, guard or
action) or graph-wide rules (how many sequence numbers a FIN occupies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import networkx as nx

from . import rules as r
from .states import CLOSED, ESTABLISHED, FIN_WAIT_1, TIME_WAIT


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


def remove(g: nx.MultiDiGraph, prefix: str) -> None:
    for src, dst, key in [e for e in g.edges(keys=True) if e[2].startswith(prefix)]:
        g.remove_edge(src, dst, key=key)


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
            lambda g: retarget(g, "RcvSynInListen", "SYN-RECEIVED", action=_ack_syn_twice)),
)}
