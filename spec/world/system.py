"""Two endpoints, two channels, timers and applications: the model the checker explores.

A ``World`` is the global state. Its successors are those of the environment's
named actions (spec/world/environment.py): an application call, a segment
delivered (the receiving edge of the state graph names the step), a timer, or
a fault of the network. This module holds the state and the primitives the
actions are written with: firing an endpoint's graph, sending into a bounded
channel, a fault's step.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from ..tcp.machine import RTO, Machine
from ..tcp.rules import Params, iss_base
from ..tcp.segment import Segment
from ..tcp.seq import SeqVal
from ..tcp.states import CLOSED, SYNCHRONIZED
from ..tcp.symbolic import ISS_PREFIX, Decider, branches
from ..tcp.tcb import Tcb
from .config import Config, Scenario
from .environment import PEER, make_call, plan


class Step(NamedTuple):
    """A label: who acted, on which event, the action's name, and the segment involved."""

    actor: str  # "A", "B", or "net"
    event: str
    name: str
    segment: Segment | None = None
    to: str = ""  # for network steps: the endpoint the segment was travelling to

    def __str__(self) -> str:
        seg = f" {self.segment}" if self.segment is not None else ""
        if self.actor == "net":
            return f"{self.name} {PEER[self.to]}->{self.to}{seg}"
        return f"{self.actor}: {self.name}{seg}"


class World(NamedTuple):
    a: Tcb
    b: Tcb
    ab: tuple  # segments in flight from A to B
    ba: tuple  # segments in flight from B to A
    calls: tuple[int, int]  # application calls made so far by A and B
    budget: tuple[int, int, int, int]  # losses, duplicates, old duplicates, forgeries left (-1: unbounded)
    pc: frozenset  # path condition on the symbolic sequence numbers

    def tcb(self, x: str) -> Tcb:
        return self.a if x == "A" else self.b

    def channel_to(self, x: str) -> tuple:
        return self.ab if x == "B" else self.ba

    def quiet(self) -> bool:
        return not self.ab and not self.ba


class TcpSystem:
    """The checker's Model for one scenario, configuration and state graph."""

    def __init__(self, machine: Machine, scenario: Scenario, config: Config,
                 decider: Decider | None = None, isns: dict[str, tuple[int, ...]] | None = None):
        self.machine, self.scenario, self.config = machine, scenario, config
        self.decider = decider or Decider()
        self.params = Params(retries=config.retries, fin_len=machine.fin_len,
                             isns=tuple(sorted((isns or {}).items())))
        self.scripts = {"A": scenario.a, "B": scenario.b}
        self.lost = Counter()
        self.fired = Counter()  # transitions explored per step name (an edge of the graph, a fault)
        self._initial = Counter()  # the initial calls: every rank of a partitioned search makes them
        self._limits: set[str] = set()
        self._memo: dict = {}  # see _outcomes
        self._loss_kinds: dict = {}
        self._steps: dict = {}
        self._order = _ReprKeys().__getitem__
        self._unknown_before = self.decider.unknown  # the Decider may serve several runs
        self._next = plan(config)
        self._timeouts: tuple = (None, None)  # (world, its retransmission timeouts): see timeouts

    # --- the Model protocol
    def init_states(self) -> list[World]:
        c = self.config
        w = World(Tcb(rcv_wnd=c.window), Tcb(rcv_wnd=c.window), (), (), (0, 0),
                  (c.loss, c.dup, c.stale, c.forge), frozenset())
        for x in ("A", "B"):
            for call in self.scripts[x]:
                if not call.initial:
                    break
                ((step, w),) = make_call(self, w, x)
                self._initial[step.name] += 1
        self.fired.update(self._initial)
        return [w]

    def successors(self, w: World) -> list[tuple[Step, World]]:
        """Next: the environment's actions enabled in w, with their effects."""
        out: list[tuple[Step, World]] = []
        for over, actions in self._next:
            for p in over(self, w):
                for a in actions:
                    if a.enabled(self, w, p):
                        out += a.effect(self, w, p)
        fired = self.fired
        for step, _ in out:
            fired[step.name] += 1
        return out

    def limits_hit(self) -> list[str]:
        out = sorted(self._limits)
        unknown = self.decider.unknown - self._unknown_before
        if unknown:
            out.append(f"Z3 returned unknown {unknown} time(s)")
        return out

    def doubtful(self, w: World) -> bool:
        return self.decider.doubtful(w.pc)

    def tallies(self) -> tuple:
        """What successors() counted: for a partitioned search to add up (checker.partitioned)."""
        return (self.lost, self.fired - self._initial, self._limits, self.decider.unknown - self._unknown_before,
                self.decider.undecided_record())

    def absorb(self, tallies: tuple) -> None:
        lost, fired, limits, unknown, undecided = tallies
        self.lost.update(lost)
        self.fired.update(fired)
        self._limits |= limits
        self.decider.unknown += unknown
        self.decider.absorb_undecided(undecided)

    # --- the primitives the environment's actions are written with
    def fire(self, w: World, x: str, event: str, seg, ab: tuple, ba: tuple, calls: tuple):
        """Fire x's state graph on event; one successor per feasible branch of the path condition.

        The successors have channels ab and ba and calls (w's, or w's after this step
        took a segment or made a call), plus what the firing sent.
        """
        a, b, pc = w.a, w.b, w.pc
        outcomes = self._memo.get((x, a if x == "A" else b, event, seg, pc))
        if outcomes is None:
            outcomes = self._outcomes(x, a if x == "A" else b, event, seg, pc)
        out = []
        for step, new, sent, pc in outcomes:
            if x == "A":
                if not sent:
                    out.append((step, World(new, b, ab, ba, calls, w.budget, pc)))
                elif (ch := self._channel(ab + sent)) is not None:
                    out.append((step, World(new, b, ch, ba, calls, w.budget, pc)))
            elif not sent:
                out.append((step, World(a, new, ab, ba, calls, w.budget, pc)))
            elif (ch := self._channel(ba + sent)) is not None:
                out.append((step, World(a, new, ab, ch, calls, w.budget, pc)))
        if new_isn_chosen(out) and not self.params.isns:
            out = [(step, self._canonical(renumber_isns(s))) for step, s in out]
        return out

    def timeouts(self, w: World) -> dict[str, list]:
        """Each endpoint's retransmission timeout fired in w (kept for the last w asked about:
        RetransmitTimeout and Msl2Timeout both ask)."""
        last, fired = self._timeouts
        if last is not w:
            fired = {x: self.fire(w, x, RTO, None, w.ab, w.ba, w.calls) for x in ("A", "B")}
            self._timeouts = (w, fired)
        return fired

    def _canonical(self, w: World) -> World:
        return w._replace(ab=self.ordered(w.ab), ba=self.ordered(w.ba))

    def _outcomes(self, x: str, tcb: Tcb, event: str, seg, pc: frozenset) -> tuple:
        """(step, new TCB, segments sent, path condition) per feasible branch.

        A pure function of its arguments (the Decider caches its answers), so it is
        computed once per distinct TCB, event, segment and path condition.
        """
        out = []
        if self.machine.handles(tcb.state, event):
            fire = lambda ctx: self.machine.fire(x, tcb, event, seg, ctx, self.params)  # noqa: E731
            for result, branch_pc in branches(self.decider, pc, fire):
                if result is not None:
                    name, new, sent = result
                    if seg is not None and (seg.forged or seg.old) and tcb.state in SYNCHRONIZED \
                            and new.state not in SYNCHRONIZED:
                        new = new._replace(reset_by=(seg, tcb.rcv_nxt))
                    if seg is not None and seg.rst and any(s.rst for s in sent):
                        new = new._replace(answered_rst=True)
                    out.append((Step(x, event, name, seg), new, tuple(sent), branch_pc))
        self._memo[x, tcb, event, seg, pc] = out = tuple(out)
        return out

    def _channel(self, ch: tuple) -> tuple | None:
        """A channel after sending: None when it would exceed its capacity."""
        if len(ch) > self.config.capacity:
            self._limits.add(f"channel capacity {self.config.capacity} exceeded")
            return None
        return self.ordered(ch)

    def ordered(self, ch: tuple) -> tuple:
        """A reordering channel is a multiset, kept canonical by sorting."""
        if self.config.reorder:
            return tuple(sorted(ch, key=self._order))
        return ch

    def net_step(self, event: str, name: str, seg: Segment, to: str) -> Step:
        """One Step object per fault, shared by every edge that takes it (the graph keeps them)."""
        key = (name, seg, to)
        step = self._steps.get(key)
        if step is None:
            step = self._steps[key] = Step("net", event, name, seg, to)
        return step

    def net(self, w: World, to: str, ch: tuple, budget: tuple) -> World:
        """w with the channel to ``to`` replaced, after a fault that spent from the budget."""
        if to == "B":
            return World(w.a, w.b, ch, w.ba, w.calls, budget, w.pc)
        return World(w.a, w.b, w.ab, ch, w.calls, budget, w.pc)

    def note_loss(self, w: World, to: str, seg: Segment) -> None:
        """Count a loss by what was lost (Outcome.losses)."""
        key = (w.tcb(to), seg)
        kind = self._loss_kinds.get(key)
        if kind is None:
            kind = self._loss_kinds[key] = self.loss_kind(w, to, seg)
        self.lost[kind] += 1

    @staticmethod
    def loss_kind(w: World, to: str, seg: Segment) -> str:
        """What was lost, named as the textbooks do: SYN, SYN-ACK, third ACK, FIN, final ACK..."""
        kind = seg.kind
        if seg.forged:
            return "forged " + kind
        if kind != "ACK" or seg.old:
            return ("old " if seg.old else "") + kind
        receiver = w.tcb(to)
        if receiver.iss is not None and seg.ack == receiver.iss + 1:
            return "third ACK"
        if receiver.fin_seq is not None and seg.ack == receiver.fin_seq + 1:
            return "final ACK" if receiver.fin_rcvd else "ACK of FIN"
        return "ACK"


class _ReprKeys(dict):
    """repr of each segment, computed once: the sort key of a reordering channel."""

    def __missing__(self, seg: Segment) -> str:
        key = self[seg] = repr(seg)
        return key


def new_isn_chosen(out) -> bool:
    return any(s.a.incarnations > 1 or s.b.incarnations > 1 for _, s in out)


def seq_values(w: World) -> list[SeqVal]:
    """Every sequence number the world mentions: in the TCBs, the segments, the path condition."""
    values = [v for t in (w.a, w.b) for v in t if isinstance(v, SeqVal)]
    values += [v for seg in w.ab + w.ba for v in (seg.seq, seg.ack) if v is not None]
    values += [v for lit in w.pc for v in lit[1:3]]
    values += [t.reset_by[1] for t in (w.a, w.b) if t.reset_by]
    return values


def renumber_isns(w: World) -> World:
    """Rename the ISN bases the world still mentions to ISS_X, ISS_X2, ... in the order they
    were chosen. Bases are universally quantified, so the renaming changes no verdict; it keeps
    an endpoint that chooses ISNs again and again (LISTEN, reset, SYN, ...) in a finite space."""
    used = {v.base for v in seq_values(w) if v.base.startswith(ISS_PREFIX)}
    mapping, counts = {}, {}
    for x in ("A", "B"):
        mine = sorted((b for b in used if b[len(ISS_PREFIX)] == x), key=lambda b: (len(b), b))
        counts[x] = len(mine)
        mapping.update((b, iss_base(x, k)) for k, b in enumerate(mine))

    def val(v):
        return SeqVal(mapping.get(v.base, v.base), v.off) if isinstance(v, SeqVal) else v

    def tcb(t: Tcb, x: str) -> Tcb:
        reset_by = t.reset_by and (t.reset_by[0], val(t.reset_by[1]))
        return Tcb(*(val(v) for v in t))._replace(incarnations=counts[x], reset_by=reset_by)

    def seg(s: Segment) -> Segment:
        return s._replace(seq=val(s.seq), ack=val(s.ack))

    pc = frozenset((rel, val(x), val(y), holds) for rel, x, y, holds in w.pc)
    return World(tcb(w.a, "A"), tcb(w.b, "B"), tuple(map(seg, w.ab)), tuple(map(seg, w.ba)),
                 w.calls, w.budget, pc)


def both_closed(w: World) -> bool:
    return w.a.state == CLOSED and w.b.state == CLOSED
