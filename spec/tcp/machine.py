"""The endpoint state machine: one networkx MultiDiGraph, executed as it stands.

Nodes are the eleven states of RFC 9293 3.3.2. Each edge is keyed by its
action name (RcvSynInListen, CloseInCloseWait, ...) and carries its event,
guard (words, see rules.py), action (a function of rules.py), the RFC 9293
section, and its rank among the edges that leave the same state on the same
event: the first edge, in rank order, whose guard holds is the one taken,
which is how section 3.10.7 orders its checks.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import count

import networkx as nx

from . import rules as r
from .states import (CLOSE_WAIT, CLOSED, CLOSING, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, LAST_ACK, LISTEN,
                     STATES, SYN_RECEIVED, SYN_SENT, SYNCHRONIZED, TIME_WAIT, camel)

SEGMENT = "segment"
OPEN_PASSIVE = "OPEN (passive)"
OPEN_ACTIVE = "OPEN (active)"
SEND = "SEND"
CLOSE = "CLOSE"
ABORT = "ABORT"
CLOSE_UNREAD = "CLOSE (with unread data)"  # 3.6.1: the host refuses further reads
RTO = "retransmission timeout"
MSL2 = "2MSL timeout"
KEEPALIVE = "keep-alive timeout"  # 3.8.4: off by default (MUST-24), a scenario turns it on
FIN_WAIT_2_TIMEOUT = "FIN-WAIT-2 timeout"  # not in RFC 9293: Linux's tcp_fin_timeout (its profile)
USER_CALLS = (OPEN_PASSIVE, OPEN_ACTIVE, SEND, CLOSE, CLOSE_UNREAD, ABORT)
CRASH = "host crash"  # 3.5.1: the host loses its memory of the connection, and restarts
# The model has no clock and no host: these happen where a scenario's script puts them.
SCRIPTED_EVENTS = (KEEPALIVE, FIN_WAIT_2_TIMEOUT, CRASH)

RETRANSMITTING = (SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, CLOSE_WAIT, CLOSING, LAST_ACK)
ABORT_WITH_RST = (SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT)
ABORT_SILENT = (LISTEN, SYN_SENT, CLOSING, LAST_ACK, TIME_WAIT)
RESET_SIGNALLED = (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT)
UNREAD_POSSIBLE = (ESTABLISHED, CLOSE_WAIT)  # states where CLOSE may find data not yet read
KEEPING_ALIVE = (ESTABLISHED, CLOSE_WAIT)  # 3.8.4: an idle connection that can still send


# Edges that no configuration of the default suite fires, and why (spec/suite/coverage.py
# reports them; a test fails on an edge that never fires and is not listed here).
_NO_ACK = ("a segment with none of SYN, RST and ACK: no endpoint of the model sends one "
           "(RFC 9293 3.10.7.2: text must carry an ACK) and --forge injects only RST and SYN")
_AFTER_FIN = ("text beyond RCV.NXT after the peer's FIN: the peer sends nothing after its FIN "
              "(RFC 9293 3.10.4), so only a forged data segment could, and --forge injects RST and SYN")
_ACK_UNSENT = ("an in-window ACK beyond SND.NXT: the peer acknowledges only what was sent, old "
               "duplicates lie outside the window (RFC 9293 3.4.1) and --forge injects no ACK; "
               "it fires in FIN-WAIT-1 only, after a CLOSE in SYN-RECEIVED met an old SYN")
_RESTART = ("an in-window SYN in SYN-RECEIVED: only a restarted peer whose new ISN falls in the "
            "window sends one; the suite has no restart, since the model does not keep a new ISN "
            "off the old one (RFC 9293 3.4.1) and a collision is indistinguishable")
NEVER_FIRES = {
    "DropInListen": _NO_ACK,
    **{f"DropNoAckIn{camel(s)}": _NO_ACK for s in (SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
                                                    CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT)},
    **{f"HoldFutureIn{camel(s)}": _AFTER_FIN for s in (CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT)},
    **{f"AckUnsentIn{camel(s)}": _ACK_UNSENT for s in (ESTABLISHED, FIN_WAIT_2, CLOSE_WAIT, CLOSING,
                                                        LAST_ACK, TIME_WAIT)},
    "RcvSynInSynReceived": _RESTART,
    "ChallengeAckSynInSynReceived": _RESTART,
}


def build_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(fin_len=1)
    g.add_nodes_from(STATES)
    rank = count()

    def edge(name, src, dst, event, guard, action, rfc):
        g.add_edge(src, dst, key=name, event=event, guard=guard, action=action, rfc=rfc,
                   rank=next(rank))

    # User calls, RFC 9293 3.10.1 to 3.10.5.
    edge("PassiveOpenInClosed", CLOSED, LISTEN, OPEN_PASSIVE, "", r.passive_open, "3.10.1")
    edge("ActiveOpenInClosed", CLOSED, SYN_SENT, OPEN_ACTIVE, "", r.active_open, "3.10.1")
    edge("SendInListen", LISTEN, SYN_SENT, SEND, "", r.send_in_listen, "3.10.2")
    for s in (ESTABLISHED, CLOSE_WAIT):
        edge(f"SendIn{camel(s)}", s, s, SEND, "", r.send_data, "3.10.2")
    edge("CloseInListen", LISTEN, CLOSED, CLOSE, "", r.delete_tcb, "3.10.4")
    edge("CloseInSynSent", SYN_SENT, CLOSED, CLOSE, "", r.delete_tcb, "3.10.4")
    edge("CloseInSynReceived", SYN_RECEIVED, FIN_WAIT_1, CLOSE, "", r.send_fin, "3.10.4")
    edge("CloseInEstablished", ESTABLISHED, FIN_WAIT_1, CLOSE, "", r.send_fin, "3.10.4")
    edge("CloseInCloseWait", CLOSE_WAIT, LAST_ACK, CLOSE, "", r.send_fin, "3.10.4")
    for s in ABORT_WITH_RST:
        action = r.abort_with_reset_ack if s in SYNCHRONIZED else r.abort_with_reset
        edge(f"AbortIn{camel(s)}", s, CLOSED, ABORT, "", action, "3.10.5, 3.1")
    for s in UNREAD_POSSIBLE:  # 3.6.1 SHLD-2: CLOSE with data unread SHOULD send a reset
        edge(f"CloseWithUnreadDataIn{camel(s)}", s, CLOSED, CLOSE_UNREAD, "data_received",
             r.abort_with_reset_ack, "3.6.1")
    for s in ABORT_SILENT:
        edge(f"AbortIn{camel(s)}", s, CLOSED, ABORT, "", r.abort_silently, "3.10.5")

    # Segment arrives in CLOSED and LISTEN, RFC 9293 3.10.7.1 and 3.10.7.2.
    edge("DropRstInClosed", CLOSED, CLOSED, SEGMENT, "RST", r.drop, "3.10.7.1")
    edge("RcvSegmentInClosed", CLOSED, CLOSED, SEGMENT, "", r.reply_reset, "3.10.7.1")
    edge("DropRstInListen", LISTEN, LISTEN, SEGMENT, "RST", r.drop, "3.10.7.2")
    edge("RcvAckInListen", LISTEN, LISTEN, SEGMENT, "ACK", r.reset_to_seg_ack, "3.10.7.2")
    edge("RcvSynInListen", LISTEN, SYN_RECEIVED, SEGMENT, "SYN", r.accept_syn, "3.10.7.2")
    edge("DropInListen", LISTEN, LISTEN, SEGMENT, "", r.drop, "3.10.7.2")

    # SYN-SENT, RFC 9293 3.10.7.3.
    edge("DropBadAckRstInSynSent", SYN_SENT, SYN_SENT, SEGMENT,
         "ACK and not ack_acceptable and RST", r.drop, "3.10.7.3")
    edge("RcvBadAckInSynSent", SYN_SENT, SYN_SENT, SEGMENT, "ACK and not ack_acceptable",
         r.reset_to_seg_ack, "3.10.7.3")
    edge("RcvRstInSynSent", SYN_SENT, CLOSED, SEGMENT, "RST and ACK", r.connection_reset, "3.10.7.3")
    edge("DropRstInSynSent", SYN_SENT, SYN_SENT, SEGMENT, "RST", r.drop, "3.10.7.3")
    edge("RcvSynAckFinInSynSent", SYN_SENT, CLOSE_WAIT, SEGMENT, "SYN and ACK and FIN",
         r.accept_syn_ack, "3.10.7.3")  # ESTABLISHED, then its FIN (3.10.7.4, eighth check)
    edge("RcvSynAckInSynSent", SYN_SENT, ESTABLISHED, SEGMENT, "SYN and ACK", r.accept_syn_ack,
         "3.10.7.3")
    edge("RcvSynInSynSent", SYN_SENT, SYN_RECEIVED, SEGMENT, "SYN", r.simultaneous_syn, "3.10.7.3")
    edge("DropInSynSent", SYN_SENT, SYN_SENT, SEGMENT, "", r.drop, "3.10.7.3")

    # SYN-RECEIVED and the synchronized states, RFC 9293 3.10.7.4 in its order.
    for s in (SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK,
              TIME_WAIT):
        c = camel(s)
        edge(f"DropUnacceptableRstIn{c}", s, s, SEGMENT, "not acceptable and RST", r.drop,
             "3.10.7.4")
        if s == TIME_WAIT:
            edge("RcvFinInTimeWait", s, s, SEGMENT, "not acceptable and FIN", r.time_wait_ack,
                 "3.10.7.4")
        edge(f"AckUnacceptableIn{c}", s, s, SEGMENT, "not acceptable", r.send_ack, "3.10.7.4")
        if s == SYN_RECEIVED:
            edge("RcvRstInSynReceived", s, LISTEN, SEGMENT, "RST and rst_exact and passive",
                 r.back_to_listen, "3.10.7.4")
            edge("RcvRefusalInSynReceived", s, CLOSED, SEGMENT, "RST and rst_exact",
                 r.connection_refused, "3.10.7.4")
        else:
            action = r.connection_reset if s in RESET_SIGNALLED else r.delete_tcb
            edge(f"RcvRstIn{c}", s, CLOSED, SEGMENT, "RST and rst_exact", action, "3.10.7.4")
        edge(f"ChallengeAckRstIn{c}", s, s, SEGMENT, "RST", r.send_ack, "3.10.7.4, RFC 5961 3.2")
        if s == SYN_RECEIVED:
            edge("RcvSynInSynReceived", s, LISTEN, SEGMENT, "SYN and passive", r.back_to_listen,
                 "3.10.7.4")
        edge(f"ChallengeAckSynIn{c}", s, s, SEGMENT, "SYN", r.send_ack, "3.10.7.4, RFC 5961 4.2")
        edge(f"HoldFutureIn{c}", s, s, SEGMENT, "has_length and future", r.send_ack, "3.10.7.4")
        edge(f"DropNoAckIn{c}", s, s, SEGMENT, "not ACK", r.drop, "3.10.7.4")
        if s == SYN_RECEIVED:
            edge("RcvBadAckInSynReceived", s, s, SEGMENT, "not acks_new", r.reset_to_seg_ack,
                 "3.10.7.4")
            edge("RcvAckOfSynAndFinInSynReceived", s, CLOSE_WAIT, SEGMENT, "FIN", r.process,
                 "3.10.7.4")
            edge("RcvAckOfSynInSynReceived", s, ESTABLISHED, SEGMENT, "", r.process, "3.10.7.4")
            continue
        edge(f"AckUnsentIn{c}", s, s, SEGMENT, "ack_unsent", r.send_ack, "3.10.7.4")
        for name, dst, guard in _ack_and_fin_outcomes(s):
            action = r.process if s in (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2) else r.process_ack
            edge(name, s, dst, SEGMENT, guard, action, "3.10.7.4")

    # Timers, RFC 9293 3.8.1, 3.8.3 and 3.10.8.
    for s in RETRANSMITTING:
        c = camel(s)
        edge(f"RetransmitIn{c}", s, s, RTO, "unacked and retries_left", r.retransmit, "3.8.1")
        edge(f"GiveUpIn{c}", s, CLOSED, RTO, "unacked", r.give_up, "3.8.3, 3.10.8")
    edge("TimeoutInTimeWait", TIME_WAIT, CLOSED, MSL2, "", r.expire, "3.10.8")
    for s in KEEPING_ALIVE:
        edge(f"KeepAliveIn{camel(s)}", s, s, KEEPALIVE, "not unacked", r.send_keepalive, "3.8.4")

    # A host crash with loss of memory: the half-open connection of RFC 9293 3.5.1 (Figures 10
    # and 11), which the peer discovers when a segment of either side draws a reset.
    for s in (LISTEN, ESTABLISHED):
        edge(f"CrashIn{camel(s)}", s, CLOSED, CRASH, "", r.crash, "3.5.1")
    return g


def _ack_and_fin_outcomes(s: str) -> list[tuple[str, str, str]]:
    """Where an acceptable, in-order segment with an ACK takes each state (fifth to eighth checks)."""
    c = camel(s)
    specific = {
        ESTABLISHED: [("RcvFinInEstablished", CLOSE_WAIT, "FIN")],
        FIN_WAIT_1: [("RcvFinAckOfFinInFinWait1", TIME_WAIT, "FIN and acks_fin"),
                     ("RcvFinInFinWait1", CLOSING, "FIN"),
                     ("RcvAckOfFinInFinWait1", FIN_WAIT_2, "acks_fin")],
        FIN_WAIT_2: [("RcvFinInFinWait2", TIME_WAIT, "FIN")],
        CLOSING: [("RcvAckOfFinInClosing", TIME_WAIT, "acks_fin")],
        LAST_ACK: [("RcvAckOfFinInLastAck", CLOSED, "acks_fin")],
    }.get(s, [])
    return specific + [(f"RcvSegmentIn{c}", s, "")]


class Machine:
    """Executes a state graph: picks the first edge whose guard holds and applies it."""

    def __init__(self, graph: nx.MultiDiGraph):
        self.graph = graph
        self.fin_len = graph.graph["fin_len"]
        index = defaultdict(list)
        for src, dst, name, d in graph.edges(keys=True, data=True):
            index[(src, d["event"])].append(
                (d["rank"], name, dst, r.compile_guard(d["guard"]), d["action"]))
        self._index = {k: [e[1:] for e in sorted(v, key=lambda e: e[0])] for k, v in index.items()}

    def handles(self, state: str, event: str) -> bool:
        return (state, event) in self._index or (state, FALLBACK.get(event)) in self._index

    def fire(self, me: str, tcb, event: str, seg, ctx, params: r.Params):
        """(edge name, new TCB, segments sent), or None when no edge's guard holds."""
        view = r.View(me, tcb, seg, ctx, params)
        for name, dst, guard, action in self._index.get((tcb.state, event), ()):
            if guard(view):
                new, sent = action(view)
                return name, new._replace(state=dst), sent
        if event in FALLBACK:
            return self.fire(me, tcb, FALLBACK[event], seg, ctx, params)
        return None


# 3.6.1: a CLOSE whose host refuses further reads is a plain CLOSE where nothing is unread.
FALLBACK = {CLOSE_UNREAD: CLOSE}
