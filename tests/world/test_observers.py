"""bounded-retransmission, handshake-without-timer, no-silent-end, challenge-ack and abort-reset: what the
world observes of each step (the ghosts resent, ended_unsaid, misanswered and misaborted, which the rules never
read), checked on the RFC model and on a variant that violates each, with its shortest counterexample."""

import pytest

from tcpverify.checker.status import Status
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.teaching.messages import violation
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.properties import suite
from tcpverify.spec.tcp.machine import ABORT
from tcpverify.spec.tcp.segment import Segment
from tcpverify.spec.tcp.seq import SeqVal
from tcpverify.spec.tcp.states import CLOSED, ESTABLISHED
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.tcb import Tcb
from tcpverify.spec.world.observers import observed

NORMAL = SCENARIOS["normal"]
GIVES_UP = Config(loss=2, retries=1)


def steps(v):
    return [f"{label.actor}: {label.name}" for label, _ in v.trace[1:]]


def test_the_rfc_model_gives_up_after_exactly_its_retries_and_the_ghost_adds_no_state():
    o = check_scenario(NORMAL, GIVES_UP)
    assert o.verdict("bounded-retransmission").status == Status.VERIFIED
    # the ghost counts what the TCB's own retry counter counts, so the states are those of main
    assert (o.result.exploration.stats.states, o.result.exploration.stats.transitions) == (159, 264)


def test_giving_up_without_retransmitting_violates_it():
    v = check_scenario(NORMAL, GIVES_UP, VARIANTS["no-retransmission"]).verdict("bounded-retransmission")
    assert v.status == Status.VIOLATED
    assert steps(v) == ["A: ActiveOpenInClosed", "net: Lose", "A: GiveUpInSynSent"]
    assert (v.message, violation(v.message, "zh")) == (
        "A gave up after 0 retransmission(s), not 1", "A 重传 0 次后就放弃了，而不是 1 次")


def test_it_is_n_a_without_a_bound_or_without_losses():
    skipped = {c.name: suite(Decider(), NORMAL, c)[1].get("bounded-retransmission")
               for c in (Config(), Config(loss=-1, retries=None), Config(loss=1),
                         Config(retries=1, capacity=8, early_rto=True))}
    assert [name for name, why in skipped.items() if why] == ["loss 0", "loss inf, retries inf"]


def test_a_listener_that_a_reset_closes_ends_silently():
    give_up = SCENARIOS["give-up-during-handshake"]
    assert check_scenario(give_up, Config()).verdict("no-silent-end").status == Status.VERIFIED
    v = check_scenario(give_up, Config(), VARIANTS["listener-closes-on-reset"]).verdict("no-silent-end")
    assert v.status == Status.VIOLATED
    assert steps(v) == ["A: ActiveOpenInClosed", "A: AbortInSynSent", "B: RcvSynInListen",
                        "A: RcvSegmentInClosed", "B: RcvRstInSynReceived"]
    assert violation(v.message, "zh") == "B 的连接因一个报文段而结束：应用程序没有关闭它，也没有得到任何通知"


def test_a_forged_rst_in_the_window_draws_a_challenge_ack_and_rfc_793_fails_it():
    forge = Config(forge=1)
    assert check_scenario(NORMAL, forge).verdict("challenge-ack").status == Status.VERIFIED
    v = check_scenario(NORMAL, forge, VARIANTS["no-challenge-ack"]).verdict("challenge-ack")
    assert steps(v) == ["A: ActiveOpenInClosed", "B: RcvSynInListen", "A: RcvSynAckInSynSent",
                        "net: ForgedArrives(RST)", "A: RcvRstInEstablished"]
    assert (v.message, violation(v.message, "zh")) == (
        "A answered a RST or SYN otherwise than RFC 5961 asks", "A 对 RST 或 SYN 的应答不符合 RFC 5961 的要求")


def test_an_old_ack_that_meets_a_new_iss_must_not_synchronize():
    """syn-acknowledged on the RFC model; the reordering run where benchmarks/mutation.py's
    syn-received-ack-test-le (SND.UNA =< SEG.ACK) takes a stale third ACK equal to a new ISS."""
    run = SCENARIOS["abort"], Config(loss=1, dup=1, reorder=True)
    assert check_scenario(*run).verdict("syn-acknowledged").status == Status.VERIFIED


def test_an_abort_in_syn_received_resets_at_snd_nxt_not_at_the_iss():
    give_up = SCENARIOS["give-up-during-handshake"]
    assert check_scenario(give_up, Config()).verdict("abort-reset").status == Status.VERIFIED
    v = check_scenario(give_up, Config(), VARIANTS["abort-reset-at-iss"]).verdict("abort-reset")
    assert steps(v) == ["A: ActiveOpenInClosed", "B: RcvSynInListen", "B: AbortInSynReceived"]
    assert violation(v.message, "zh") == "B 中止连接时发送的不是位于 SND.NXT 的复位报文段"



def test_the_abort_reset_is_judged_at_snd_nxt_under_the_path_condition_not_by_name():
    """RFC 9293 3.10.5: the reset is at SND.NXT. A RST at ISS_A+1 while SND.NXT is named ISS_A2
    is at SND.NXT where the path condition has ISS_A+1 = ISS_A2 (two names, one number, as
    renumbered incarnations give), and is not where nothing says so."""
    iss, iss2 = SeqVal("ISS_A", 0), SeqVal("ISS_A2", 0)
    tcb = Tcb(state=ESTABLISHED, iss=iss2, irs=SeqVal("ISS_B", 0), snd_una=iss2, snd_nxt=iss2,
              rcv_nxt=SeqVal("ISS_B", 1))
    aborted = tcb._replace(state=CLOSED, error="aborted")

    def misaborted(seq, pc):
        return observed(tcb, ABORT, None, aborted, (Segment(seq=seq, rst=True),), True, None, Decider(), pc).misaborted

    assert not misaborted(iss + 1, frozenset({("eq", iss + 1, iss2, True)}))
    assert misaborted(iss + 1, frozenset())
    assert misaborted(iss + 1, frozenset({("eq", iss + 1, iss2, False)}))
    assert not misaborted(iss2, frozenset())

SIMULTANEOUS_OPEN, REORDER = SCENARIOS["simultaneous-open"], Config(loss=1, dup=1, reorder=True)


@pytest.mark.slow  # the RFC model's 7,363 states; the fast tier keeps the variant's kill (tests/tcp/test_variants.py)
def test_a_simultaneous_open_completes_without_a_timer_where_the_network_has_done_nothing():
    """RFC 9293 Figure 8: each SYN-SENT endpoint answers the other's SYN with its SYN,ACK, and
    a SYN,ACK that overtakes the SYN still carries it; under the RFC 793 label (a bare ACK) the
    ACK that overtakes is dropped in SYN-SENT (3.10.7.3 "fifth") and B waits for its timer."""
    assert check_scenario(SIMULTANEOUS_OPEN, REORDER).verdict("handshake-without-timer").status == Status.VERIFIED
    v = check_scenario(SIMULTANEOUS_OPEN, REORDER, VARIANTS["rfc793-simultaneous-open"]).verdict(
        "handshake-without-timer")
    assert v.status == Status.VIOLATED
    assert steps(v) == ["A: RcvSynInSynSent", "B: DropInSynSent", "B: RcvSynInSynSent",
                        "A: RcvAckOfSynInSynReceived", "B: RetransmitInSynReceived"]
    assert (v.message, violation(v.message, "zh")) == (
        "B's timer sent its SYN again on a network that has lost, duplicated and injected nothing",
        "B 的计时器重传了它的 SYN，而网络没有丢失、复制或注入任何报文段")


def test_a_syn_resent_after_a_loss_is_no_violation():
    # the witness of bounded-retransmission under loss 1 is a lost SYN sent again: allowed here
    o = check_scenario(NORMAL, Config(loss=1))
    assert o.verdict("handshake-without-timer").status == Status.VERIFIED
    assert o.verdict("bounded-retransmission").status == Status.VERIFIED


def test_it_is_n_a_where_timers_fire_in_flight_or_faults_are_not_counted():
    skipped = {c.name: suite(Decider(), NORMAL, c)[1].get("handshake-without-timer")
               for c in (Config(), Config(loss=1, dup=1, reorder=True), Config(stale=1), Config(forge=1),
                         Config(loss=-1, retries=None), Config(retries=1, capacity=8, early_rto=True))}
    assert {name: why[:40] for name, why in skipped.items() if why} == {
        "loss inf, retries inf": "losses unbounded (--loss inf) are not co",
        "loss 0, retries 1, capacity 8, early rto": "a retransmission timer may expire while "}
