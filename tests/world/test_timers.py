"""Timers without the comfort (--early-rto): a retransmission timer may expire while segments are
in flight, either endpoint's first. Safety and the end still hold; graceful does not."""

from __future__ import annotations

from dataclasses import replace

from tcpverify.checker.status import Status
from tcpverify.spec.cli import main
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.world.config import DEFAULT_CONFIGS, LOSSY_CONFIGS, SCENARIOS, Config
from tcpverify.spec.world.properties import suite

EARLY = Config(retries=1, capacity=8, early_rto=True)
NORMAL = SCENARIOS["normal"]


def test_the_default_suite_has_it_and_the_name_reads_back():
    assert EARLY in DEFAULT_CONFIGS and EARLY not in LOSSY_CONFIGS
    assert EARLY.name == "loss 0, retries 1, capacity 8, early rto"
    assert Config.parse(EARLY.name) == EARLY
    assert EARLY.assumptions().endswith("a retransmission timer may expire while segments are in flight")


def test_a_timer_that_expires_with_its_syn_in_flight_gives_up_without_a_loss():
    o = check_scenario(NORMAL, EARLY)
    v = o.verdict("graceful")
    assert v.status == Status.VIOLATED and v.message == "A's application was told: user timeout"
    steps = [(label.name, o.state(i)) for label, i in v.trace[1:]]
    assert [name for name, _ in steps] == ["ActiveOpenInClosed", "RetransmitInSynSent", "GiveUpInSynSent"]
    assert len(steps[1][1].ab) == 2  # the first expiry found the SYN still in flight
    assert {p.property for p in o.result.verdicts if p.status != Status.VERIFIED} == {"graceful"}


def test_on_a_quiet_network_the_same_configuration_is_graceful():
    o = check_scenario(NORMAL, replace(EARLY, early_rto=False))
    assert o.status == Status.VERIFIED


def test_it_ends_the_ack_war_of_an_old_syn_met_by_a_close_in_syn_received():
    """close-completion is n/a there only while timers wait for a quiet network."""
    scenario, stale = SCENARIOS["close-during-handshake"], Config(stale=1, retries=1, capacity=8)
    assert "close-completion" in suite(Decider(), scenario, stale)[1]
    assert "close-completion" not in suite(Decider(), scenario, replace(stale, early_rto=True))[1]


def test_the_flag(capsys):
    assert main(["check", "normal", "--retries", "1", "--capacity", "8", "--early-rto", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "scenario normal (loss 0, retries 1, capacity 8, early rto): VIOLATED"
    assert "VIOLATED   graceful: A's application was told: user timeout (counterexample of 3 steps)" in out
