"""reports/rfc-gaps.md: each known RFC gap is a computed run, and each fix a variant that removes it."""

from __future__ import annotations

import pytest

from tcpverify.spec.reports.rfc_gaps import (EARLY_CONFIGS, FIGURE_13, close_paths, firings,
                                             resets_a_late_segment, runs, taken_from_the_old_connection)


pytestmark = pytest.mark.slow  # every test reads the report's runs (a few CPU s each)


@pytest.fixture(scope="module")
def gaps():
    return runs()


def statuses(o):
    return {v.property: v.status for v in o.result.verdicts}


def test_time_wait_assassination_and_the_rfc_1337_fix(gaps):
    # RFC 9293: a RST at RCV.NXT ends TIME-WAIT; with RFC 1337's fix it is dropped.
    assert firings(gaps["twa"], "RcvRstInTimeWait")
    assert not firings(gaps["twa-fix"], "RcvRstInTimeWait")
    assert firings(gaps["twa-fix"], "IgnoreRstInTimeWait")
    assert gaps["twa"].status == gaps["twa-fix"].status == "VERIFIED"


def test_fin_wait_2_waits_for_ever_unless_linux_times_it_out(gaps):
    rfc, linux = statuses(gaps["fw2"]), statuses(gaps["fw2-linux"])
    assert rfc["no-deadlock"] == rfc["close-completion"] == "VIOLATED"
    assert "FIN-WAIT-2" in gaps["fw2"].verdict("no-deadlock").message
    assert linux["no-deadlock"] == linux["close-completion"] == "VERIFIED"
    assert firings(gaps["fw2-linux"], "FinWait2TimeoutInFinWait2")


def test_closing_before_establishment_over_a_reordering_channel(gaps):
    reorder, lossy, stale = (gaps[f"early {c.name}"] for c in EARLY_CONFIGS)
    # Success, neither deadlock nor livelock, and graceful: the stray reset answers a late segment
    assert statuses(reorder)["close-completion"] == statuses(reorder)["no-deadlock"] == "VERIFIED"
    assert statuses(reorder)["graceful"] == "VERIFIED"
    ((label, _),) = reorder.path_ending(reorder.transitions(resets_a_late_segment))[-1:]
    assert (label.actor, label.name) == ("A", "RcvSegmentInClosed")  # B's needless ACK from TIME-WAIT
    assert firings(reorder, "RcvSynAckFinInSynSent") or firings(lossy, "RcvSynAckFinInSynSent")
    # An old duplicate SYN makes the two exchange ACKs for ever: the suite says so as its reason
    # for leaving close-completion out, and the report's own run checks it regardless.
    assert "ACK war" in stale.skipped["close-completion"]
    loop = gaps["early loop"].verdict("close-completion")
    assert loop.status == "VIOLATED" and loop.loop_start is not None


def test_figure_13_is_one_of_the_simultaneous_closes(gaps):
    paths = close_paths(gaps["fig13"], "A")
    assert FIGURE_13 in paths and len(paths) > 1
    assert all(seq[-1] in ("TimeoutInTimeWait", "RcvAckOfFinInLastAck") for seq in paths)


def test_a_restarted_host_meets_its_old_connection_on_the_same_four_tuple(gaps):
    crash, reuse = gaps["restart"], gaps["restart-reuse"]
    # Figure 10's discovery happens in some runs; in others the new ISN repeats the old one.
    assert firings(crash, "RcvBadAckInSynSent") and firings(crash, "RcvRstInEstablished")
    assert statuses(crash)["no-half-open"] == "VIOLATED"
    path = taken_from_the_old_connection(reuse)
    label, j = path[-1]
    new_iss, acked = reuse.state(j).a.iss, label.segment.ack
    assert label.name == "RcvSynAckInSynSent" and acked.base != new_iss.base
    decider = reuse.system.decider
    assert decider.valid(reuse.state(j).pc, "eq", acked, new_iss + 1)


def test_gap_scenarios_run_by_name_outside_the_default_suite(capsys):
    from tcpverify.spec.cli import main
    from tcpverify.spec.world.config import GAP_SCENARIOS, SCENARIOS

    assert not set(GAP_SCENARIOS) & set(SCENARIOS)
    assert main(["check", "peer-vanishes", "--loss", "1", "--quiet"]) == 1
    assert "stuck with A FIN-WAIT-2, B CLOSED" in capsys.readouterr().out
