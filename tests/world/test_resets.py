"""An old duplicate never ends a synchronized connection, and a RST is never answered with a RST
(RFC 9293 3.5.2, 3.10.7): each holds in the RFC model under old and forged segments, and a
variant that breaks it is caught with its shortest counterexample."""

from __future__ import annotations

import pytest

from tcpverify.checker.status import Status
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.variants import VARIANTS
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
    assert v.status == Status.VIOLATED and v.length == EXPECTED["old-duplicates-harmless"]
    assert v.message.startswith("A's connection was ended by the old duplicate <SEQ=OLDSEQ1><CTL=RST>") \
        or v.message.startswith("B's connection was ended by the old duplicate <SEQ=OLDSEQ1><CTL=RST>")


def test_a_closed_endpoint_that_answers_a_rst_with_a_rst_is_caught():
    v = check_scenario(NORMAL, STALE, RST_FOR_RST).verdict("no-rst-for-rst")
    assert v.status == Status.VIOLATED and v.length == EXPECTED["no-rst-for-rst"]


# A connects, B accepts, A is ESTABLISHED, the old RST is injected and arrives (5); an old RST
# reaches A, CLOSED before it opens, which answers it (2).
EXPECTED = {"old-duplicates-harmless": 5, "no-rst-for-rst": 2}
