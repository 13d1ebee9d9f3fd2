"""The mutation matrix as a test: every listed mutant is killed, by exactly the properties
(and in exactly the steps) recorded here, or is a survivor spec.mutants explains (none now). A
property weakened by a later change stops killing some mutant below, and CI fails."""

import pytest

from tcpverify.checker.status import Status
from tcpverify.spec.suite.mutants import (CONFIGS_FOR, FORGE, MUTANT_CONFIGS, MUTANT_SCENARIOS, SURVIVORS,
                                         Kill, Row, kills, mutants_md)
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.properties import PROPERTY_NAMES

L0, L1, FAIR = Config(), Config(loss=1), Config(loss=-1, retries=None)
DUP_REORDER, STALE = Config(loss=1, dup=1, reorder=True), Config(stale=1)

# (mutant, scenario, configuration): every property violated in that run, with the steps of
# its shortest counterexample. The runs are the cheapest that show each kill.
KILLS = [
    ("no-time-wait", "normal", L1, {"graceful": 12}),
    ("two-way-handshake", "normal", STALE, {"synchronization": 2, "syn-acknowledged": 2, "close-completion": 8}),
    ("no-retransmission", "normal", L1,
     {"close-completion": 3, "graceful": 3, "no-deadlock": 3, "no-half-open": 7,
      "bounded-retransmission": 3}),
    ("fin-takes-no-sequence-number", "normal", L0, {"fin-accounting": 4, "graceful": 11}),
    ("fin-takes-no-sequence-number", "normal", FAIR, {"fin-accounting": 4, "close-completion": 8}),
    ("no-simultaneous-close", "simultaneous-close", L0, {"graceful": 17}),
    ("no-fin-wait-2", "normal", L0, {"time-wait-role": 7, "graceful": 10}),
    ("no-fin-wait-2", "normal", DUP_REORDER, {"time-wait-role": 6, "graceful": 10}),
    # A answers the wrong ACK with a RST, B returns to LISTEN, and A's timer sends the SYN again
    ("syn-ack-acks-too-far", "normal", L0, {"ack-validity": 2, "graceful": 3, "handshake-without-timer": 5}),
    ("ack-not-incremented", "normal", L0, {"graceful": 3, "handshake-without-timer": 5}),
    ("time-wait-too-short", "normal", L1, {"graceful": 13}),
    ("time-wait-never-ends", "normal", L0, {"no-deadlock": 10, "no-half-open": 10}),
    ("syn-in-third-segment", "normal", L0, {"synchronization": 4, "graceful": 6}),
    ("fin-without-ack", "normal", L0,
     {"close-completion": 11, "graceful": 11, "no-deadlock": 11, "no-half-open": 11}),
    ("random-sequence-in-close", "normal", L0,
     {"fin-accounting": 4, "close-completion": 14, "graceful": 14, "no-deadlock": 14, "no-half-open": 14}),
    ("fin-on-ack-of-fin", "normal", L0,
     {"synchronization": 7, "ack-validity": 7, "close-completion": 9, "graceful": 11}),
    ("fin-on-final-ack", "normal", L0, {"fin-accounting": 9}),
    ("seed-literal", "normal", L0, {"synchronization": 4, "fin-accounting": 4, "graceful": 7}),
    ("no-challenge-ack", "normal", FORGE, {"blind-reset-resistance": 5, "challenge-ack": 5}),
    ("listener-closes-on-reset", "normal", STALE, {"no-silent-end": 4}),
    ("abort-reset-at-iss", "give-up-during-handshake", L0, {"abort-reset": 3}),
    # A's bare ACK overtakes its SYN and B drops it in SYN-SENT: only B's timer completes B
    ("rfc793-simultaneous-open", "simultaneous-open", DUP_REORDER, {"handshake-without-timer": 5}),
    ("rst-without-window", "normal", STALE,
     {"old-duplicates-harmless": 5, "close-completion": 6, "no-deadlock": 6, "no-half-open": 6}),
    ("rst-without-window", "normal", FORGE, {"blind-reset-resistance": 5, "challenge-ack": 5}),
    ("closed-answers-rst", "normal", STALE, {"no-rst-for-rst": 2}),
    # two CLOSED endpoints answer each other's RSTs for ever: a RST war, a fair lasso
    ("closed-answers-rst", "connect-to-closed-port", STALE, {"no-rst-for-rst": 2, "close-completion": 5}),
]


@pytest.fixture(scope="module")
def decider():
    return Decider()


@pytest.mark.parametrize("name, scenario, config, expected", KILLS,
                         ids=[f"{k[0]}-{k[2].name}" for k in KILLS])
def test_the_mutant_is_killed_by_exactly_these_properties(decider, name, scenario, config, expected):
    o = check_scenario(SCENARIOS[scenario], config, VARIANTS[name], decider=decider, max_states=30_000)
    assert {v.property: v.length for v in o.result.verdicts if v.status == Status.VIOLATED} == expected


def test_every_mutant_is_listed_and_every_property_kills_one():
    assert {k[0] for k in KILLS} | set(SURVIVORS) == set(VARIANTS)
    assert {p for k in KILLS for p in k[3]} == set(PROPERTY_NAMES)


@pytest.mark.slow
def test_no_mutant_survives_and_no_challenge_ack_falls_to_a_blind_reset_only_under_forging(decider):
    assert SURVIVORS == {}
    row = kills(VARIANTS["no-challenge-ack"], MUTANT_SCENARIOS, CONFIGS_FOR["no-challenge-ack"], decider)
    assert row.runs == len(MUTANT_SCENARIOS) * (len(MUTANT_CONFIGS) + 1) and row.incomplete == {}
    assert {p: k.length for p, k in row.kills.items()} == {"blind-reset-resistance": 5, "challenge-ack": 5}
    assert row.kills["blind-reset-resistance"].outcome.config == FORGE
    md = mutants_md([row])
    assert "| no-challenge-ack | " + "- | " * 9 + "5 | - | - | - | - | - | 5 | - | yes |" in md and "Survivors" not in md
    assert "## Blind injection" in md


def test_a_report_row_says_which_property_kills_first():
    o = check_scenario(SCENARIOS["normal"], L0, VARIANTS["syn-ack-acks-too-far"])
    row = Row(VARIANTS["syn-ack-acks-too-far"])
    row.kills = {v.property: Kill(v.property, v.length, o) for v in o.result.verdicts if v.status == Status.VIOLATED}
    md = mutants_md([row])
    assert "| syn-ack-acks-too-far | - | - | - | 2 | - | - | 3 | " + "- | " * 6 + "5 | - | - | - | yes |" in md
    assert "| ack-validity | 1 | syn-ack-acks-too-far | - | graceful, handshake-without-timer |" in md


@pytest.mark.slow
def test_the_matrix_dealt_to_processes_is_the_matrix_and_the_command_prints_it_the_same(capsys):
    """A worker sends a row's kills as lengths and runs; the report and the command's lines
    are those of one process."""
    from tcpverify.spec.cli import main
    from tcpverify.spec.suite.mutants import matrix

    names = ["no-time-wait", "syn-in-third-segment", "no-challenge-ack"]  # (its own configurations)
    one, two = matrix(names=names), matrix(names=names, workers=2)
    assert mutants_md(two) == mutants_md(one)
    assert [(r.variant, r.runs, r.incomplete, r.differs) for r in two] == \
        [(r.variant, r.runs, r.incomplete, r.differs) for r in one]
    assert [(k.property, k.length, k.where, k.outcome) for k in two[2].shortest()] == \
        [(k.property, k.length, k.where, None) for k in one[2].shortest()]
    printed = []
    for workers in ("1", "3"):
        assert main(["mutants", "--quiet", "--workers", workers] + names[:2]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1] and "syn-in-third-segment  synchronization 4" in printed[0]
