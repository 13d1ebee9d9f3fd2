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
from operator import itemgetter
from typing import NamedTuple

from tcpverify.checker.fingerprint import MASK, mix, tuple_hash
from tcpverify.checker.intern import Table

from ..tcp.machine import RTO, Machine
from ..tcp.rules import Params, iss_base
from ..tcp.segment import Segment
from ..tcp.seq import SeqVal
from ..tcp.states import CLOSED, SYNCHRONIZED
from ..tcp.symbolic import ISS_PREFIX, Decider, branches
from ..tcp.tcb import Tcb
from .config import Config, Scenario
from .batch import Batch
from .environment import PEER, make_call, plan, spend
from .observers import answering, fire_observed, observed


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
    """One scenario, configuration and state graph: the readable model (``init_states``,
    ``successors`` on Worlds) and, as ``compact``, the model the checker explores.

    A compact state is (A's TCB, B's TCB, channel A->B, channel B->A, calls and budget, path
    condition), each an id in a Table: a state hashes in O(1) and shares its parts. Firings,
    channel edits and the calls made are memoized on ids; ``decode`` gives the World.

    Successors come from templates: the successors one group of the environment's actions gives
    for one endpoint, computed once per value of the parts of the state the actions read
    (Action.reads) and reused for every state that agrees on them; the parts they do not read
    are copied, the segments sent appended to the channel from the endpoint, the call counted.
    """

    def __init__(self, machine: Machine, scenario: Scenario, config: Config,
                 decider: Decider | None = None, isns: dict[str, tuple[int, ...]] | None = None):
        self.machine, self.scenario, self.config = machine, scenario, config
        self.decider = decider or Decider()
        self.params = Params(retries=config.retries, fin_len=machine.fin_len,
                             isns=tuple(sorted((isns or {}).items())))
        self.scripts = {"A": scenario.a, "B": scenario.b}
        self._lost = Counter()  # see lost and fired: the counts not in the templates' hits
        self._fired = Counter()
        self._dropped = Counter()  # the templates' successors a full channel dropped, per step name
        self._counting = 1  # 0 while replay steps a state the search counted already
        self._noted: list[str] = []  # the kinds of the losses note_loss saw since it was last read
        self._initial = Counter()  # the initial calls: every rank of a partitioned search makes them
        self._limits: set[str] = set()
        self.tcbs, self.segs, self.cbs, self.pcs = Table(), Table(), Table(), Table()
        self.chans = Table(self._chan_hash)
        self._chan_sids = Table()  # per channel id, its segments' ids (numbered as chans)
        self._seg_order: list[str] = []  # per segment id, its place in a reordering channel (repr)
        self._sid_of: dict[int, int] = {}  # id() of each interned Segment -> its id
        self._memo: dict = {}  # see _outcomes
        self._answers_memo: dict = {}  # see _answer
        self._late = config.delivers_late  # a RST may answer a late segment: see _answer
        self._without_memo: dict = {}
        self._with_memo: dict = {}
        self._edits: dict = {}  # (calls and budget id, _Call or _Spend) -> the id after it
        self._loss_kinds: dict = {}
        self._steps: dict = {}
        self._written: dict = {}  # the templates' tuples of parts written, each stored once
        self._unknown_before = self.decider.unknown  # the Decider may serve several runs
        self._at: tuple = ()  # the compact state whose successors are being computed
        self._timeouts: tuple = (None, None)  # (world, its retransmission timeouts): see timeouts
        self._later = False  # fire leaves the sending and the call to the template: see _template
        self._volatile = False  # a successor computed since was renumbered: no template
        self._calls_of: list[int] = []  # per id in cbs, the id of its calls in _calls
        self._calls = Table()
        self._budget_of: list[int] = []  # per id in cbs, the id of its budget in _budgets
        self._budgets = Table()
        self._left_of: list[int] = []  # per id in cbs, the id of its faults left in _lefts
        self._lefts = Table()  # the signs of a budget's counts (Action.reads: "faults left")
        self._acked_of: list[int] = []  # per TCB id, the id of what names an ACK to it (_acked)
        self._acked = Table()
        self._empty = self._chan(())
        self._units = [(x, over, actions, _positions(reads, x), itemgetter(*cols), {}, cols)
                       for x, over, actions, reads in plan(config)
                       for cols in [tuple(_PART[x][r] for r in reads)]]
        self._tables = (self.tcbs, self.tcbs, self.chans, self.chans, self.cbs, self.pcs)
        self.compact = Compact(self)
        self.batch = Batch(self, _DIRECT)

    # --- the readable model
    def init_states(self) -> list[World]:
        return [self.world(self._init())]

    def successors(self, w: World) -> list[tuple[Step, World]]:
        return [(step, self.world(t)) for step, t in self.step(self.compacted(w))]

    def _init(self) -> tuple:
        c = self.config
        s = self.compacted(World(Tcb(rcv_wnd=c.window), Tcb(rcv_wnd=c.window), (), (), (0, 0),
                              c.budget, frozenset()))
        for x in ("A", "B"):
            for call in self.scripts[x]:
                if not call.initial:
                    break
                ((step, s),) = make_call(self, self.enter(s), x)
                self._initial[step.name] += 1
        self._fired.update(self._initial)
        return s

    def enter(self, s: tuple) -> World:
        """Make s the state the environment's actions act in (their effects are compact states
        built from its ids); its World, the one they read."""
        self._at = s
        return self.world(s)

    def step(self, s: tuple) -> list[tuple[Step, tuple]]:
        """Next on compact states: the environment's actions enabled in s, with their effects."""
        a, b, ab, ba, cb, pc = s
        tcbs = self.tcbs.values
        if not self.params.isns and (tcbs[a].incarnations > 1 or tcbs[b].incarnations > 1):
            return self.direct(s)  # its successors are renumbered (fire), which reads all of s
        calls_of, budget_of, acked_of = self._calls_of, self._budget_of, self._acked_of
        if cb >= len(calls_of) or a >= len(acked_of) or b >= len(acked_of):
            self.derive()
        empty = self._empty
        parts = (a, b, ab, ba, cb, pc, calls_of[cb], ab == empty and ba == empty, acked_of[a], acked_of[b],
                 budget_of[cb], self._left_of[cb])
        with_memo, edits, counting = self._with_memo, self._edits, self._counting
        out: list = []
        for unit in self._units:
            key = unit[4](parts)
            template = unit[5].get(key)
            if template is None:
                template = unit[5][key] = self._template(unit, s)
            if template is _DIRECT:
                out += self._run(unit, s)
                continue
            template[0] += counting
            for step, (ta, tb, tab, tba, tcb, tpc), send, edit in template[1]:
                u = [a if ta is None else ta, b if tb is None else tb, ab if tab is None else tab,
                     ba if tba is None else tba, cb if tcb is None else tcb, pc if tpc is None else tpc]
                if send is not None:
                    j, sids = send
                    ch = with_memo.get((u[j], sids), -1)
                    if ch == -1:
                        ch = self._with(u[j], sids)
                    if ch is None:
                        self._dropped[step.name] += counting
                        continue
                    u[j] = ch
                if edit is not None:
                    c = edits.get((cb, edit))
                    u[4] = self._edited(cb, edit) if c is None else c
                out.append((step, tuple(u)))
        return out

    def derive(self) -> None:
        """What step reads of each id besides the state's parts, for every id met: per calls
        and budget id, its calls' id, its budget's id and its faults left's id; per TCB id, the
        id of what names an ACK to it (_acked)."""
        cbs, calls_of, acked_of = self.cbs.values, self._calls_of, self._acked_of
        if len(calls_of) < len(cbs):
            self._budget_of += [self._budgets(b) for _, b in cbs[len(calls_of):]]
            self._left_of += [self._lefts(tuple((n > 0) - (n < 0) for n in b)) for _, b in cbs[len(calls_of):]]
            calls_of += [self._calls(c) for c, _ in cbs[len(calls_of):]]
        acked_of += [self._acked(_acked(t)) for t in self.tcbs.values[len(acked_of):]]

    def direct(self, s: tuple) -> list[tuple[Step, tuple]]:
        """step(s) without the templates."""
        out: list = []
        for unit in self._units:
            out += self._run(unit, s)
        return out

    def _run(self, unit: tuple, s: tuple) -> list[tuple[Step, tuple]]:
        """The successors of s by one group of actions for one endpoint, counted in fired and
        lost."""
        out = self._unit(unit, s)
        if self._counting:
            self._fired.update(step.name for step, _ in out)
            self._lost.update(self._noted)
        self._noted.clear()
        return out

    def replay(self, s: tuple) -> list[tuple[Step, tuple]]:
        """step(s), not counted in fired and lost: the search counted s when it expanded it, and
        a state is rebuilt by stepping its path again (hash compaction: checker.explore.Replayed)."""
        self._counting = 0
        try:
            return self.step(s)
        finally:
            self._counting = 1

    def _unit(self, unit: tuple, s: tuple) -> list[tuple[Step, tuple]]:
        x, over, actions = unit[:3]
        w = self.enter(s)
        out: list = []
        for p in over(self, w, x):
            for a in actions:
                if a.enabled(self, w, p):
                    out += a.effect(self, w, p)
        return out

    def _template(self, unit: tuple, s: tuple):
        """[hits, ((step, parts written or None, (position, segments sent into it) or None,
        the call counted or the fault spent or None), ...), kinds of the losses]: unit's
        successors of s as a function of the parts it reads; _DIRECT when they are renumbered.
        Equal tuples of parts written are stored once (many templates write the same)."""
        self._later, self._volatile = True, False
        try:
            out = self._unit(unit, s)
        finally:
            self._later = False
        noted, self._noted = tuple(self._noted), []
        if self._volatile:
            return _DIRECT
        reads, entries = unit[3], []
        for step, t in out:
            send = edit = None
            parts: list = [None] * 6
            for j, v in enumerate(t):
                if v.__class__ is int:  # (an id: most parts are)
                    if j in reads:
                        parts[j] = v
                    elif v != s[j]:
                        raise AssertionError(f"{[a.name for a in unit[2]]} change a part they do not read")
                elif v.__class__ is _Send:
                    send = (j, v.sids)
                elif isinstance(v, (_Call, _Spend)):
                    edit = v
                else:
                    raise AssertionError(f"{[a.name for a in unit[2]]} write {v!r}, not an id")
            parts = tuple(parts)
            entries.append((step, self._written.setdefault(parts, parts), send, edit))
        return [0, tuple(entries), noted]

    def _used(self):
        """(hits, template) for each template used."""
        return ((t[0], t) for unit in self._units for t in unit[5].values() if t is not _DIRECT and t[0])

    @property
    def fired(self) -> Counter:
        """Transitions explored per step name (an edge of the graph, a fault)."""
        out = Counter(self._fired) + self.batch.fired()
        for hits, (_, entries, _) in self._used():
            for step, *_ in entries:
                out[step.name] += hits
        out.subtract(self._dropped)
        return +out

    @property
    def lost(self) -> Counter:
        """Losses explored, by what was lost (loss_kind)."""
        out = Counter(self._lost) + self.batch.lost()
        for hits, (_, _, kinds) in self._used():
            for kind in kinds:
                out[kind] += hits
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

    def restart_tallies(self) -> None:
        """Count from zero: this copy was forked from one that keeps what was counted so far."""
        for counts in (self._lost, self._fired, self._dropped, self._initial):
            counts.clear()
        for _, template in self._used():
            template[0] = 0
        self.batch.restart_hits()
        self._unknown_before = self.decider.unknown

    def absorb(self, tallies: tuple) -> None:
        lost, fired, limits, unknown, undecided = tallies
        self._lost.update(lost)
        self._fired.update(fired)
        self._limits |= limits
        self.decider.unknown += unknown
        self.decider.absorb_undecided(undecided)

    # --- the encoding
    def compacted(self, w: World) -> tuple:
        return (self.tcbs(w.a), self.tcbs(w.b), self._chan(w.ab), self._chan(w.ba),
                self.cbs((w.calls, w.budget)), self.pcs(w.pc))

    def world(self, s: tuple) -> World:
        a, b, ab, ba, cb, pc = s
        tcbs, chans = self.tcbs.values, self.chans.values
        calls, budget = self.cbs.values[cb]
        return World(tcbs[a], tcbs[b], chans[ab], chans[ba], calls, budget, self.pcs.values[pc])

    def stable_of(self, s: tuple) -> int:
        """A hash of s's World that every process computes alike (who owns s among workers;
        fingerprints): from its parts' stable hashes (a tuple of ints hashes alike anywhere)."""
        a, b, ab, ba, cb, pc = s
        tcb, chan = self.tcbs.hashes, self.chans.hashes
        try:
            parts = (tcb[a], tcb[b], chan[ab], chan[ba], self.cbs.hashes[cb], self.pcs.hashes[pc])
        except IndexError:  # a part met since the last time
            for t in (self.tcbs, self.chans, self.cbs, self.pcs):
                t.catch_up()
            return self.stable_of(s)
        return mix(hash(parts) & MASK)

    def hashes_of(self, j: int, n: int) -> list[int]:
        """The stable hashes of the ids 0 to n - 1 at position j of a compact state, as
        stable_of hashes them (hash compaction's fingerprints of rows: checker.levels)."""
        table = self._tables[j]
        table.catch_up()
        return table.hashes[:n]

    @staticmethod
    def columns(fields: tuple[str, ...]) -> tuple[int, ...]:
        """The positions of these World fields in a compact state."""
        return tuple(sorted({_POSITION[f] for f in fields}))

    @classmethod
    def project(cls, fields: tuple[str, ...]):
        """compact state -> the ids of these World fields in it (checker.memo's keys)."""
        return itemgetter(*cls.columns(fields))

    def part_of(self, j: int, i: int):
        """The value of id i at position j of a compact state."""
        return self._tables[j][i]

    def intern_parts(self, j: int, values: list) -> list[int]:
        """The ids of values at position j of a compact state, in this process. Channels that
        arrived together (one message) share their Segment objects: each is looked up once
        (looked up for every channel holding it, rank 0's interning of the large benchmark
        case on 2 workers took 37 ms, now 25). Other values are their table's to intern."""
        table = self._tables[j]
        if table is not self.chans:  # (a channel is kept canonical by its segments' ids: _chan_of)
            return list(map(table, values))
        sids: dict[int, int] = {}  # id() of a segment of values -> its id (alive while values are)

        def sid(g: Segment) -> int:
            i = sids.get(id(g))
            if i is None:
                i = sids[id(g)] = self._seg(g)
            return i
        return [self._chan_of([sid(g) for g in ch]) for ch in values]

    def _seg(self, seg: Segment) -> int:
        i = self._sid_of.get(id(seg))  # the interned objects live as long as the table
        if i is None:
            i = self.segs(seg)
            self._sid_of[id(self.segs[i])] = i
            if i == len(self._seg_order):
                self._seg_order.append(repr(self.segs[i]))
        return i

    def _chan_hash(self, ch: tuple) -> int:
        """stable_hash(ch) from its segments' (each hashed once, in segs): the owners of
        workers' states read it; hashed whole, channels took a tenth of a rank's time."""
        self.segs.catch_up()
        return tuple_hash([self.segs.hashes[self._sid_of[id(g)]] for g in ch])

    def _chan(self, segments) -> int:
        """The id of a channel holding these segments."""
        return self._chan_of([self._seg(g) for g in segments])

    def _chan_of(self, sids: list, canonical: bool = False) -> int:
        """The id of the channel holding the segments of these ids; a reordering channel is a
        multiset, kept canonical by sorting (unless the ids are in that order already). Looked
        up by the ids: a channel's segments are hashed whole only the first time it is met."""
        if self.config.reorder and not canonical:
            sids.sort(key=self._seg_order.__getitem__)
        c = self._chan_sids(tuple(sids))
        if c == len(self.chans):  # a new channel (segment ids and segments are one to one)
            self.chans(tuple(self.segs[i] for i in self._chan_sids[c]))
        return c

    def _without(self, c: int, k: int) -> int:
        """Channel c less its k-th segment (what is left of a canonical channel is canonical)."""
        key = (c, k)
        out = self._without_memo.get(key)
        if out is None:
            sids = self._chan_sids[c]
            out = self._without_memo[key] = self._chan_of(list(sids[:k] + sids[k + 1:]), canonical=True)
        return out

    def _with(self, c: int, sids: tuple) -> int | None:
        """Channel c after sending these segments: None when it would exceed its capacity."""
        key = (c, sids)
        out = self._with_memo.get(key, -1)
        if out == -1:
            ch = list(self._chan_sids[c] + sids)
            if len(ch) > self.config.capacity:
                self._limits.add(f"channel capacity {self.config.capacity} exceeded")
                out = None
            else:
                out = self._chan_of(ch)
            self._with_memo[key] = out
        return out

    def _edited(self, cb: int, edit) -> int:
        """The id of the calls and budget cb after x's call (_Call) or one fault of a kind (_Spend)."""
        key = (cb, edit)
        out = self._edits.get(key)
        if out is None:
            calls, budget = self.cbs[cb]
            if isinstance(edit, _Call):
                calls = (calls[0] + (edit.x == "A"), calls[1] + (edit.x == "B"))
            else:
                budget = spend(budget, edit.kind)
            out = self._edits[key] = self.cbs((calls, budget))
        return out

    # --- the primitives the environment's actions are written with
    def fire(self, w: World, x: str, event: str, taken: int | None = None, call: bool = False):
        """Fire x's state graph on event; one successor per feasible branch of the path condition.

        ``taken``: the event is the arrival of the segment at that position of the channel
        to x, which leaves it; ``call``: the event is x's application's next call.
        """
        a, b, ab, ba, cb, pc = self._at
        sid = -1
        if taken is not None:
            if x == "B":
                sid, ab = self._chan_sids[ab][taken], self._without(ab, taken)
            else:
                sid, ba = self._chan_sids[ba][taken], self._without(ba, taken)
        later = self._later
        if call:
            cb = _Call(x) if later else self._edited(cb, _Call(x))
        key = (x, a if x == "A" else b, event, sid, pc)
        outcomes = self._memo.get(key)
        if outcomes is None:
            outcomes = self._outcomes(key)
        out = []
        renew = False  # a successor's TCB has chosen a second ISN
        for step, new, sent, npc, again, resets in outcomes:
            if resets and self._late:
                sent = self._answer(sent, sid, x, npc)
            if x == "A":
                if not sent:
                    ch = ab
                elif later:
                    ch = _Send(sent)
                elif (ch := self._with(ab, sent)) is None:
                    continue
                out.append((step, (new, b, ch, ba, cb, npc)))
            else:
                if not sent:
                    ch = ba
                elif later:
                    ch = _Send(sent)
                elif (ch := self._with(ba, sent)) is None:
                    continue
                out.append((step, (a, new, ab, ch, cb, npc)))
            renew = renew or again
        if out and not self.params.isns \
                and (renew or self.tcbs[b if x == "A" else a].incarnations > 1):
            if later:
                self._volatile = True
                return out
            out = [(step, self.compacted(renumber_isns(self.world(s)))) for step, s in out]
        return out

    def _answer(self, sent: tuple, sid: int, x: str, pc: int) -> tuple:
        """sent, x's answer to segment sid, its RST marked if sid arrives late (observers.answering):
        judged against the sender's TCB too, which the actions that deliver read where segments
        may arrive late (Action.reads_late)."""
        me, peer = (self._at[0], self._at[1]) if x == "A" else (self._at[1], self._at[0])
        key = (sent, sid, me, peer, pc)
        out = self._answers_memo.get(key)
        if out is None:
            marked = answering(self.decider, self.pcs[pc], self.segs[sid], self.tcbs[peer], self.tcbs[me],
                               tuple(self.segs[i] for i in sent), self.params.fin_len)
            out = self._answers_memo[key] = tuple(self._seg(g) for g in marked)
        return out

    def timeouts(self, w: World) -> dict[str, list]:
        """Each endpoint's retransmission timeout fired in w (kept for the last w asked about:
        RetransmitTimeout and Msl2Timeout both ask)."""
        last, fired = self._timeouts
        if last is not w:
            fired = {x: self.fire(w, x, RTO) for x in ("A", "B")}
            self._timeouts = (w, fired)
        return fired

    def _outcomes(self, key: tuple) -> tuple:
        """(step, new TCB, segments sent, path condition, whether the new TCB has chosen a
        second ISN, whether it answers the segment with a RST) per feasible branch, as ids.

        A pure function of its key (x, TCB, event, segment, path condition): the Decider
        caches its answers; so it is computed once per distinct key.
        """
        x, me, event, sid, pc_id = key
        tcb, seg, pc = self.tcbs[me], self.segs[sid] if sid >= 0 else None, self.pcs[pc_id]
        out = []
        if self.machine.handles(tcb.state, event):
            fire = lambda ctx: fire_observed(self.machine, x, tcb, event, seg, ctx, self.params)  # noqa: E731
            for (result, as_rfc5961), branch_pc in branches(self.decider, pc, fire):
                if result is not None:
                    name, new, sent = result
                    new = observed(tcb, event, seg, new, sent, self.params.retries is not None, as_rfc5961,
                                   self.decider, branch_pc)
                    out.append((Step(x, event, name, seg), self.tcbs(new),
                                tuple(self._seg(g) for g in sent), self.pcs(branch_pc),
                                new.incarnations > 1, seg is not None and any(g.rst for g in sent)))
        self._memo[key] = out = tuple(out)
        return out

    def net_step(self, event: str, name: str, seg: Segment, to: str) -> Step:
        """One Step object per fault, shared by every edge that takes it (the graph keeps them)."""
        sid = self._seg(seg)
        key = (name, sid, to)
        step = self._steps.get(key)
        if step is None:
            step = self._steps[key] = Step("net", event, name, self.segs[sid], to)
        return step

    def net(self, w: World, to: str, spent: int, taken: int | None = None,
            added: Segment | None = None) -> tuple:
        """w after a fault that spent one of budget ``spent``: the segment at position ``taken``
        of the channel to ``to`` gone, or segment ``added`` in it."""
        a, b, ab, ba, cb, pc = self._at
        ch = ab if to == "B" else ba
        ch = self._without(ch, taken) if taken is not None else self._with(ch, (self._seg(added),))
        new = _Spend(spent) if self._later else self._edited(cb, _Spend(spent))
        return (a, b, ch, ba, new, pc) if to == "B" else (a, b, ab, ch, new, pc)

    def note_loss(self, w: World, to: str, seg: Segment) -> None:
        """Count a loss by what was lost (Outcome.losses)."""
        key = (self._at[to == "B"], self._seg(seg), to)
        kind = self._loss_kinds.get(key)
        if kind is None:
            kind = self._loss_kinds[key] = self.loss_kind(w, to, seg)
        self._noted.append(kind)

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


_DIRECT = object()  # a template's place when the successors are renumbered
# the position in a compact state of each World field
_POSITION = {"a": 0, "b": 1, "ab": 2, "ba": 3, "calls": 4, "budget": 4, "pc": 5}
# the position in step's parts of what an action reads, for each endpoint
_PART = {x: {"me": me, "peer": 1 - me, "to me": 3 - me, "pc": 5, "calls": 6, "quiet": 7, "me: acked": 8 + me,
             "budget": 10, "faults left": 11} for x, me in (("A", 0), ("B", 1))}


def _positions(reads: tuple, x: str) -> frozenset:
    """The positions of a compact state that these reads read whole."""
    return frozenset(_PART[x][r] for r in reads if _PART[x][r] < 6)


class _Send(NamedTuple):
    """In a template: these segment ids sent into the channel."""
    sids: tuple


class _Call(NamedTuple):
    """In a template: x's call counted."""
    x: str


class _Spend(NamedTuple):
    """In a template: one fault of this kind (a position in World.budget) spent."""
    kind: int


def _acked(t: Tcb) -> tuple:
    """What of a TCB names an ACK lost on its way to it (TcpSystem.loss_kind)."""
    return t.iss, t.fin_seq, t.fin_rcvd


class Compact:
    """A TcpSystem as the checker's Model: states are compact, ``decode`` gives their World."""

    def __init__(self, system: TcpSystem):
        self.system = system
        self.successors, self.replay, self.decode, self.encode = system.step, system.replay, system.world, system.compacted
        self.stable, self.part, self.intern = system.stable_of, system.part_of, system.intern_parts
        self.project, self.columns, self.width, self.hashes = system.project, system.columns, 6, system.hashes_of
        self.limits_hit, self.doubtful = system.limits_hit, system.doubtful
        self.tallies, self.absorb, self.restart_tallies = system.tallies, system.absorb, system.restart_tallies

    def init_states(self) -> list[tuple]:
        return [self.system._init()]

    @property
    def labels(self) -> list:
        return self.system.batch.labels

    def expand(self, rows):
        return self.system.batch.expand(rows)


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


def completes_on_old_segment(w: World, step: Step, after: World) -> bool:
    """``step`` takes an endpoint into a synchronized state on a segment that acknowledges a number
    of an ISN it chose for an earlier incarnation: the old connection completes the new one's
    handshake (RFC 9293 3.4.3, 3.5)."""
    if step.actor not in PEER or step.segment is None or step.segment.ack is None:
        return False
    me, now, ack = w.tcb(step.actor), after.tcb(step.actor), step.segment.ack.base
    return (me.state not in SYNCHRONIZED and now.state in SYNCHRONIZED and me.iss is not None
            and ack.startswith(iss_base(step.actor, 0)) and ack != me.iss.base)


def both_closed(w: World) -> bool:
    return w.a.state == CLOSED and w.b.state == CLOSED
