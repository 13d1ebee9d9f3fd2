"""The segment classes: one SEG.SEQ offset per position RFC 9293 Table 6 tells apart, and
nothing acceptable left to the free class."""

import typing

import pytest

from tcpverify.spec.tcp.firing import seq_offsets
from tcpverify.spec.tcp.rules import QUEUE_MAX, Params, View
from tcpverify.spec.tcp.segment import Segment
from tcpverify.spec.tcp.seq import SeqVal
from tcpverify.spec.tcp.states import ESTABLISHED
from tcpverify.spec.tcp.symbolic import Ctx, Decider
from tcpverify.spec.tcp.tcb import SEQ_FIELDS, WORLD_GHOSTS, Tcb


def acceptable(offset: int, length: int, window: int) -> bool:
    t = Tcb(state=ESTABLISHED, rcv_nxt=SeqVal("X", 100), rcv_wnd=window)
    seg = Segment(seq=SeqVal("X", 100 + offset), data=length)
    return View("A", t, seg, Ctx(Decider(), frozenset(), ()), Params()).acceptable()


@pytest.mark.parametrize("window", [0, 1, 4, 7])
def test_every_acceptable_segment_lies_at_an_offset_of_its_own(window):
    offsets = seq_offsets(window)
    wide = range(offsets[0] - 2 * QUEUE_MAX, offsets[-1] + 2 * QUEUE_MAX)
    accepted = {k for k in wide for n in range(QUEUE_MAX + 1) if acceptable(k, n, window)}
    assert accepted and accepted <= set(offsets)
    assert min(offsets) < min(accepted) and max(accepted) < max(offsets)  # and one each side


def test_the_sequence_fields_are_the_tcbs_sequence_values():
    """Every sequence number the rules keep; the world's ghost ``abandoned`` is none of them."""
    hints = typing.get_type_hints(Tcb, {"SeqVal": SeqVal})
    assert SEQ_FIELDS == tuple(f for f in Tcb._fields if hints[f] == SeqVal | None and f not in WORLD_GHOSTS)
