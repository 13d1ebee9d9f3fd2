"""The Linux profile: where Linux's TCP departs from RFC 9293, as a variant of the graph.

`tcpverify replay --profile linux` replays a capture against this graph; the RFC
graph itself is untouched. Each departure is an edge added or changed here, so an
explanation that uses one names it.
"""

from __future__ import annotations

from ..tcp import rules as r
from ..tcp.machine import ABORT_WITH_RST, CLOSE, MSL2, SEGMENT
from ..tcp.segment import Segment
from ..tcp.states import CLOSE_WAIT, CLOSED, ESTABLISHED, FIN_WAIT_2, SYN_RECEIVED, camel
from ..tcp.variants import Variant, edge, retarget

CLOSE_UNREAD = "CLOSE (with unread data)"
FIN_WAIT_2_TIMEOUT = "FIN-WAIT-2 timeout"


def abort_with_reset_ack(v: r.View):
    """send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, delete the TCB"""
    t = v.tcb
    return t._replace(error="aborted"), (Segment(seq=t.snd_nxt, ack=t.rcv_nxt, rst=True),)


def resend_syn_ack(v: r.View):
    """send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> again"""
    return v.tcb, (r.retransmission(v),)


# Departure name -> (the edges that carry it, what Linux does, where).
DEPARTURES = {
    "rst-carries-ack": (
        tuple(f"AbortIn{camel(s)}" for s in ABORT_WITH_RST),
        "an abort (SO_LINGER 0, or a kill) sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>; "
        "RFC 9293 3.10.5 sends <SEQ=SND.NXT><CTL=RST> (tcp_send_active_reset)"),
    "rst-on-close-with-unread-data": (
        tuple(f"CloseWithUnreadDataIn{camel(s)}" for s in (ESTABLISHED, CLOSE_WAIT)),
        "CLOSE with received data the application has not read sends RST,ACK and deletes the "
        "TCB instead of a FIN (RFC 2525 2.17; tcp_close); RFC 9293 3.10.4 sends a FIN"),
    "fin-wait-2-timeout": (
        ("FinWait2TimeoutInFinWait2",),
        "an orphaned connection leaves FIN-WAIT-2 after tcp_fin_timeout (60 s); RFC 9293 has no "
        "such timer and waits for the peer's FIN"),
    "syn-ack-on-retransmitted-syn": (
        ("RcvSynRetransmissionInSynReceived",),
        "SYN-RECEIVED answers a retransmitted SYN by sending its SYN-ACK again (tcp_check_req); "
        "RFC 9293 3.10.7.4 answers an unacceptable segment with an ACK"),
}
EDGE_DEPARTURE = {name: d for d, (edges, _) in DEPARTURES.items() for name in edges}


def _linux(g) -> None:
    rank = max(d["rank"] for _, _, d in g.edges(data=True)) + 1
    for s in ABORT_WITH_RST:
        retarget(g, f"AbortIn{camel(s)}", CLOSED, action=abort_with_reset_ack)
    for s in (ESTABLISHED, CLOSE_WAIT):
        g.add_edge(s, CLOSED, key=f"CloseWithUnreadDataIn{camel(s)}", event=CLOSE_UNREAD,
                   guard="data_received", action=abort_with_reset_ack, rfc="RFC 2525 2.17",
                   rank=rank)
    g.add_edge(FIN_WAIT_2, CLOSED, key="FinWait2TimeoutInFinWait2", event=FIN_WAIT_2_TIMEOUT,
               guard="", action=r.delete_tcb, rfc="Linux tcp_fin_timeout", rank=rank)
    # Ranked just before the RFC's answer to an unacceptable segment.
    _, _, unacceptable = edge(g, "AckUnacceptableInSynReceived")
    g.add_edge(SYN_RECEIVED, SYN_RECEIVED, key="RcvSynRetransmissionInSynReceived", event=SEGMENT,
               guard="not acceptable and SYN and not ACK", action=resend_syn_ack,
               rfc="Linux tcp_check_req", rank=unacceptable["rank"] - 0.5)


LINUX = Variant("linux", "Linux's departures from RFC 9293: " + ", ".join(DEPARTURES), _linux)
PROFILES = {"rfc": None, "linux": LINUX}
# The events this profile adds, each beside an event of the environment's actions: replay fires
# an endpoint's own events in that order (a CLOSE, of either kind, is tried before an ABORT).
ADDED_EVENTS = {MSL2: (FIN_WAIT_2_TIMEOUT,), CLOSE: (CLOSE_UNREAD,)}
