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
from ..tcp.variants import Variant, add_edge


def resend_syn_ack(v: r.View):
    """send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> again"""
    return v.tcb, (r.retransmission(v),)


# Each departure changes the graph and returns the edges that carry it.

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


def departing_edges(variant: Variant) -> set[str]:
    """The edges of a profile's graph that the RFC graph lacks or has otherwise (rank aside)."""
    def attrs(d):
        return {k: v for k, v in d.items() if k != "rank"}
    rfc = {k: (u, v, attrs(d)) for u, v, k, d in build_graph().edges(keys=True, data=True)}
    return {k for u, v, k, d in variant.apply(build_graph()).edges(keys=True, data=True)
            if rfc.get(k) != (u, v, attrs(d))}
