"""Hash-partitioned, level-synchronized breadth-first search over the ranks of a communicator
(checker.comm: forked local processes, or MPI).

Each state is owned by one rank (its stable hash modulo the ranks): the owner alone keeps
it, checks it and expands it. A level is expanded by every rank at once; each successor goes
to its owner, which keeps the ones it has never seen. The new states are numbered as the
sequential search (checker.explore) numbers them: in order of their first arrival, (parent
number, position among the parent's successors), the least key over every rank winning. So
the graph, the verdicts and the counterexamples are the sequential search's, for any number
of ranks; rank 0 gathers the graph at the end (liveness and traces need it whole).

A model with compact states (checker.model.Compact) keeps them in each rank's own tables:
a state travels as its sender's ids, with the parts the receiver has not had from that
sender yet (_Wire).

This search goes a state at a time: it serves models without ``expand``;
checker.partitioned_levels searches the others a block of numpy rows at a time, and stops at
a state limit where this one does.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from itertools import chain
from operator import getitem
from typing import Callable, Hashable, Sequence

from .explore import Decoded, EdgeList, Exploration, Found, Progress, StateGraph, Stats, state_limit
from .fingerprint import Fingerprints
from .memo import Goals, Invariants, Witnesses
from .model import Model
from .properties import EndState, Invariant, Property
from .resources import peak_rss_mib


def explore_partitioned(comm, model: Model, properties: Sequence[Property],
                        max_states: int | None = None, keep_edges: bool = True,
                        progress: Progress | None = None,
                        affinity: Callable[[Hashable], int] | None = None) -> Exploration | None:
    """The sequential search's Exploration on rank 0; None on the other ranks.

    ``affinity``: a hash of a state, alike in every process, that decides its owner (default:
    the model's ``stable``): states that share what the model memoizes its work on should
    share it, so that one rank does that work once."""
    start = time.perf_counter()
    if hasattr(comm, "fork"):  # (checker.comm.LocalComm: its ranks are forked when asked)
        comm.fork()
    clock = _Clock()
    rank, size = comm.Get_rank(), comm.Get_size()
    decode = getattr(model, "decode", None)
    part = _Partition(properties, decode, getattr(model, "project", None) if decode else None)
    wire = _Wire(model, rank, size)
    # Forked processes share Python's hash (one seed, one address of None); MPI's do not,
    # nor do two ranks' tables of compact states.
    spread = affinity or getattr(model, "stable", None) or (hash if getattr(comm, "forked", False) else Fingerprints())
    owner = (lambda s: spread(s) % size) if size > 1 else (lambda s: 0)

    init = []
    for s in model.init_states():
        if s not in init:
            init.append(s)
    frontier = [(g, s) for g, s in enumerate(init) if owner(s) == rank]
    for g, s in frontier:
        part.visit(s, g, -1, None, 0)
    total, level, limits = len(init), 0, []
    while True:
        # expand this level; a successor whose number this rank does not know goes to its
        # owner with its key (parent, position), once: its first key here is its least
        out = [[] for _ in range(size)]
        waiting = [[] for _ in range(size)]  # per owner, what it is sent: (edges' places, target)
        asked: dict = {}  # target -> the places of the edges that wait for its number
        gids = part.gids
        edges = part.edges if keep_edges else EdgeList()  # (without edges, a level's only)
        for g, s in frontier:
            succ = list(model.successors(s))
            part.transitions += len(succ)
            place = len(edges.targets)
            for k, (label, t) in enumerate(succ):
                j = gids.get(t)
                if j is None:
                    places = asked.get(t)
                    if places is None:
                        o = owner(t)
                        out[o].append(((g << _K) | k, label, t))
                        places = asked[t] = []
                        waiting[o].append((places, t))
                    places.append(place + k)
                    j = -1
                code = edges.known.get(id(label))
                if code is None:
                    code = edges.number(label)  # (which may widen edges.codes)
                edges.codes.append(code)
                edges.targets.append(j)
            edges.first.append(len(edges.targets))
            part.expanded.append(g)
            if not succ:
                part.end(s, g)
        clock.lap("expand")
        inbox = comm.alltoall([wire.pack(o, msgs, 2) for o, msgs in enumerate(out)])
        clock.lap("send")
        # keep the unseen ones, each with its least key
        fresh: dict = {}  # state -> [key, label, slot]
        replies = []
        for r, msgs in enumerate(inbox):
            answer = []
            for key, label, t in wire.unpack(r, msgs, 2):
                known = gids.get(t)
                if known is not None:
                    answer.append(known)
                    continue
                entry = fresh.get(t)
                if entry is None:
                    entry = fresh[t] = [key, label, len(fresh)]
                elif key < entry[0]:
                    entry[0], entry[1] = key, label
                answer.append(-1 - entry[2])
            replies.append(answer)
        clock.lap("receive")
        # number them all in key order: every rank is told every rank's keys (unique: one
        # parent's successor positions are distinct) and numbers its own by their rank among them
        mine = sorted((key, label, t) for t, (key, label, _) in fresh.items())
        keys = array("q", [key for key, _, _ in mine])
        every = sorted(chain.from_iterable(comm.alltoall([keys] * size)))
        news = len(every)
        stop = news == 0 or (max_states is not None and total + news > max_states)
        clock.lap("number")
        level += 1
        frontier = []
        gid_of_slot = {}
        for key, label, t in mine:
            n = total + bisect_left(every, key)
            gid_of_slot[fresh[t][2]] = n
            part.visit(t, n, key >> _K, label, level)
            frontier.append((n, t))
        clock.lap("visit")
        replies = [[a if a >= 0 else gid_of_slot[-1 - a] for a in answer] for answer in replies]
        part.learn(waiting, comm.alltoall(replies), edges.targets)
        clock.lap("learn")
        total += news
        if rank == 0 and progress is not None:
            progress(total, part.transitions, news, time.perf_counter() - start)
        if stop:
            if news:
                limits.append(state_limit(max_states))
            break
    return _gather(comm, model, part, wire, total, limits, keep_edges, start, clock.cpu)


_K = 32  # a successor's key (parent gid, position among the parent's successors) as one int


class _Clock:
    """CPU seconds of this process by phase of the search (what each rank spends apart from
    waiting for the others: the benchmarks' critical path of a partitioned search)."""

    def __init__(self):
        self.cpu: dict[str, float] = {}
        self.last = time.process_time()

    def lap(self, phase: str) -> None:
        """Count the CPU time since the last lap as phase's."""
        now = time.process_time()
        self.cpu[phase] = self.cpu.get(phase, 0.0) + now - self.last
        self.last = now


class _Wire:
    """Compact states between ranks. Each rank's ids are its own: a message carries its
    states as the sender's ids plus the values of the parts the receiver has not had from
    this sender yet, which the receiver interns and remembers (checker.model.Compact)."""

    def __init__(self, model: Model, rank: int, size: int):
        self.model, self.rank = model, rank
        self.compact = hasattr(model, "intern")
        self.sent = [defaultdict(set) for _ in range(size)]  # per peer, per position: ids it has
        self.got = [defaultdict(dict) for _ in range(size)]  # per peer, per position: its id -> ours

    def pack(self, to: int, items: list, at: int) -> tuple:
        """(new parts, items) for rank ``to``: items[n][at] is a state."""
        if not self.compact or to == self.rank:
            return (), items
        known, part, news = self.sent[to], self.model.part, []
        for item in items:
            for j, i in enumerate(item[at]):
                have = known[j]
                if i not in have:
                    have.add(i)
                    news.append((j, i, part(j, i)))
        return news, items

    def unpack(self, sender: int, message: tuple, at: int) -> list:
        """The items of a message from ``sender``, their states in this rank's ids."""
        news, items = message
        if not self.compact or sender == self.rank:
            return items
        ours, columns = self.got[sender], defaultdict(list)
        for j, i, value in news:
            columns[j].append((i, value))
        for j, parts in columns.items():
            ids, values = zip(*parts)
            ours[j].update(zip(ids, self.model.intern(j, list(values))))
        if not items:
            return items
        ours = [ours[j] for j in range(len(items[0][at]))]  # per position: its id -> ours
        return [item[:at] + (tuple(map(getitem, ours, item[at])),) + item[at + 1:] for item in items]


class _Partition:
    """What one rank holds: its states (state -> gid), their tree data, edges and findings."""

    def __init__(self, properties: Sequence[Property], decode=None, project=None):
        self.decode = decode
        # memoized on the ids of the fields they read, as in the sequential search (checker.memo)
        self.invariants = Invariants([p for p in properties if isinstance(p, Invariant)], project, decode)
        self.end_checks = [p for p in properties if isinstance(p, EndState)]
        self.witnessed = Witnesses(properties, decode)
        # per Eventually property, whether each state of the tree is not its goal: liveness
        # reads it on rank 0 (StateGraph.bad), each rank computes it for its own states
        self.goals = Goals(properties, project, decode)
        # every state this rank knows the number of: its own, and the others' it sent
        # and was told (so that it sends each of those once)
        self.gids: dict = {}
        self.tree: list = []  # (gid, state, parent gid, label, depth)
        self.expanded = array("i")  # the gids of the states expanded, in that order ...
        self.edges = EdgeList()  # ... and their edges
        self.terminal: list[int] = []
        self.violations: dict[str, Found] = {}
        self.witnesses: dict[str, Found] = {}
        self.transitions = 0

    def visit(self, s, gid: int, parent: int, label, depth: int) -> None:
        """States arrive in increasing gid: the first finding of a property is its least."""
        self.gids[s] = gid
        self.tree.append((gid, s, parent, label, depth))
        for name, msg in self.invariants(s):
            if name not in self.violations:
                self.violations[name] = Found(gid, msg)
        self.goals(s)
        for name in self.witnessed(s):
            self.witnesses[name] = Found(gid)

    def end(self, s, gid: int) -> None:
        self.terminal.append(gid)
        if self.end_checks and self.decode is not None:
            s = self.decode(s)
        for p in self.end_checks:
            if p.name not in self.violations:
                msg = p.check(s)
                if msg is not None:
                    self.violations[p.name] = Found(gid, msg)

    def learn(self, waiting: list, replies: list, targets: array) -> None:
        """The owners have answered with the gids of the targets sent to them, in the order
        sent: remember them, and write them into the edges that lead there."""
        gids = self.gids
        for sent, answer in zip(waiting, replies):
            for (places, t), gid in zip(sent, answer):
                gids[t] = gid
                for place in places:
                    targets[place] = gid


def _gather(comm, model: Model, part: _Partition, wire: _Wire, total: int, limits: list[str],
            keep_edges: bool, start: float, phases: dict[str, float]) -> Exploration | None:
    tallies = getattr(model, "tallies", None)
    e = part.edges  # sent as its arrays and distinct labels: its ids of labels mean nothing elsewhere
    edges = (part.expanded, (e.first, e.codes, e.targets, e.names)) if keep_edges else None
    mine = (wire.pack(0, part.tree, 1), part.goals.bad, edges, part.terminal, part.violations,
            part.witnesses, part.transitions, peak_rss_mib() or 0.0,
            tallies() if tallies else None, phases)
    every = comm.gather(mine)
    if every is None:
        return None
    g = StateGraph(states=[None] * total, parent=array("i", [0]) * total,
                   parent_label=[None] * total, depth=array("i", [0]) * total,
                   edges=EdgeList() if keep_edges else None,
                   bad={name: bytearray(total) for name in part.goals.bad})
    edges_of: list = [None] * total  # gid -> (a rank's edge arrays, the gid's place in them)
    violations: dict[str, Found] = {}
    witnesses: dict[str, Found] = {}
    transitions, rss = 0, 0.0  # MiB, summed over the ranks
    levels: list[list[int]] = []  # per rank, its states at each depth
    for rank, (tree, bad, edges, terminal, found, seen, n, peak, tally, _) in enumerate(every):
        gids, level = array("i"), Counter()
        for gid, s, parent, label, depth in wire.unpack(rank, tree, 1):
            g.states[gid], g.parent[gid], g.parent_label[gid], g.depth[gid] = s, parent, label, depth
            gids.append(gid)
            level[depth] += 1
        levels.append([level[d] for d in range(max(level, default=-1) + 1)])
        for name, flags in bad.items():
            into = g.bad[name]
            for gid, flag in zip(gids, flags):
                into[gid] = flag
        if edges is not None:
            expanded, (first, codes, targets, names) = edges
            # a rank's label numbers -> rank 0's (equal labels from two ranks share one)
            edges = first, codes, targets, array("i", map(g.edges.number, names))
            for k, gid in enumerate(expanded):
                edges_of[gid] = edges, k
        g.terminal += terminal
        for name, f in found.items():
            if name not in violations or f.index < violations[name].index:
                violations[name] = f
        for name, f in seen.items():
            if name not in witnesses or f.index < witnesses[name].index:
                witnesses[name] = f
        transitions += n
        rss += peak
        if rank and tally is not None:
            model.absorb(tally)
    g.terminal.sort()
    g.index = {s: i for i, s in enumerate(g.states)}
    if part.decode is not None:
        g.states = Decoded(g.states, part.decode)
    if keep_edges:
        first, codes, targets = g.edges.first, g.edges.codes, g.edges.targets  # (all labels numbered)
        for place in edges_of:
            if place is None:  # a state of the last level, left unexpanded by the state limit
                break
            (e_first, e_codes, e_targets, to_mine), k = place
            lo, hi = e_first[k], e_first[k + 1]
            codes.extend(map(to_mine.__getitem__, e_codes[lo:hi]))
            targets += e_targets[lo:hi]
            first.append(len(targets))
    limits = limits + model.limits_hit()
    g.complete = not limits
    stats = Stats(states=total, transitions=transitions, depth=max(g.depth, default=0),
                  seconds=time.perf_counter() - start, peak_rss_mib=rss,
                  terminal=len(g.terminal), phases=[m[-1] for m in every], levels=levels)
    return Exploration(g, stats, violations, witnesses, limits)
