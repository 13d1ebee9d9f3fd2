"""The Linux profile: where Linux's TCP departs from RFC 9293, as a variant of the graph.

`tcpverify replay --profile linux` replays a capture against this graph; the RFC
graph itself is untouched. Each departure is an edge the RFC graph lacks, so an
explanation that uses one names it. (A reset carrying an ACK and the reset on CLOSE
with unread data are RFC behaviour, RFC 9293 3.1 and 3.6.1: the RFC graph has them.)
"""

from __future__ import annotations

from ..tcp import rules as r
from ..tcp.machine import FIN_WAIT_2_TIMEOUT, SEGMENT, build_graph
from ..tcp.states import CLOSED, FIN_WAIT_2, SYN_RECEIVED
from ..tcp.variants import Variant, edge


def resend_syn_ack(v: r.View):
    """send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> again"""
    return v.tcb, (r.retransmission(v),)


# Departure name -> (the edges that carry it, what Linux does, where).
DEPARTURES = {
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
    g.add_edge(FIN_WAIT_2, CLOSED, key="FinWait2TimeoutInFinWait2", event=FIN_WAIT_2_TIMEOUT,
               guard="", action=r.delete_tcb, rfc="Linux tcp_fin_timeout", rank=rank)
    # Ranked just before the RFC's answer to an unacceptable segment.
    _, _, unacceptable = edge(g, "AckUnacceptableInSynReceived")
    g.add_edge(SYN_RECEIVED, SYN_RECEIVED, key="RcvSynRetransmissionInSynReceived", event=SEGMENT,
               guard="not acceptable and SYN and not ACK", action=resend_syn_ack,
               rfc="Linux tcp_check_req", rank=unacceptable["rank"] - 0.5)


LINUX = Variant("linux", "Linux's departures from RFC 9293: " + ", ".join(DEPARTURES), _linux)
PROFILES = {"rfc": None, "linux": LINUX}


def departing_edges(variant: Variant) -> set[str]:
    """The edges of a profile's graph that the RFC graph lacks or has otherwise."""
    rfc = {k: (u, v, d) for u, v, k, d in build_graph().edges(keys=True, data=True)}
    return {k for u, v, k, d in variant.apply(build_graph()).edges(keys=True, data=True)
            if rfc.get(k) != (u, v, d)}
