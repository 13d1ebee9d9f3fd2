"""Z3's bounded model checking over the symbolic transition relation finds counterexamples
exactly as short as the breadth-first search's, and each replays in the explicit model."""

from functools import lru_cache

import pytest

from tcpverify.checker.properties import EndState
from tcpverify.checker.status import Status
from tcpverify.spec.proofs.bmc import ENCODED, NOT_ENCODED, compare, replay, unencoded
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.environment import NAMES
from tcpverify.spec.world.properties import suite

# Where each variant's finding shows (docs/findings.md).
FINDINGS = {
    "no-time-wait": Config(loss=1),
    "two-way-handshake": Config(stale=1),
    "no-retransmission": Config(loss=1),
    "fin-takes-no-sequence-number": Config(),
    "no-simultaneous-close": Config(),
    "no-fin-wait-2": Config(),
    "syn-ack-acks-too-far": Config(),
    "ack-not-incremented": Config(),
    "time-wait-too-short": Config(loss=1),
    "syn-in-third-segment": Config(),
    "fin-without-ack": Config(),
    "random-sequence-in-close": Config(),
    "fin-on-ack-of-fin": Config(),
    "fin-on-final-ack": Config(),
    "seed-literal": Config(),
    "rst-without-window": Config(stale=1),  # its end states, 6 steps: past DEPTH, both find none
}
# Variants no safety property (invariant) catches: nothing for BMC to agree on.
NO_SAFETY_FINDING = {"time-wait-never-ends": "only no-deadlock and no-half-open see it",
                     "no-challenge-ack": "only under --forge, which the BMC encoding does not model",
                     "listener-closes-on-reset": "only no-silent-end sees it, and the BMC encoding "
                                                 "carries no ghost of the TCB",
                     "abort-reset-at-iss": "only abort-reset sees it, a ghost of the TCB",
                     "closed-answers-rst": "only no-rst-for-rst, on a ghost BMC does not carry (no_z3)",
                     "rfc793-simultaneous-open": "only handshake-without-timer, on a ghost BMC does not "
                                                 "carry (no_z3)"}
# Z3's time grows about twofold per step (benchmarks/bmc.py): the suite unrolls this far,
# `tcpverify bmc --depth K` as far as one likes.
DEPTH = 4

pytestmark = pytest.mark.slow  # every test unrolls Z3 terms for seconds


def test_every_variant_has_a_finding_configuration():
    assert set(FINDINGS) == set(VARIANTS) - set(NO_SAFETY_FINDING)


@lru_cache(maxsize=None)
def _run(variant, config):
    """The BFS outcome and the BMC (encoding, unrolling, comparison rows), computed once."""
    scenario = "simultaneous-close" if variant == "no-simultaneous-close" else "normal"
    o = check_scenario(SCENARIOS[scenario], config, VARIANTS[variant] if variant else None)
    return (o, *compare(o, depth=DEPTH))


def _agrees(rows):
    for r in rows:
        if r.bfs is not None and r.bfs <= DEPTH:
            assert (r.bmc.status, r.bmc.depth) == (Status.FOUND, r.bfs), r.property
        else:
            assert r.bmc.status == Status.NOT_FOUND and r.bmc.depth == DEPTH, r.property


@pytest.mark.parametrize("variant", sorted(FINDINGS))
def test_bmc_agrees_with_bfs_on_every_safety_property(variant):
    o, _, _, rows = _run(variant, FINDINGS[variant])
    assert o.status == "VIOLATED", f"{variant} breaks nothing here"
    assert {r.property for r in rows} >= {"synchronization", "ack-validity", "fin-accounting",
                                          "time-wait-role", "no-deadlock", "no-half-open"}
    _agrees(rows)


@pytest.mark.parametrize("config", [Config(loss=1), Config(stale=1)], ids=["loss1", "stale1"])
def test_bmc_finds_nothing_in_the_correct_protocol(config):
    _, _, result, rows = _run(None, config)
    assert all(r.bfs is None and r.bmc.status == Status.NOT_FOUND for r in rows)
    assert result.depth == DEPTH


@pytest.mark.parametrize("variant, prop", [("syn-ack-acks-too-far", "ack-validity"),
                                           ("no-retransmission", "no-deadlock"),
                                           ("two-way-handshake", "synchronization"),
                                           ("fin-takes-no-sequence-number", "fin-accounting")])
def test_a_bmc_counterexample_replays_in_the_explicit_model(variant, prop):
    o, enc, result, _ = _run(variant, FINDINGS[variant])
    answer = result.answers[prop]
    system, worlds = replay(enc, answer.model, answer.depth)
    assert len(worlds) == answer.depth + 1 == o.verdict(prop).length + 1
    props, _ = suite(system.decider, o.scenario, o.config)
    (p,) = [p for p in props if p.name == prop]
    assert p.check(worlds[-1]) is not None
    if isinstance(p, EndState):
        assert system.successors(worlds[-1]) == []


def test_cli_bmc_exit_codes(capsys):
    from tcpverify.spec.cli import main
    assert main(["bmc", "normal", "--variant", "syn-ack-acks-too-far", "--depth", "3"]) == 0
    out = capsys.readouterr().out
    assert "ack-validity       BMC 2                BFS 2      agree" in out
    # graceful's BFS counterexample has 3 steps: a depth of 2 hides it
    assert main(["bmc", "normal", "--variant", "syn-ack-acks-too-far", "--depth", "2", "--json"]) == 3
    assert '"agree": null' in capsys.readouterr().out
    assert main(["bmc", "normal", "--reorder"]) == 2
    assert "no --reorder" in capsys.readouterr().err


def test_bmc_encodes_each_environment_action_or_says_why_not():
    """BMC's table names exactly the environment's actions: one it misses, or one it adds, fails."""
    assert set(ENCODED).isdisjoint(NOT_ENCODED)
    assert set(ENCODED) | set(NOT_ENCODED) == set(NAMES)
    assert all(reason for reason in NOT_ENCODED.values())


def test_a_run_that_needs_an_action_bmc_does_not_encode_is_refused_by_name(capsys):
    from tcpverify.spec.cli import main
    assert [a.name for a in unencoded(Config(forge=1, reorder=True))] == ["DeliverOutOfOrder", "ForgedArrives"]
    assert unencoded(Config(loss=1, dup=1, stale=1)) == []
    assert main(["bmc", "normal", "--forge", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"ForgedArrives (no --forge): {NOT_ENCODED['ForgedArrives']}" in err


def test_bmc_agrees_with_bfs_when_timers_may_expire_with_segments_in_flight():
    """--early-rto: the RFC model's timer expires twice while its SYN is in flight, and A gives
    up (graceful, 3 steps); BMC's RetransmitTimeout drops its quiet-network condition alike."""
    o, _, _, rows = _run(None, Config(retries=1, capacity=8, early_rto=True))
    assert o.verdict("graceful").length == 3
    assert {r.property: r.bfs for r in rows if r.bfs is not None} == {"graceful": 3}
    _agrees(rows)
