"""Comparisons decided, never by name: a violation reached only through a comparison Z3 could not
decide is INCOMPLETE, one that needs no decision stays VIOLATED, each run counts only its own
unknowns, and properties compare sequence values under the path condition."""

from __future__ import annotations

import pytest

from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp import symbolic
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config

NORMAL, STALE = SCENARIOS["normal"], Config(stale=1)
LIMIT = 2000  # every comparison left open branches both ways: the space is cut short


@pytest.fixture(autouse=True)
def no_shared_answers(monkeypatch):
    """Deciders share Z3's answers process-wide: an earlier test's would spare Unsure the asking."""
    monkeypatch.setattr(symbolic, "_ANSWERS", {})


class Unsure(Decider):
    """A Decider whose solver answers unknown to every question (a timeout, say), and that
    leaves every question to it (no interval shortcut for one pair of bases)."""

    def _sat(self, solver, formula) -> bool:
        self.queries += 1
        self.unknown += 1
        return True

    def _by_intervals(self, *question):
        return None


def test_a_violation_reached_through_an_undecided_comparison_is_incomplete():
    # without the challenge ACK a forged RST resets when its SEQ falls in the window: a
    # comparison of the forged number with RCV.NXT
    args = (NORMAL, Config(forge=1), VARIANTS["no-challenge-ack"])
    assert check_scenario(*args).verdict("blind-reset-resistance").status == "VIOLATED"
    symbolic._ANSWERS.clear()
    v = check_scenario(*args, decider=Unsure(), max_states=LIMIT).verdict("blind-reset-resistance")
    assert v.status == "INCOMPLETE"
    assert v.message.startswith("violated only where the model could not decide")
    assert "Z3 returned unknown" in v.message


def test_a_violation_that_needs_no_decision_stays_violated_when_z3_is_unsure():
    o = check_scenario(NORMAL, STALE, VARIANTS["fin-takes-no-sequence-number"], decider=Unsure(),
                       max_states=LIMIT)
    assert any("Z3 returned unknown" in lim for lim in o.result.exploration.limits)
    assert o.verdict("fin-accounting").status == "VIOLATED"


def test_each_run_counts_only_its_own_unknowns():
    d = Decider()
    d.unknown = 7  # an earlier run's
    o = check_scenario(NORMAL, STALE, decider=d)
    assert o.status == "VERIFIED" and o.result.exploration.limits == []


@pytest.mark.slow  # (the fast tier stays under 90 s; the whole suite runs it)
def test_an_unknown_answer_is_not_kept_a_later_run_asks_again():
    d = Unsure()
    assert check_scenario(NORMAL, STALE, decider=d, max_states=LIMIT).status == "INCOMPLETE"
    d.__class__ = Decider  # the solver works again: nothing of its unknown answers remains
    again = check_scenario(NORMAL, STALE, decider=d)
    assert again.status == "VERIFIED" and again.result.exploration.limits == []


def test_fin_accounting_decides_equality_under_the_path_condition():
    """The FIN of a second incarnation whose ISN the path condition makes equal to the first's
    is at FIN.SEQ: compared by name, ISS_B2+1 and ISS_B+1 made a false alarm here."""
    o = check_scenario(SCENARIOS["abort"], Config(loss=2, retries=3, dup=1, reorder=True))
    assert o.verdict("fin-accounting").status == "VERIFIED"
    assert o.verdict("fin-accounting").witness is not None
