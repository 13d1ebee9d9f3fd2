"""An old duplicate never ends a synchronized connection, and a RST is never answered with a RST
(RFC 9293 3.5.2, 3.10.7): each holds in the RFC model under old and forged segments, and a
variant that breaks it is caught with its shortest counterexample."""

from __future__ import annotations

import pytest

from tcpverify.checker.status import Status
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.teaching.messages import violation
from tcpverify.spec.world.config import SCENARIOS, Config

NORMAL, STALE, FORGE = SCENARIOS["normal"], Config(stale=1), Config(forge=1)
WINDOWLESS, RST_FOR_RST = VARIANTS["rst-without-window"], VARIANTS["closed-answers-rst"]


@pytest.mark.parametrize("config", [STALE, FORGE], ids=lambda c: c.name)
def test_the_rfc_model_keeps_both(config):
    o = check_scenario(NORMAL, config)
    for prop in ("old-duplicates-harmless", "no-rst-for-rst"):
        if prop not in o.skipped:
            v = o.verdict(prop)
            assert v.status == Status.VERIFIED and v.witness is not None, prop
    assert ("old-duplicates-harmless" in o.skipped) == (config is FORGE)


def test_an_old_rst_that_resets_established_is_caught():
    v = check_scenario(NORMAL, STALE, WINDOWLESS).verdict("old-duplicates-harmless")
    assert v.status == Status.VIOLATED and v.length == 5
    assert [label.name for label, _ in v.trace[1:]] == [
        "ActiveOpenInClosed", "RcvSynInListen", "RcvSynAckInSynSent", "OldDuplicateArrives(RST)",
        "DropUnacceptableRstInEstablished"]  # the variant's edge now leads to CLOSED
    assert v.message == "A's connection was ended by the old duplicate <SEQ=OLDSEQ1><CTL=RST>"
    assert violation(v.message, "zh") == "A 的连接被旧的重复报文段 <SEQ=OLDSEQ1><CTL=RST> 终止"


def test_a_closed_endpoint_that_answers_a_rst_with_a_rst_is_caught():
    v = check_scenario(NORMAL, STALE, RST_FOR_RST).verdict("no-rst-for-rst")
    assert v.status == Status.VIOLATED and v.length == 2  # an old RST reaches A, CLOSED before it opens
    assert [label.name for label, _ in v.trace[1:]] == ["OldDuplicateArrives(RST)", "DropRstInClosed"]
    assert (v.message, violation(v.message, "zh")) == ("A answered a RST with a RST", "A 用 RST 回应了一个 RST")
