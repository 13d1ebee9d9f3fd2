"""One endpoint's transition relation for bounded model checking, fired from the state graph.

A *skeleton* is the control part of a TCB with its sequence fields written as
offsets from two bases: ``ISS`` for ISS, SND.UNA, SND.NXT and FIN.SEQ, ``IRS``
for IRS and RCV.NXT (within one connection they are, as in the explicit
model). The bases' values are the world's bit-vectors. ``Machine.fire`` runs
on a skeleton and a segment whose SEG.SEQ is RCV.NXT + k (each offset Table 6
tells apart) or a free ``SEG.SEQ`` elsewhere, and whose SEG.ACK is a free
``SEG.ACK``; ``spec.tcp.symbolic.branches`` enumerates the outcomes of the
comparisons it makes. A post-state is written back as a skeleton: a field set
to SEG.ACK becomes ISS + k for each k it may equal (an equality the step then
requires). Moves are fired on demand, for the skeletons the unrolling finds
reachable from the scenario's initial TCBs (spec/proofs/bmc.py), over the segment
shapes (flags and data) of the initial channels, of old duplicates, and of what
the moves fired so far send.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from tcpverify.checker.z3check import check

from ..tcp.firing import DECIDER, fired, seq_classes, seq_offsets, v
from ..tcp.machine import MSL2, RTO, SEGMENT, Machine
from ..tcp.rules import Params
from ..tcp.segment import Segment
from ..tcp.seq import SeqVal, distance
from ..tcp.symbolic import Decider, literal
from ..tcp.tcb import RECEIVE_FIELDS, SEND_FIELDS, WORLD_GHOSTS, Tcb
from ..tcp.z3lazy import z3
from ..world.config import Config, Scenario
from ..world.environment import STALE_KINDS, old_duplicate

ISS, IRS, SEG_SEQ, SEG_ACK = "ISS", "IRS", "SEG.SEQ", "SEG.ACK"
Shape = tuple[bool, bool, bool, bool, int]  # SYN, FIN, RST, ACK bit, data octets


def shape(seg: Segment) -> Shape:
    return seg.syn, seg.fin, seg.rst, seg.ack is not None, seg.data


class Move(NamedTuple):
    """One feasible branch of one firing at one skeleton."""

    pre: Tcb
    event: str
    segment: Segment | None  # SEG.SEQ: a SeqVal of base IRS (an offset class) or the free SEG.SEQ
    edge: str
    guard: tuple  # literals over ISS, IRS, SEG.SEQ, SEG.ACK (the branch's path condition)
    equal: tuple  # literals that write a post field set to SEG.ACK as ISS + k
    post: Tcb  # skeleton
    iss: SeqVal | None  # the value of the post ISS base, in the names above (None: unchanged)
    irs: SeqVal | None
    sent: tuple  # segments, in the names above (a new ISN is a base with the ISS_ prefix)


def skeleton(t: Tcb) -> tuple[Tcb, SeqVal | None, SeqVal | None]:
    """(skeleton, ISS value, IRS value) of a TCB whose fields are offsets of its ISS and IRS."""
    fields = {}
    for names, base, origin in ((SEND_FIELDS, ISS, t.iss), (RECEIVE_FIELDS, IRS, t.irs)):
        for f in names:
            val = getattr(t, f)
            if val is None:
                continue
            if val.base != origin.base:
                raise ValueError(f"{f}={val} is not an offset of {origin}")
            fields[f] = SeqVal(base, distance(origin, val))  # mod 2^32 for concrete values
    return t._replace(incarnations=min(t.incarnations, 1), **WORLD_GHOSTS, **fields), t.iss, t.irs


def _normal_forms(post: Tcb) -> list[tuple[Tcb, SeqVal | None, SeqVal | None, tuple]]:
    """The post-state as skeletons: one per offset a field set to SEG.ACK may have."""
    options = [({}, ())]
    for names, base, origin in ((SEND_FIELDS, ISS, post.iss), (RECEIVE_FIELDS, IRS, post.irs)):
        for f in names:
            val = getattr(post, f)
            if val is None:
                continue
            if val.base == origin.base:
                options = [({**fs, f: SeqVal(base, distance(origin, val))}, eq) for fs, eq in options]
                continue
            if f == "irs" or val.base != SEG_ACK:
                raise ValueError(f"{f}={val} is not an offset of {origin}")
            top = distance(origin, post.snd_nxt)
            options = [({**fs, f: SeqVal(base, k)}, eq + (("eq", val, origin + k, True),))
                       for fs, eq in options for k in range(top + 1)]
    return [(post._replace(incarnations=min(post.incarnations, 1), **fs), post.iss, post.irs, eq)
            for fs, eq in options]


class Relation:
    """The moves of both endpoints, fired on demand from each skeleton reached, on every
    segment shape known (those of the initial channels, of old duplicates, and those any move
    fired so far sends)."""

    def __init__(self, machine: Machine, scenario: Scenario, config: Config, init: dict[str, Tcb],
                 shapes: set[Shape], decider: Decider | None = None):
        self.machine, self.config = machine, config
        self.scripts = {"A": scenario.a, "B": scenario.b}
        self.params = Params(retries=config.retries, fin_len=machine.fin_len)
        self.offsets = seq_offsets(config.window)
        self.decider = decider or DECIDER
        self.shapes = set(shapes)
        if config.stale:
            self.shapes |= {shape(old_duplicate(k, 1)) for k in STALE_KINDS}
        self._moves: dict[tuple[str, Tcb], list[Move]] = {}
        self._done: dict[tuple[str, Tcb], set] = {}
        self.ids: dict[str, dict[Tcb, int]] = {x: {} for x in "AB"}
        self.skeletons: dict[str, list[Tcb]] = {x: [] for x in "AB"}
        self.init = {x: self.id(x, t) for x, t in init.items()}

    def id(self, x: str, t: Tcb) -> int:
        """The number naming skeleton t of endpoint x in the world's control variable."""
        if t not in self.ids[x]:
            self.ids[x][t] = len(self.skeletons[x])
            self.skeletons[x].append(t)
        return self.ids[x][t]

    def moves(self, x: str, t: Tcb) -> list[Move]:
        """Every move from t: its own events, and a segment of every shape known arriving."""
        moves = self._own(x, t)
        seen = self._done.setdefault((x, t), set())
        for sh in sorted(self.shapes - seen):
            syn, fin, rst, ack, data = sh
            for seq, _ in seq_classes(t, self.offsets):
                seg = Segment(seq=seq, ack=v(SEG_ACK) if ack else None, syn=syn, fin=fin,
                              rst=rst, data=data)
                moves += self._fire(x, t, SEGMENT, seg)
            seen.add(sh)
        for m in moves:
            self.id(x, m.post)
        return moves

    def learn(self, moves: list[Move]) -> None:
        """The shapes these moves send become shapes that may arrive."""
        self.shapes |= {shape(s) for m in moves for s in m.sent}

    def _own_events(self, x: str, t: Tcb) -> list[str]:
        calls = sorted({c.event for c in self.scripts[x] if c.enabled(t)})
        return [e for e in calls + [RTO, MSL2] if self.machine.handles(t.state, e)]

    def _fire(self, x: str, t: Tcb, event: str, seg) -> list[Move]:
        if not self.machine.handles(t.state, event):
            return []
        out = []
        for name, post, sent, pc in fired(self.machine, self.params, self.decider, x, t, event, seg):
            forms = _normal_forms(post)
            if len(forms) > 1:
                _check_covered(pc, tuple(equal for *_, equal in forms))
            out += [Move(t, event, seg, name, pc, equal, skel, iss, irs, sent)
                    for skel, iss, irs, equal in forms]
        return out

    def _own(self, x: str, t: Tcb) -> list[Move]:
        if (x, t) not in self._moves:
            self._moves[(x, t)] = [m for e in self._own_events(x, t) for m in self._fire(x, t, e, None)]
        return self._moves[(x, t)]

    def has_timer(self, x: str, t: Tcb) -> bool:
        """x's retransmission timer can fire in t."""
        return any(m.event == RTO for m in self._own(x, t))


@lru_cache(maxsize=None)
def _check_covered(pc: tuple, alternatives: tuple) -> None:
    """The offsets enumerated for a field set to SEG.ACK are all it can have."""
    s = z3.Solver()
    s.add(*(literal(x) for x in pc))
    s.add(z3.Not(z3.Or(*(z3.And(*(literal(x) for x in eq)) for eq in alternatives))))
    if check(s) != z3.unsat:
        raise ValueError(f"SEG.ACK may set a field beyond {alternatives} under {pc}")
