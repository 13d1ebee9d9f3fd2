"""Z3's bounded model checking finds counterexamples as short as the breadth-first search's."""

import pytest

from tcpverify.checker.explore import StateGraph
from tcpverify.checker.bmc import shortest
from tcpverify.spec.bmc import bmc_lengths
from tcpverify.spec.config import SCENARIOS, Config
from tcpverify.spec.run import check_scenario
from tcpverify.spec.variants import VARIANTS

# Where each variant's finding shows (README, "Variants and findings").
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
}
# Variants no safety property (invariant) catches: nothing for BMC to agree on.
NO_SAFETY_FINDING = {"time-wait-never-ends": "only no-deadlock and no-half-open see it",
                     "no-challenge-ack": "only under --forge, where no liveness property runs and "
                                         "the exploration keeps no edges to unroll"}


def test_every_variant_has_a_finding_configuration():
    assert set(FINDINGS) == set(VARIANTS) - set(NO_SAFETY_FINDING)


@pytest.mark.parametrize("variant", sorted(FINDINGS))
def test_bmc_agrees_with_bfs_on_every_safety_property(variant):
    scenario = "simultaneous-close" if variant == "no-simultaneous-close" else "normal"
    o = check_scenario(SCENARIOS[scenario], FINDINGS[variant], VARIANTS[variant])
    violated = [v for v in o.result.verdicts if v.status == "VIOLATED"]
    assert violated, f"{variant} breaks nothing here"
    depth = o.result.exploration.stats.depth
    found = bmc_lengths(o, depth)
    safety = [v for v in o.result.verdicts if v.property in found]
    assert any(v.status == "VIOLATED" for v in safety)
    for v in safety:
        assert found[v.property] == (v.length if v.status == "VIOLATED" else None), v.property


def test_bmc_finds_nothing_in_the_correct_protocol():
    o = check_scenario(SCENARIOS["normal"], Config(loss=1))
    assert set(bmc_lengths(o, o.result.exploration.stats.depth).values()) == {None}


def test_bmc_on_a_hand_made_graph():
    g = StateGraph(states=["a", "b", "c", "d"], parent=[-1, 0, 1, 0],
                   edges=[[("x", 1), ("y", 3)], [("x", 2)], [], [("z", 2)]])
    assert shortest(g, {"c": {2}, "d": {3}, "a": {0}, "none": set()}, 5) == \
        {"c": 2, "d": 1, "a": 0, "none": None}
    assert shortest(g, {"c": {2}}, 1) == {"c": None}
