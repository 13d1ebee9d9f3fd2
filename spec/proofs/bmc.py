"""Bounded model checking of TCP: the world as Z3 terms, one copy per step.

Each endpoint is a skeleton number (its control part, spec/proofs/bmc_relation.py)
and two 32-bit bases, ISS and IRS; each channel a length and slots (flags,
data, SEQ, ACK, old); the budgets and the calls made are integers. Every
sequence value carries a tag naming its symbolic base, as the explicit model's
SeqVal does: an ISN chosen at step k (a fresh, unconstrained bit-vector), the
n-th old duplicate's SEQ or ACK (fresh, at least FAR from every ISN), or a
constant. The steps are the environment's actions (spec/world/environment.py),
each encoded by name in ENCODED; the endpoint's moves come from firing the
state graph. NOT_ENCODED says which actions are not, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from tcpverify.checker.bmc import Answer, Unrolling, unroll
from tcpverify.checker.status import Status

from ..tcp.firing import elsewhere
from ..tcp.machine import Machine
from ..tcp.seq import BITS, BITVEC, CONST, SeqVal, lt
from ..tcp.states import CLOSED, SYNCHRONIZED, TIME_WAIT
from ..tcp.symbolic import ISS_PREFIX, OLD_PREFIX, Decider, far_apart
from ..tcp.tcb import SEND_FIELDS, Tcb
from ..tcp.z3lazy import z3
from ..world.config import Config, Scenario
from ..world.environment import (APP_CALL, DELIVER, DELIVER_OUT_OF_ORDER, DUPLICATE, ENVIRONMENT, FORGE, LOSE,
                                 MSL2_TIMEOUT, OLD, PEER, RETRANSMIT_TIMEOUT, STALE_KINDS, Action, old_duplicate)
from ..world.environment import BY_NAME as ACTIONS
from ..world.properties import BY_NAME, ENDED, SIGNALLED, suite
from ..world.system import TcpSystem
from .bmc_relation import IRS, ISS, SEG_ACK, SEG_SEQ, Move, Relation, shape, skeleton

SMALL = 16
TO = {"A": "BA", "B": "AB"}  # the channel travelling to an endpoint
FROM = {"A": "AB", "B": "BA"}


class Slot(NamedTuple):
    syn: object
    fin: object
    rst: object
    ack_bit: object
    data: object
    old: object
    seq: object
    ack: object
    seq_tag: object
    ack_tag: object


def _slot(name: str) -> Slot:
    b = [z3.Bool(f"{name}.{f}") for f in Slot._fields[:6]]
    return Slot(*b, z3.BitVec(f"{name}.seq", BITS), z3.BitVec(f"{name}.ack", BITS),
                _small(f"{name}.seq_tag"), _small(f"{name}.ack_tag"))


def _small(name: str):
    """A small integer (skeleton number, tag, length, budget, count): a 16-bit vector, so that
    the whole problem is over bit-vectors."""
    return z3.BitVec(name, SMALL)


def _val(n: int):
    return z3.BitVecVal(n, SMALL)


def _same(a: Slot, b: Slot):
    return z3.And(*(x == y for x, y in zip(a, b)))


class WorldTerms:
    """The variables of the world after k steps."""

    def __init__(self, k: int, capacity: int):
        n = lambda s: f"{s}@{k}"  # noqa: E731
        self.k = k
        self.ctrl = {x: _small(n(f"{x}.ctrl")) for x in "AB"}
        self.iss = {x: z3.BitVec(n(f"{x}.ISS"), BITS) for x in "AB"}
        self.irs = {x: z3.BitVec(n(f"{x}.IRS"), BITS) for x in "AB"}
        self.iss_tag = {x: _small(n(f"{x}.ISS_tag")) for x in "AB"}
        self.irs_tag = {x: _small(n(f"{x}.IRS_tag")) for x in "AB"}
        self.calls = {x: _small(n(f"{x}.calls")) for x in "AB"}
        self.isn = {x: z3.BitVec(n(f"{x}.isn"), BITS) for x in "AB"}  # an ISN chosen at step k
        self.len = {d: _small(n(f"{d}.len")) for d in ("AB", "BA")}
        self.slots = {d: [_slot(n(f"{d}[{i}]")) for i in range(capacity)] for d in ("AB", "BA")}
        self.loss, self.dup, self.stale = (_small(n(b)) for b in ("loss", "dup", "stale"))
        self.sends = z3.Bool(n("sends"))
        self.out = _slot(n("out"))
        self.act = _small(n("act"))
        self.ended = z3.Bool(n("ended"))  # a state before this one had both ends in CLOSED or TIME-WAIT


def isn_tag(x: str, k: int) -> int:
    """The tag of the ISN x chooses at step k (k = -1: before the run)."""
    return 2 * (k + 1) + (x == "B") + 1


class Label(NamedTuple):
    actor: str  # "A", "B" or "net"
    name: str
    to: str = ""


@dataclass
class Comparison:
    property: str
    bfs: int | None  # the breadth-first search's shortest counterexample, None: none
    bmc: Answer
    comparable: bool  # the BFS verdict is one BMC can reproduce (not a lasso, not incomplete)

    @property
    def agree(self) -> bool | None:
        """None: unknown (Z3 gave up, or the depth bound hides the BFS length)."""
        if not self.comparable or self.bmc.status == Status.UNKNOWN:
            return None
        if self.bmc.status == Status.FOUND:
            return self.bfs == self.bmc.depth
        if self.bfs is not None and self.bfs > self.bmc.depth:
            return None
        return self.bfs is None


# Property name -> its bad-state predicate, (encoding, world, x, x's peer, k) -> a formula that
# holds when the world after k steps violates it through x. The registry says which exist.
BAD_STATES = {}


def bad_state(name: str):
    def register(predicate):
        BAD_STATES[name] = predicate
        return predicate
    return register


class Encoding:
    """The Z3 encoding of one scenario, configuration and state graph."""

    def __init__(self, machine: Machine, scenario: Scenario, config: Config):
        refused = unencoded(config)
        if refused:
            raise ValueError("bounded model checking does not encode "
                             + "; ".join(f"{a.name}: {NOT_ENCODED[a.name]}" for a in refused))
        self.machine, self.scenario, self.config = machine, scenario, config
        (w0,) = TcpSystem(machine, scenario, config).init_states()
        self.initial = w0
        init = {x: skeleton(w0.tcb(x))[0] for x in "AB"}
        self.rel = Relation(machine, scenario, config, init,
                            {shape(s) for s in w0.ab + w0.ba})
        self.worlds: list[WorldTerms] = []
        self.reached: list[dict[str, list[Tcb]]] = []
        self.labels: list[Label] = []
        self._label_ids: dict[Label, int] = {}
        self._tags: dict[str, int] = {CONST: 0}
        self._steps: dict[int, object] = {}
        self._enabled: dict[int, object] = {}
        self.olds = [(z3.BitVec(f"{OLD_PREFIX}SEQ{n}", BITS), z3.BitVec(f"{OLD_PREFIX}ACK{n}", BITS))
                     for n in range(1, config.stale + 1)]

    # --- variables
    def world(self, k: int) -> WorldTerms:
        while len(self.worlds) <= k:
            self.worlds.append(WorldTerms(len(self.worlds), self.config.capacity))
        return self.worlds[k]

    def label(self, lab: Label) -> int:
        if lab not in self._label_ids:
            self._label_ids[lab] = len(self.labels)
            self.labels.append(lab)
        return self._label_ids[lab]

    def tag(self, base: str) -> int:
        """A constant tag for a base that is not an ISN: negative, in order of first use."""
        if base not in self._tags:
            self._tags[base] = -len(self._tags)
        return self._tags[base]

    def _far(self, isn) -> list:
        """RFC 9293 3.4.1 as the explicit Decider states it: old numbers lie FAR from each ISN."""
        return [far_apart(old, isn) for pair in self.olds for old in pair]

    # --- the initial world
    def init(self):
        s, w0, c = self.world(0), self.initial, self.config
        out = [s.loss == c.loss, s.dup == c.dup, s.stale == c.stale, z3.Not(s.ended)]
        init_isn = {x: z3.BitVec(f"{x}.isn@init", BITS) for x in "AB"}

        def term(v: SeqVal):
            if v.base.startswith(ISS_PREFIX):
                return init_isn[v.base[len(ISS_PREFIX)]] + v.off, isn_tag(v.base[len(ISS_PREFIX)], -1)
            raise ValueError(f"an initial value {v} that is not an ISN")

        for x in "AB":
            t = w0.tcb(x)
            if t.irs is not None:
                raise ValueError("an initial TCB that has received a SYN")
            out += [s.ctrl[x] == self.rel.init[x], s.calls[x] == w0.calls[x == "B"]]
            if t.iss is not None:
                v, g = term(t.iss)
                out += [s.iss[x] == v, s.iss_tag[x] == g] + self._far(init_isn[x])
        for d, ch in (("AB", w0.ab), ("BA", w0.ba)):
            out.append(s.len[d] == len(ch))
            for i, seg in enumerate(ch):
                seq, seq_tag = term(seg.seq)
                ack, ack_tag = term(seg.ack) if seg.ack is not None else (BITVEC.const(0), 0)
                out.append(_same(s.slots[d][i], Slot(seg.syn, seg.fin, seg.rst, seg.ack is not None,
                                                      bool(seg.data), seg.old, seq, ack, seq_tag,
                                                      ack_tag)))
        return z3.And(*out)

    # --- which skeletons each depth holds, and the step built from them
    def reach(self, k: int, possible) -> None:
        s = self.world(k)
        reached = {}
        for x in "AB":
            if k == 0:
                candidates = {self.rel.skeletons[x][self.rel.init[x]]}
            else:
                before = self.reached[k - 1][x]
                candidates = set(before) | {m.post for t in before for m in self.rel.moves(x, t)}
            ids = possible(s.ctrl[x], [self.rel.id(x, t) for t in candidates])
            reached[x] = [self.rel.skeletons[x][i] for i in sorted(ids)]
        self.reached.append(reached)
        for x in "AB":
            for t in reached[x]:
                self.rel.learn(self.rel.moves(x, t))
        self._build(k)

    def _build(self, k: int) -> None:
        s, t = self.world(k), self.world(k + 1)
        enabled, steps = [], []
        for encode in ENCODED.values():
            when, step = encode(self, s, t, k)
            enabled += when
            steps += step
        goal = z3.And(*(self._in(s, x, lambda u: u.state in ENDED, k) for x in "AB"))
        self._enabled[k] = z3.Or(*enabled)
        far = [f for x in "AB" for f in self._far(s.isn[x])]
        self._steps[k] = z3.And(z3.Or(*steps), t.ended == z3.Or(s.ended, goal), *far)

    def step(self, k: int):
        return self._steps[k]

    def enabled(self, k: int):
        return self._enabled[k]

    def _moves(self, k: int, x: str, action: str) -> list[Move]:
        """x's moves at step k that this environment action makes (it fires their event)."""
        mine = ACTIONS[action].events
        return [m for pre in self.reached[k][x] for m in self.rel.moves(x, pre) if m.event in mine]

    def _in(self, s: WorldTerms, x: str, pred, k: int):
        """x's skeleton at step k satisfies pred (a predicate of the control part)."""
        return z3.Or(*(s.ctrl[x] == self.rel.id(x, t) for t in self.reached[k][x] if pred(t)))

    # --- terms
    def _term(self, s: WorldTerms, x: str, v: SeqVal | None, k: int):
        """(bit-vector, tag) of a value written in the relation's names, at step k."""
        if v is None:
            return BITVEC.const(0), _val(0)
        head = s.slots[TO[x]][0]
        if v.base == ISS:
            base, tag = s.iss[x], s.iss_tag[x]
        elif v.base == IRS:
            base, tag = s.irs[x], s.irs_tag[x]
        elif v.base == SEG_SEQ:
            base, tag = head.seq, head.seq_tag
        elif v.base == SEG_ACK:
            base, tag = head.ack, head.ack_tag
        elif v.base == CONST:
            base, tag = BITVEC.const(0), _val(0)
        elif v.base.startswith(ISS_PREFIX):
            base, tag = s.isn[x], _val(isn_tag(x, k))
        else:
            base, tag = z3.BitVec(v.base, BITS), _val(self.tag(v.base))
        return base + BITVEC.const(v.off), tag

    def _literal(self, s: WorldTerms, x: str, lit: tuple, k: int):
        rel, a, b, holds = lit
        ta, tb = self._term(s, x, a, k)[0], self._term(s, x, b, k)[0]
        f = lt(ta, tb, BITVEC) if rel == "lt" else ta == tb
        return f if holds else z3.Not(f)

    def _quiet(self, s: WorldTerms):
        return z3.And(s.len["AB"] == 0, s.len["BA"] == 0)

    def _fired(self, action: str, allowed, s: WorldTerms, t: WorldTerms, k: int) -> tuple[list, list]:
        """(enabling conditions, steps) of an action that fires an endpoint's graph: per endpoint,
        the frame its moves share and, per move, what the action allows (allowed(s, x, m, k)),
        the move's own precondition and its effect."""
        enabled, steps = [], []
        for x in "AB":
            pre = [(z3.And(self._pre(s, x, m, k), allowed(s, x, m, k)), self._post(s, t, x, m, k), m)
                   for m in self._moves(k, x, action)]
            enabled += [p for p, _, _ in pre]
            if pre:
                steps.append(z3.And(self._common(s, t, x, action), z3.Or(*(
                    z3.And(p, u, s.act == self.label(Label(x, m.edge))) for p, u, m in pre))))
        return enabled, steps

    def _pre(self, s: WorldTerms, x: str, m: Move, k: int):
        """When move m's edge is taken: x's skeleton, room for what it sends, its guard."""
        out = [s.ctrl[x] == self.rel.id(x, m.pre)]
        if m.sent:
            out.append(s.len[FROM[x]] < self.config.capacity)
        out += [self._literal(s, x, lit, k) for lit in m.guard + m.equal]
        return z3.And(*out)

    # --- the environment's actions (spec/world/environment.py), each encoded once: see ENCODED
    def _app_call(self, s: WorldTerms, t: WorldTerms, k: int):
        def allowed(s, x, m, k):
            script = self.rel.scripts[x]
            return z3.Or(*(z3.And(s.calls[x] == i, s.calls[PEER[x]] >= c.after_peer)
                           for i, c in enumerate(script) if c.event == m.event and c.enabled(m.pre)))
        return self._fired(APP_CALL, allowed, s, t, k)

    def _deliver(self, s: WorldTerms, t: WorldTerms, k: int):
        return self._fired(DELIVER, lambda s, x, m, k: z3.And(s.len[TO[x]] > 0, self._arrives(s, x, m, k)),
                           s, t, k)

    def _retransmit_timeout(self, s: WorldTerms, t: WorldTerms, k: int):
        def allowed(s, x, m, k):  # the peer's timer, if running, has backed off as much or more
            if self.config.early_rto:
                return z3.BoolVal(True)  # any running timer, segments in flight or not
            y = PEER[x]
            sooner = lambda u: self.rel.has_timer(y, u) and u.retries < m.pre.retries  # noqa: E731
            return z3.And(self._quiet(s), z3.Not(self._in(s, y, sooner, k)))
        return self._fired(RETRANSMIT_TIMEOUT, allowed, s, t, k)

    def _msl2_timeout(self, s: WorldTerms, t: WorldTerms, k: int):
        def allowed(s, x, m, k):  # the peer will not retransmit
            y = PEER[x]
            return z3.And(self._quiet(s), z3.Not(self._in(s, y, lambda u: self.rel.has_timer(y, u), k)))
        return self._fired(MSL2_TIMEOUT, allowed, s, t, k)

    def _lose(self, s: WorldTerms, t: WorldTerms, k: int):
        return self._fault(s, t, lambda to, d, j: (z3.And(s.loss != 0, s.len[d] > j), z3.And(
            self._remove(s, t, d, j), *self._budgets_same(s, t, "loss"),
            t.loss == z3.If(s.loss > 0, s.loss - 1, s.loss), s.act == self.label(Label("net", LOSE, to)))))

    def _duplicate(self, s: WorldTerms, t: WorldTerms, k: int):
        cap = self.config.capacity
        return self._fault(s, t, lambda to, d, j: (z3.And(s.dup > 0, s.len[d] > j, s.len[d] < cap), z3.And(
            self._push(s, t, d, s.slots[d][j]), *self._budgets_same(s, t, "dup"),
            t.dup == s.dup - 1, s.act == self.label(Label("net", DUPLICATE, to)))))

    def _old_duplicate_arrives(self, s: WorldTerms, t: WorldTerms, k: int):
        cap = self.config.capacity
        return self._fault(s, t, lambda to, d, kind: (z3.And(s.stale > 0, s.len[d] < cap), z3.And(
            self._push(s, t, d, self._old(s, kind)), *self._budgets_same(s, t, "stale"),
            t.stale == s.stale - 1, s.act == self.label(Label("net", f"{OLD}({kind})", to)))),
            STALE_KINDS if self.config.stale else ())

    def _fault(self, s: WorldTerms, t: WorldTerms, effect, over=None) -> tuple[list, list]:
        """(enabling conditions, steps) of a fault of the network: effect(to, channel, p) gives
        (enabled, effect on that channel) for each p in over (default: each slot)."""
        ends = z3.And(*self._endpoint_same(s, t, "A"), *self._endpoint_same(s, t, "B"),
                      t.calls["A"] == s.calls["A"], t.calls["B"] == s.calls["B"])
        enabled, steps = [], []
        for to in ("B", "A"):
            d, other = TO[to], TO[PEER[to]]
            for p in range(self.config.capacity) if over is None else over:
                when, change = effect(to, d, p)
                enabled.append(when)
                steps.append(z3.And(when, ends, self._keep(s, t, other), change))
        return enabled, steps

    def _arrives(self, s: WorldTerms, x: str, m: Move, k: int):
        """The channel's head is of m's segment class."""
        head, seg = s.slots[TO[x]][0], m.segment
        out = [head.syn == seg.syn, head.fin == seg.fin, head.rst == seg.rst,
               head.ack_bit == (seg.ack is not None), head.data == bool(seg.data)]
        rcv = m.pre.rcv_nxt
        if seg.seq.base == IRS:
            out += [head.seq_tag == s.irs_tag[x], head.seq == self._term(s, x, seg.seq, k)[0]]
        elif rcv is not None:
            d = head.seq - self._term(s, x, rcv, k)[0]
            out.append(z3.Or(head.seq_tag != s.irs_tag[x], elsewhere(d, self.rel.offsets)))
        return z3.And(*out)

    def _post(self, s: WorldTerms, t: WorldTerms, x: str, m: Move, k: int):
        out = [t.ctrl[x] == self.rel.id(x, m.post), s.sends == bool(m.sent)]
        for field, value in (("iss", m.iss), ("irs", m.irs)):
            now, nxt = getattr(s, field)[x], getattr(t, field)[x]
            tag_now, tag_nxt = getattr(s, f"{field}_tag")[x], getattr(t, f"{field}_tag")[x]
            if value is None:
                out += [nxt == now, tag_nxt == tag_now]
            else:
                v, g = self._term(s, x, value, k)
                out += [nxt == v, tag_nxt == g]
        if len(m.sent) > 1:
            raise ValueError(f"{m.edge} sends more than one segment")
        for seg in m.sent:
            seq, seq_tag = self._term(s, x, seg.seq, k)
            ack, ack_tag = self._term(s, x, seg.ack, k)
            if seg.data > 1:
                raise ValueError(f"{m.edge} sends {seg.data} octets")
            out.append(_same(s.out, Slot(seg.syn, seg.fin, seg.rst, seg.ack is not None,
                                         bool(seg.data), False, seq, ack, seq_tag, ack_tag)))
        return z3.And(*out)

    # --- frames
    def _common(self, s: WorldTerms, t: WorldTerms, x: str, action: str):
        """What every move of x made by this action leaves or changes alike."""
        y = PEER[x]
        out = self._endpoint_same(s, t, y) + self._budgets_same(s, t)
        out += [t.calls[y] == s.calls[y],
                t.calls[x] == s.calls[x] + (1 if action == APP_CALL else 0),
                z3.If(s.sends, self._push(s, t, FROM[x], s.out), self._keep(s, t, FROM[x]))]
        out.append(self._remove(s, t, TO[x], 0) if action == DELIVER else self._keep(s, t, TO[x]))
        return z3.And(*out)

    @staticmethod
    def _endpoint_same(s: WorldTerms, t: WorldTerms, x: str) -> list:
        return [t.ctrl[x] == s.ctrl[x], t.iss[x] == s.iss[x], t.irs[x] == s.irs[x],
                t.iss_tag[x] == s.iss_tag[x], t.irs_tag[x] == s.irs_tag[x]]

    @staticmethod
    def _budgets_same(s: WorldTerms, t: WorldTerms, but: str = "") -> list:
        return [getattr(t, b) == getattr(s, b) for b in ("loss", "dup", "stale") if b != but]

    def _prefix(self, s: WorldTerms, t: WorldTerms, d: str) -> list:
        """The segments in channel d stay where they are."""
        return [z3.Implies(i < s.len[d], _same(t.slots[d][i], s.slots[d][i]))
                for i in range(self.config.capacity)]

    def _keep(self, s: WorldTerms, t: WorldTerms, d: str):
        return z3.And(t.len[d] == s.len[d], *self._prefix(s, t, d))

    def _push(self, s: WorldTerms, t: WorldTerms, d: str, seg: Slot):
        cap = self.config.capacity
        return z3.And(s.len[d] < cap, t.len[d] == s.len[d] + 1, *self._prefix(s, t, d),
                      *(z3.Implies(s.len[d] == i, _same(t.slots[d][i], seg)) for i in range(cap)))

    def _remove(self, s: WorldTerms, t: WorldTerms, d: str, j: int):
        cap = self.config.capacity
        return z3.And(s.len[d] > j, t.len[d] == s.len[d] - 1,
                      *(_same(t.slots[d][i], s.slots[d][i]) for i in range(j)),
                      *(z3.Implies(i < t.len[d], _same(t.slots[d][i], s.slots[d][i + 1]))
                        for i in range(j, cap - 1)))

    def _old(self, s: WorldTerms, kind: str) -> Slot:
        """The old duplicate of this kind that the step injects: the n-th uses OLDSEQn, OLDACKn."""
        seg = old_duplicate(kind, 1)
        seq, ack = BITVEC.const(0), BITVEC.const(0)
        seq_tag, ack_tag = _val(0), _val(0)
        for n, (old_seq, old_ack) in enumerate(self.olds, start=1):
            now = s.stale == self.config.stale - n + 1
            seq, ack = z3.If(now, old_seq, seq), z3.If(now, old_ack, ack)
            seq_tag = z3.If(now, self.tag(str(old_seq)), seq_tag)
            ack_tag = z3.If(now, self.tag(str(old_ack)), ack_tag)
        return Slot(seg.syn, seg.fin, seg.rst, seg.ack is not None, bool(seg.data), True,
                    seq, ack, seq_tag, ack_tag)

    # --- properties: one bad-state predicate per safety property, over the world after k steps
    def _field(self, s: WorldTerms, x: str, f: str, k: int):
        """(present, value, tag) of x's sequence field f at step k."""
        base, tag = (s.iss[x], s.iss_tag[x]) if f in SEND_FIELDS \
            else (s.irs[x], s.irs_tag[x])
        present = self._in(s, x, lambda t: getattr(t, f) is not None, k)
        value = BITVEC.const(0)
        offsets = {getattr(t, f).off for t in self.reached[k][x] if getattr(t, f) is not None}
        for off in sorted(offsets):
            at = self._in(s, x, lambda t: getattr(t, f) is not None and getattr(t, f).off == off, k)
            value = z3.If(at, BITVEC.const(off), value)
        return present, base + value, tag

    def _flight(self, s: WorldTerms, x: str):
        """The slots of x's outgoing channel holding a segment x sent (not an old duplicate)."""
        d = FROM[x]
        return [(z3.And(i < s.len[d], z3.Not(slot.old)), slot) for i, slot in enumerate(s.slots[d])]

    def bad(self, name: str, k: int):
        s = self.world(k)
        return z3.Or(*(BAD_STATES[name](self, s, x, PEER[x], k) for x in "AB"))

    @bad_state("synchronization")
    def _bad_synchronization(self, s, x, y, k):
        _, irs, _ = self._field(s, x, "irs", k)
        _, rcv, _ = self._field(s, x, "rcv_nxt", k)
        has_iss, iss, _ = self._field(s, y, "iss", k)
        _, nxt, _ = self._field(s, y, "snd_nxt", k)
        return z3.And(self._in(s, x, lambda t: t.state in SYNCHRONIZED, k), z3.Or(
            z3.Not(has_iss), irs != iss, z3.Not(lt(iss, rcv, BITVEC)),
            z3.Not(z3.Or(rcv == nxt, lt(rcv, nxt, BITVEC)))))

    @bad_state("ack-validity")
    def _bad_ack_validity(self, s, x, y, k):
        has_iss, _, iss_tag = self._field(s, y, "iss", k)
        _, nxt, _ = self._field(s, y, "snd_nxt", k)

        def beyond(value, tag):
            return z3.And(has_iss, tag == iss_tag, lt(nxt, value, BITVEC))

        has_rcv, rcv, rcv_tag = self._field(s, x, "rcv_nxt", k)
        return z3.Or(z3.And(has_rcv, beyond(rcv, rcv_tag)),
                     *(z3.And(there, seg.ack_bit, beyond(seg.ack, seg.ack_tag))
                       for there, seg in self._flight(s, x)))

    @bad_state("fin-accounting")
    def _bad_fin_accounting(self, s, x, y, k):
        has_fin, fin, fin_tag = self._field(s, x, "fin_seq", k)
        has_rcv, rcv, rcv_tag = self._field(s, y, "rcv_nxt", k)
        one = BITVEC.const(1)
        return z3.Or(
            self._in(s, x, lambda t: t.fin_seq is not None and t.snd_nxt != t.fin_seq + 1, k),
            z3.And(self._in(s, y, lambda t: t.fin_rcvd, k), has_fin,
                   z3.Or(z3.Not(has_rcv), rcv_tag != fin_tag, rcv != fin + one)),
            *(z3.And(there, seg.fin, has_fin, z3.Or(seg.seq_tag != fin_tag, seg.seq + z3.If(
                seg.syn, one, BITVEC.const(0)) + z3.If(seg.data, one, BITVEC.const(0)) != fin))
              for there, seg in self._flight(s, x)))

    @bad_state("time-wait-role")
    def _bad_time_wait_role(self, s, x, y, k):
        return self._in(s, x, lambda t: t.state == TIME_WAIT and (t.fin_seq is None or not t.fin_rcvd), k)

    @bad_state("graceful")
    def _bad_graceful(self, s, x, y, k):
        return z3.Or(self._in(s, x, lambda t: t.error in SIGNALLED, k),
                     *(z3.And(there, seg.rst) for there, seg in self._flight(s, x)))

    @bad_state("no-deadlock")
    def _bad_no_deadlock(self, s, x, y, k):
        closed = lambda t: t.state == CLOSED  # noqa: E731
        return z3.And(z3.Not(self.enabled(k)),
                      z3.Not(z3.And(self._in(s, x, closed, k), self._in(s, y, closed, k))))

    @bad_state("no-half-open")
    def _bad_no_half_open(self, s, x, y, k):
        return z3.And(z3.Not(self.enabled(k)), self._in(s, x, lambda t: t.state in SYNCHRONIZED, k),
                      self._in(s, y, lambda t: t.state == CLOSED, k))

    @bad_state("close-completion")
    def _bad_close_completion(self, s, x, y, k):
        """A stuck state reached through states none of which had both ends in CLOSED or TIME-WAIT."""
        return z3.And(z3.Not(self.enabled(k)), z3.Not(s.ended),
                      z3.Not(self._in(s, x, lambda t: t.state in ENDED, k)))

    # --- a counterexample, read off Z3's model
    def trace(self, model, k: int) -> list[Label]:
        return [self.labels[model.eval(self.world(j).act, model_completion=True).as_long()]
                for j in range(k)]

    def isns(self, model, k: int) -> dict[str, tuple[int, ...]]:
        """The ISNs each endpoint chose on the way, in order."""
        out = {}
        for x in "AB":
            chosen = []
            if self.initial.tcb(x).iss is not None:
                chosen.append(z3.BitVec(f"{x}.isn@init", BITS))
            for j in range(k):
                t = self.world(j + 1)
                if model.eval(t.iss_tag[x] == isn_tag(x, j), model_completion=True):
                    chosen.append(self.world(j).isn[x])
            out[x] = tuple(model.eval(v, model_completion=True).as_long() for v in chosen)
        return out


# How BMC encodes each of the environment's actions, by name; and those it does not, with why.
ENCODED = {APP_CALL: Encoding._app_call, DELIVER: Encoding._deliver,
           RETRANSMIT_TIMEOUT: Encoding._retransmit_timeout, MSL2_TIMEOUT: Encoding._msl2_timeout,
           LOSE: Encoding._lose, DUPLICATE: Encoding._duplicate, OLD: Encoding._old_duplicate_arrives}
NOT_ENCODED = {
    DELIVER_OUT_OF_ORDER: "a channel is encoded as FIFO slots: only its head arrives",
    FORGE: "a forged segment's arbitrary SEQ, and the attack's target, are not encoded",
}


def unencoded(config: Config) -> list[Action]:
    """The actions this configuration allows that BMC does not encode."""
    return [a for a in ENVIRONMENT if a.name in NOT_ENCODED and a.configured(config)]


def applicable(scenario: Scenario, config: Config) -> list[str]:
    """The properties the suite checks for this run that have a bad-state predicate that decides
    them here (the safety properties, and close-completion's stuck states)."""
    props, _ = suite(Decider(), scenario, config)
    return [p.name for p in props if BY_NAME[p.name].bmc and not BY_NAME[p.name].bmc_excluded(scenario, config)]


def bmc(machine: Machine, scenario: Scenario, config: Config, depth: int,
        measure: bool = False) -> tuple[Encoding, Unrolling]:
    enc = Encoding(machine, scenario, config)
    names = applicable(scenario, config)
    result = unroll(enc.init(), enc.step, {n: (lambda k, n=n: enc.bad(n, k)) for n in names}, depth,
                    reach=enc.reach, measure=measure, logic="QF_BV")
    return enc, result


def expected(outcome, name: str) -> tuple[int | None, bool]:
    """(BFS's shortest counterexample or None, whether BMC can reproduce that verdict)."""
    v = outcome.verdict(name)
    if v.status == Status.INCOMPLETE:
        return None, False
    if v.status != Status.VIOLATED:
        return None, True
    if v.loop_start is not None:  # a lasso: no stuck state is reachable (BFS looks for one first)
        return None, True
    return v.length, True


def compare(outcome, depth: int | None = None, measure: bool = False):
    """BMC against the breadth-first search of ``outcome``, up to BFS's explored depth."""
    depth = outcome.result.exploration.stats.depth if depth is None else depth
    enc, result = bmc(outcome.system.machine, outcome.scenario, outcome.config, depth, measure)
    rows = []
    for name in sorted(result.answers):
        bfs, comparable = expected(outcome, name)
        rows.append(Comparison(name, bfs, result.answers[name], comparable))
    return enc, result, rows


def replay(enc: Encoding, model, k: int):
    """Follow the BMC counterexample's steps in the explicit model, with the ISNs Z3 chose.

    Returns the explicit worlds, one per step, or raises ValueError at the first step the
    explicit model cannot take with the same action and the same resulting control states."""
    system = TcpSystem(enc.machine, enc.scenario, enc.config, isns=enc.isns(model, k))
    env = {str(d): model[d].as_long() for d in model.decls() if str(d).startswith(OLD_PREFIX)}
    (w,) = system.init_states()
    worlds = [w]
    for j, lab in enumerate(enc.trace(model, k)):
        t = enc.world(j + 1)
        want = {x: enc.rel.skeletons[x][model.eval(t.ctrl[x], model_completion=True).as_long()]
                for x in "AB"}
        lens = {d: model.eval(t.len[d], model_completion=True).as_long() for d in ("AB", "BA")}
        for step, nxt in system.successors(w):
            if (step.actor, step.name, step.to if step.actor == "net" else "") != tuple(lab):
                continue
            if all(_holds(lit, env) for lit in nxt.pc) and len(nxt.ab) == lens["AB"] \
                    and len(nxt.ba) == lens["BA"] \
                    and all(skeleton(nxt.tcb(x))[0] == want[x] for x in "AB"):
                w = nxt
                break
        else:
            raise ValueError(f"step {j + 1} ({lab.actor}: {lab.name}) has no match in the explicit model")
        worlds.append(w)
    return system, worlds


def _holds(lit: tuple, env: dict[str, int]) -> bool:
    rel, a, b, holds = lit
    x, y = a.value(env), b.value(env)
    return (lt(x, y) if rel == "lt" else x == y) == holds
