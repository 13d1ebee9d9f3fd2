"""A host that crashes and restarts (RFC 9293 3.5.1) in the gap scenario peer-restarts."""

from __future__ import annotations

from tcpverify.checker.status import Status
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.seq import SeqVal
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.world.config import GAP_SCENARIOS, SCENARIOS, Config

RESTARTS = GAP_SCENARIOS["peer-restarts"]


def _verdicts(outcome) -> dict:
    return {v.property: v for v in outcome.result.verdicts}


def test_a_restart_whose_new_isn_repeats_the_old_one_leaves_the_peer_half_open():
    """A's new SYN at the old ISS lies below B's RCV.NXT: B answers with an ACK of the old
    connection, which A's SYN-SENT finds acceptable (ISS_A2+1) and drops (3.10.7.3): no reset
    ever reaches B. 3.4.1's ISN clock and 3.4.3's quiet time are what keep this from happening."""
    decider = Decider()
    outcome = check_scenario(RESTARTS, Config(), decider=decider)
    v = _verdicts(outcome)["no-half-open"]
    assert v.status == Status.VIOLATED and v.length == 18
    names = [step.name for step, _ in v.trace[1:]]
    assert names[6:8] == ["CrashInEstablished", "ActiveOpenInClosed"]
    assert names.count("DropInSynSent") == 3 and names[-1] == "GiveUpInSynSent"
    end = outcome.state(v.trace[-1][1])
    assert decider.valid(end.pc, "eq", SeqVal("ISS_A", 0), SeqVal("ISS_A2", 0))


def test_the_peer_finds_the_half_open_connection_as_figure_10_shows():
    """Some run of peer-restarts takes Figure 10's discovery: A's SYN draws B's ACK, A's
    SYN-SENT resets it (RcvBadAckInSynSent), B's ESTABLISHED takes the reset."""
    outcome = check_scenario(RESTARTS, Config(), decider=Decider())
    graph = outcome.result.exploration.graph
    fired = {label.name for label in graph.edges.names}
    assert {"CrashInEstablished", "RcvBadAckInSynSent", "RcvRstInEstablished"} <= fired


def test_a_crash_leaves_synchronization_out_and_only_a_crash():
    for scenario in (RESTARTS, SCENARIOS["peer-crashes"], SCENARIOS["normal"]):
        skipped = check_scenario(scenario, Config(), decider=Decider()).skipped
        assert ("synchronization" in skipped) == scenario.crashes
        if scenario.crashes:
            assert "3.5.1" in skipped["synchronization"] and "3.5.1" in skipped["graceful"]


def test_the_active_side_finds_a_crashed_peer_as_figure_11_shows():
    """B crashes; A's data draws B's reset (RcvSegmentInClosed) and A takes it: both CLOSED."""
    outcome = check_scenario(SCENARIOS["peer-crashes"], Config(loss=1), decider=Decider())
    # no FIN, no TIME-WAIT: fin-accounting and time-wait-role are VACUOUS (departures.tsv)
    assert {v.property for v in outcome.result.verdicts if v.status != Status.VERIFIED} == \
        {"fin-accounting", "time-wait-role"}
    assert {v.status for v in outcome.result.verdicts} == {Status.VERIFIED, Status.VACUOUS}
    done = _verdicts(outcome)["close-completion"]
    names = [(step.actor, step.name) for step, _ in done.witness[1:]]
    assert names[-4:] == [("B", "CrashInEstablished"), ("A", "SendInEstablished"),
                          ("B", "RcvSegmentInClosed"), ("A", "RcvRstInEstablished")]
