"""Facts the graph implies, computed by firing it (spec.tcp.facts): they are what RFC 9293 says,
and they move when the graph does."""

import pytest

from tcpverify.spec.tcp import facts
from tcpverify.spec.tcp import rules as r
from tcpverify.spec.tcp.machine import RTO, Machine, build_graph
from tcpverify.spec.tcp.states import (CLOSE_WAIT, CLOSING, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, LAST_ACK,
                                       LISTEN, SYN_RECEIVED, SYN_SENT, TIME_WAIT)
from tcpverify.spec.tcp.variants import SENDS_FIN, VARIANTS, edge

SND = ("iss", "snd_una", "snd_nxt")


def test_the_rfc_graph_implies_what_rfc_9293_says():
    f = facts.rfc()
    both = ("iss", "irs", "snd_una", "snd_nxt", "rcv_nxt")
    assert f.fields == {LISTEN: (), SYN_SENT: SND, SYN_RECEIVED: both, ESTABLISHED: both, CLOSE_WAIT: both,
                        **{s: both + ("fin_seq",) for s in (FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT)}}
    assert set(f.fin_sent) == {FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT}  # 3.10.4: CLOSE sends it
    assert set(f.peer_fin) == {CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT}  # 3.10.7.4, eighth check
    assert set(f.sends_fin) == {"CloseInSynReceived", "CloseInEstablished", "CloseInCloseWait",
                                "RetransmitInFinWait1", "RetransmitInClosing", "RetransmitInLastAck"}


def test_seed_literal_gives_every_fin_the_graph_sends_a_random_number():
    assert set(SENDS_FIN) == set(facts.rfc().sends_fin)
    g = VARIANTS["seed-literal"].apply(build_graph())
    for name in facts.rfc().sends_fin:
        assert "random number on a FIN" in edge(g, name)[2]["action"].__doc__, name


@pytest.mark.slow
def test_a_new_fin_sending_edge_is_found():
    g = build_graph()
    g.add_edge(FIN_WAIT_2, FIN_WAIT_2, key="ResendFinInFinWait2", event=RTO, guard="", rfc="-",
               action=r.retransmit, rank=1000)
    assert "ResendFinInFinWait2" in facts.facts(Machine(g)).sends_fin


@pytest.mark.slow
def test_a_state_reached_with_and_without_the_peers_fin_is_refused():
    """no-fin-wait-2 enters TIME-WAIT on the ACK of our FIN, before the peer's FIN is in."""
    with pytest.raises(ValueError, match="TIME-WAIT"):
        facts.facts(Machine(VARIANTS["no-fin-wait-2"].apply(build_graph())))
