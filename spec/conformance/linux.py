"""The Linux profile: where Linux's TCP departs from RFC 9293, as a variant of the graph.

`tcpverify replay --profile linux` replays a capture against this graph; the RFC
graph itself is untouched. Each departure is an edge added or changed here, so an
explanation that uses one names it.
"""

from __future__ import annotations

from ..tcp import rules as r
from ..tcp.machine import CLOSE, SEGMENT, build_graph
from ..tcp.segment import Segment
from ..tcp.states import CLOSE_WAIT, CLOSED, ESTABLISHED, FIN_WAIT_2, SYN_RECEIVED, camel
from ..tcp.variants import Variant, add_edge, edge

CLOSE_UNREAD = "CLOSE (with unread data)"
FIN_WAIT_2_TIMEOUT = "FIN-WAIT-2 timeout"


def abort_with_reset_ack(v: r.View):
    """send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, delete the TCB"""
    t = v.tcb
    return t._replace(error="aborted"), (Segment(seq=t.snd_nxt, ack=t.rcv_nxt, rst=True),)


def resend_syn_ack(v: r.View):
    """send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> again"""
    return v.tcb, (r.retransmission(v),)


# Each departure changes the graph and returns the edges that carry it.

def _rst_carries_ack(g) -> tuple[str, ...]:
    """Every abort that RFC 9293 3.10.5 makes send a RST (abort_with_reset) sends RST,ACK."""
    names = tuple(k for _, _, k, d in g.edges(keys=True, data=True) if d["action"] is r.abort_with_reset)
    for name in names:
        edge(g, name)[2]["action"] = abort_with_reset_ack
    return names


def _rst_on_close_with_unread_data(g) -> tuple[str, ...]:
    names = tuple(f"CloseWithUnreadDataIn{camel(s)}" for s in (ESTABLISHED, CLOSE_WAIT))
    for s, name in zip((ESTABLISHED, CLOSE_WAIT), names):
        add_edge(g, name, s, CLOSED, event=CLOSE_UNREAD, guard="data_received",
                 action=abort_with_reset_ack, rfc="RFC 2525 2.17")
    return names


def _fin_wait_2_timeout(g) -> tuple[str, ...]:
    add_edge(g, "FinWait2TimeoutInFinWait2", FIN_WAIT_2, CLOSED, event=FIN_WAIT_2_TIMEOUT, guard="",
             action=r.delete_tcb, rfc="Linux tcp_fin_timeout")
    return ("FinWait2TimeoutInFinWait2",)


def _syn_ack_on_retransmitted_syn(g) -> tuple[str, ...]:
    # Checked just before the RFC's answer to an unacceptable segment.
    add_edge(g, "RcvSynRetransmissionInSynReceived", SYN_RECEIVED, SYN_RECEIVED,
             before="AckUnacceptableInSynReceived", event=SEGMENT,
             guard="not acceptable and SYN and not ACK", action=resend_syn_ack, rfc="Linux tcp_check_req")
    return ("RcvSynRetransmissionInSynReceived",)


# Departure name -> (how it changes the graph, what Linux does, where).
CHANGES = {
    "rst-carries-ack": (
        _rst_carries_ack,
        "an abort (SO_LINGER 0, or a kill) sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>; "
        "RFC 9293 3.10.5 sends <SEQ=SND.NXT><CTL=RST> (tcp_send_active_reset)"),
    "rst-on-close-with-unread-data": (
        _rst_on_close_with_unread_data,
        "CLOSE with received data the application has not read sends RST,ACK and deletes the "
        "TCB instead of a FIN (RFC 2525 2.17; tcp_close); RFC 9293 3.10.4 sends a FIN"),
    "fin-wait-2-timeout": (
        _fin_wait_2_timeout,
        "an orphaned connection leaves FIN-WAIT-2 after tcp_fin_timeout (60 s); RFC 9293 has no "
        "such timer and waits for the peer's FIN"),
    "syn-ack-on-retransmitted-syn": (
        _syn_ack_on_retransmitted_syn,
        "SYN-RECEIVED answers a retransmitted SYN by sending its SYN-ACK again (tcp_check_req); "
        "RFC 9293 3.10.7.4 answers an unacceptable segment with an ACK"),
}


def _linux(g) -> None:
    for change, _ in CHANGES.values():
        change(g)


_changed = build_graph()
# Departure name -> (the edges that carry it, what Linux does, where).
DEPARTURES = {d: (change(_changed), text) for d, (change, text) in CHANGES.items()}
EDGE_DEPARTURE = {name: d for d, (edges, _) in DEPARTURES.items() for name in edges}

LINUX = Variant("linux", "Linux's departures from RFC 9293: " + ", ".join(DEPARTURES), _linux)
PROFILES = {"rfc": None, "linux": LINUX}
USER_EVENTS = (CLOSE, CLOSE_UNREAD)  # the linux profile adds a second way to close
