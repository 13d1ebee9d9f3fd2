"""Replaying a captured connection through the spec: a search for an explanation.

The capture shows the segments that passed one point of the wire, in order. The
spec must explain them with the state graph's own transitions (Machine.fire): what
each endpoint's application did (OPEN, SEND, CLOSE, ABORT), which timers fired, and
what the capture point could not see: a segment the spec sends that the capture
lacks was lost before the capture point (or never sent: a delayed ACK looks the
same), a captured segment may be lost after it. Each direction is two FIFO channels,
before and after the capture point. The search is depth first over
(observations matched, both TCBs, the four channels), each state visited once; a
connection CONFORMS when some path matches every captured segment, in order, to a
segment its sender's spec put on the wire.

The search is best first: the state that has matched the most captured segments,
then the one with the fewest unobserved steps since, so that the common, short
explanations are found at once. Between two captured segments it takes at most
QUIET unobserved calls, timers and losses (the arrivals of captured segments are not
counted: each happens once): a deviation is "no explanation within that bound". It visits
at most MAX_STATES states and runs at most MAX_SECONDS: past either the verdict is
INCOMPLETE, with the captured segments explained so far.

An ACK that the spec sends and that has not reached the capture point yet is replaced
by a later one from the same sender (a delayed ACK, RFC 9293 3.10.7.4 and RFC 1122
4.2.3.2: one ACK for several segments), so a bulk transfer acknowledged every few
segments needs no search for which ACKs were "lost".
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from tcpverify.checker.status import Status

from ..tcp.machine import CRASH, OPEN_ACTIVE, OPEN_PASSIVE, SEGMENT, SEND, Machine
from ..tcp.rules import Params, reset_forms
from ..tcp.segment import Segment, carried, covers, pure_ack
from ..tcp.seq import MOD
from ..tcp.symbolic import Ctx, Decider
from ..tcp.tcb import Tcb
from ..world.environment import APP_CALL, BY_NAME, DELIVER, LOSE, MSL2_TIMEOUT, NAMES, RETRANSMIT_TIMEOUT
from .capture import Connection, Observed
from .linux import EDGE_DEPARTURE

WINDOW = 65535  # RCV.WND: window values are not modelled, a full 16-bit window is assumed
CAPACITY = 64  # segments a channel half may hold in an explanation
QUIET = 5  # unobserved steps between two captured segments, at most (by default)
MAX_STATES = 200_000  # states one connection's search may visit (by default)
MAX_SECONDS = 60.0  # seconds one connection's search may take (by default)
# The environment actions (spec/world/environment.py) an explanation may take. The others
# are not unobserved steps: a duplicate, an old or a forged segment passes the capture point
# and is a captured segment like any other; the channel halves are FIFO.
ALLOWED = (DELIVER, RETRANSMIT_TIMEOUT, MSL2_TIMEOUT, APP_CALL, LOSE)
NOT_ALLOWED = tuple(n for n in NAMES if n not in ALLOWED)
# The events an unobserved step fires, in the order tried: the timers, then the calls. Not
# SEND: the data an endpoint sends is the data the capture shows (_next_data); not a host
# crash: it would explain away any segment a host should have answered.
def unobserved(allowed: tuple) -> tuple:
    return tuple(e for n in (RETRANSMIT_TIMEOUT, MSL2_TIMEOUT, APP_CALL) if n in allowed
                 for e in BY_NAME[n].events if e not in (SEND, CRASH))


UNOBSERVED = unobserved(ALLOWED)


class State(NamedTuple):
    i: int  # captured segments matched so far
    a: Tcb | None  # None: this endpoint is not checked (--endpoint)
    b: Tcb | None
    pre: tuple  # per direction (to B, to A): (segment, edge that sent it) not yet captured
    post: tuple  # per direction: (segment, index of the capture) captured, not yet arrived

    def tcb(self, x: str) -> Tcb | None:
        return self.a if x == "A" else self.b


class ReplayStep(NamedTuple):
    actor: str  # "A", "B", or "capture"/"net"
    what: str  # edge name, "captured", "lost"
    event: str = ""
    n: int | None = None  # the captured segment involved (index into the capture)
    sent: tuple = ()  # segments sent; for a capture: the edge that sent it, then those lost before it


@dataclass
class Conformance:
    conforms: bool
    steps: list = field(default_factory=list)  # (ReplayStep, State after) of the explanation
    index: int = 0  # DEVIATES: the first captured segment no explanation reaches past
    frontier: list = field(default_factory=list)  # DEVIATES: states that matched all before it
    visited: int = 0
    incomplete: str = ""  # the budget the search spent before deciding: not a deviation

    @property
    def status(self) -> str:
        return "CONFORMS" if self.conforms else Status.INCOMPLETE if self.incomplete else "DEVIATES"


class Replayer:
    """Searches for an explanation of one connection under one state graph."""

    def __init__(self, machine: Machine, endpoints: str = "both", captured_on: str | None = None,
                 quiet: int = QUIET, max_states: int = MAX_STATES, max_seconds: float = MAX_SECONDS):
        self.machine = machine
        self.max_states, self.max_seconds = max_states, max_seconds
        self.checked = {"A": endpoints in ("A", "both"), "B": endpoints in ("B", "both")}
        self.quiet = quiet
        self.captured_on = captured_on  # the address of the host the capture was taken on, if known
        self.ctx = Ctx(Decider(), frozenset(), ())  # every number is concrete: Z3 is never asked
        self.explained: dict[tuple, list[ReplayStep]] = {}  # shape -> the moves that explained it

    def params(self, conn: Connection) -> Params:
        return Params(retries=None, fin_len=self.machine.fin_len,
                      isns=tuple(sorted(conn.isns.items())))

    def replay(self, conn: Connection) -> Conformance:
        """Follow the explanation of an earlier connection of the same shape, else search."""
        key = (self.host(conn), shape(conn))
        moves = self.explained.get(key)
        if moves is not None:
            v = self._follow(conn, moves)
            if v is not None:
                return v
        v = self._search(conn)
        if v.conforms:
            self.explained[key] = [st for st, _ in v.steps]
        return v

    def host(self, conn: Connection) -> str | None:
        """A or B, whichever the capture was taken on: nothing it sends is lost before the capture."""
        for x, addr in (("A", conn.a), ("B", conn.b)):
            if addr.rsplit(":", 1)[0] == self.captured_on:
                return x
        return None

    def _init(self) -> State:
        fresh = Tcb(rcv_wnd=WINDOW)
        return State(0, fresh if self.checked["A"] else None, fresh if self.checked["B"] else None,
                     ((), ()), ((), ()))

    def _follow(self, conn: Connection, moves: list[ReplayStep]) -> Conformance | None:
        """Take the given moves on this connection's numbers: an explanation if each fires as recorded."""
        obs, params, host = conn.segments, self.params(conn), self.host(conn)
        s, steps = self._init(), []
        for move in moves:
            if move.actor == "capture":
                taken = [self._capture(s, obs[s.i], host)] if s.i < len(obs) else [None]
            elif move.actor == "net":
                taken = [self._lose(s, "A" if obs[move.n].sender == "B" else "B")]
            elif move.event == SEGMENT:
                taken = self._deliver(s, move.actor, params)
            else:
                seg = self._next_data(s, move.actor, obs) if move.event == SEND else None
                taken = self._fire(s, move.actor, move.event, seg, params)
            if not taken or taken[0] is None or taken[0][0][:4] != move[:4]:
                return None  # the same actor, edge, event and captured segment, or no explanation
            steps.append(taken[0])
            s = taken[0][1]
        return Conformance(True, steps) if s.i == len(obs) else None

    def _search(self, conn: Connection) -> Conformance:
        obs, params, host = conn.segments, self.params(conn), self.host(conn)
        init = self._init()
        parent: dict[State, tuple] = {init: (None, None, 0)}
        queue = [(0, 0, 0, False, init)]
        order = 0
        best = 0
        deadline = time.monotonic() + self.max_seconds
        while queue:
            if len(parent) > self.max_states or (order % 512 == 0 and time.monotonic() > deadline):
                spent = (f"{self.max_states} states" if len(parent) > self.max_states
                         else f"{self.max_seconds:g} s")
                return Conformance(False, index=best, visited=len(parent),
                               incomplete=f"the search budget ({spent}) was spent")
            _, _, _, rest, s = heapq.heappop(queue)
            quiet = parent[s][2]
            if s.i == len(obs):
                return Conformance(True, self._path(parent, s), visited=len(parent))
            best = max(best, s.i)
            # A state whose next captured segment matches is expanded in two halves: the
            # match first, the quiet steps only if the search comes back to it.
            match = None if rest else self._capture(s, obs[s.i], host) if s.i < len(obs) else None
            if match is not None:
                succ = [match]
                order += 1
                heapq.heappush(queue, (-s.i, quiet, order, True, s))
            else:
                succ = self._successors(s, obs, params, quiet < self.quiet)
            for step, nxt in succ:
                if nxt not in parent:
                    q = 0 if nxt.i > s.i else quiet + (step.event != SEGMENT)
                    parent[nxt] = (s, step, q)
                    order += 1
                    rank = -1 if nxt.i == s.i and self._ready(nxt, obs) else q
                    heapq.heappush(queue, (-nxt.i, rank, order, False, nxt))
        frontier = sorted({s for s in parent if s.i == best}, key=repr)
        return Conformance(False, index=best, frontier=frontier, visited=len(parent))

    @staticmethod
    def _ready(s: State, obs: list[Observed]) -> bool:
        """The next captured segment, or its start (data its FIN will join), is on its way to
        the capture point: expand this state next."""
        if s.i == len(obs):
            return False
        o = obs[s.i].segment
        return any(o in reset_forms(seg) or (seg.seq, seg.ack, seg.data) == (o.seq, o.ack, o.data)
                   for seg, _ in s.pre[obs[s.i].sender == "B"])

    @staticmethod
    def _path(parent, s) -> list:
        out = []
        while parent[s][0] is not None:
            prev, step, _ = parent[s]
            out.append((step, s))
            s = prev
        return out[::-1]

    def _successors(self, s: State, obs: list[Observed], params: Params, more: bool):
        """The unobserved steps: a captured segment arrives (each once, so these are not
        counted), and, while more are allowed, a timer fires, an application calls, a
        segment is lost."""
        out = []
        for x in ("A", "B"):
            out += self._deliver(s, x, params)
        if not more:
            return out
        for x in ("A", "B"):
            if s.tcb(x) is None:
                continue
            for event in UNOBSERVED:
                out += self._fire(s, x, event, None, params)
            want = self._next_data(s, x, obs)
            if want is not None:
                out += self._fire(s, x, SEND, want, params)
        for to in ("B", "A") if LOSE in ALLOWED else ():
            lost = self._lose(s, to)
            if lost is not None:
                out.append(lost)
        return out

    def _deliver(self, s: State, x: str, params: Params) -> list:
        """The first captured segment on its way to x arrives."""
        ch = s.post[0 if x == "B" else 1]
        if not ch or s.tcb(x) is None:
            return []
        seg, n = ch[0]
        return self._fire(s, x, SEGMENT, seg, params, n, post=(x, ch[1:]))

    @staticmethod
    def _lose(s: State, to: str):
        """The first captured segment on its way to `to` is lost after the capture point."""
        ch = s.post[to == "A"]
        if not ch:
            return None
        post = list(s.post)
        post[to == "A"] = ch[1:]
        return ReplayStep("net", "lost", n=ch[0][1]), s._replace(post=tuple(post))

    def _capture(self, s: State, o: Observed, host: str | None):
        """Match captured segment s.i to its sender's next segment not lost before the capture point."""
        k = o.sender == "B"
        pre, post = list(s.pre), list(s.post)
        skipped = ()
        if s.tcb(o.sender) is None:
            name = None
        else:
            for j, (seg, name) in enumerate(pre[k]):
                if j and o.sender == host and not carried(pre[k][j - 1][0], o.segment):
                    return None  # only a delayed ACK, carried by this segment, goes unsent
                used = 1
                if o.segment not in reset_forms(seg):
                    if _with_fin(pre[k][j:j + 2]) != o.segment:
                        continue
                    name, used = f"{name} + {pre[k][j + 1][1]}", 2
                skipped = tuple(g for g, _ in pre[k][:j])
                pre[k] = pre[k][j + used:]
                break
            else:
                return None
        if len(post[k]) >= CAPACITY:
            return None
        post[k] = post[k] + ((o.segment, s.i),)
        return (ReplayStep("capture", "captured", n=s.i, sent=(name, *skipped)),
                State(s.i + 1, s.a, s.b, tuple(pre), tuple(post)))

    def _fire(self, s: State, x: str, event: str, seg, params: Params, n=None, post=None):
        tcb = s.tcb(x)
        if not self.machine.handles(tcb.state, event):
            return []
        if event in (OPEN_PASSIVE, OPEN_ACTIVE) and (tcb.origin or tcb.error) \
                and tcb.incarnations >= len(dict(params.isns).get(x, ())):
            return []  # opened again only for a later incarnation the capture holds
        result = self.machine.fire(x, tcb, event, seg, self.ctx, params)
        if result is None:
            return []
        name, new, sent = result
        pre = list(s.pre)
        k = x == "B"
        for g in sent:
            pre[k] = _superseded(pre[k], g) + ((g, name),)
        if len(pre[k]) > CAPACITY:
            return []
        posts = s.post
        if post is not None:
            posts = (post[1], s.post[1]) if post[0] == "B" else (s.post[0], post[1])
        nxt = State(s.i, new if x == "A" else s.a, new if x == "B" else s.b, tuple(pre), posts)
        if nxt == s:
            return []
        return [(ReplayStep(x, name, event, n, sent), nxt)]

    @staticmethod
    def _next_data(s: State, x: str, obs: list[Observed]) -> Segment | None:
        """SEND is made with the octets of x's next captured data segment, when it starts at SND.NXT."""
        tcb = s.tcb(x)
        for o in obs[s.i:]:
            if o.sender == x and o.segment.data:
                if tcb.snd_nxt is not None and o.segment.seq == tcb.snd_nxt:
                    return o.segment
                return None
        return None


def _superseded(queue: tuple, g: Segment) -> tuple:
    """The queue without the pure ACKs a pure ACK g replaces (a keep-alive probe, at
    SND.NXT-1, is at another SEQ and stays)."""
    if not pure_ack(g):
        return queue
    return tuple(e for e in queue if not (pure_ack(e[0]) and covers(g, e[0])))


def _with_fin(pair: tuple) -> Segment | None:
    """Data and the FIN right after it as one segment: RFC 9293 3.10.4 forms the FIN once the
    queued SENDs are segmentized, and the sender may put it on the last of them."""
    if len(pair) < 2:
        return None
    (data, _), (fin, _) = pair
    if data.data and not (data.fin or data.syn or data.rst) and fin.fin and not fin.data \
            and fin.seq == data.seq + data.data and fin.ack == data.ack:
        return data._replace(fin=True)
    return None


def shape(conn: Connection) -> tuple:
    """The connection with each number relative to the ISN of its space (its sender's for SEQ,
    the peer's for ACK; for a later incarnation, its own). The spec's comparisons commute
    with moving a side's sequence space modulo 2^32, so one shape usually has one
    explanation, moved; the exception, the <SEQ=0> of a reset answering a segment without
    ACK, only makes _follow fail and the search run."""
    isn = {x: ns[0] for x, ns in conn.isns.items()}
    out = []
    for o in conn.segments:
        g = o.segment
        if g.syn and g.seq.off in conn.isns.get(o.sender, ()):
            isn[o.sender] = g.seq.off
        peer = "B" if o.sender == "A" else "A"
        seq = (g.seq.off - isn.get(o.sender, 0)) % MOD
        ack = None if g.ack is None else (g.ack.off - isn.get(peer, 0)) % MOD
        out.append((o.sender, seq, ack, g.syn, g.fin, g.rst, g.data))
    return tuple(sorted((x, len(ns)) for x, ns in conn.isns.items())), tuple(out)


def departures(v: Conformance) -> list[str]:
    """The Linux departures (see spec/conformance/linux.py) an explanation uses."""
    return sorted({EDGE_DEPARTURE[st.what] for st, _ in v.steps if st.what in EDGE_DEPARTURE})


def reaction(machine: Machine, who: str, tcb: Tcb, seg: Segment, params: Params) -> str:
    """What an endpoint in this TCB does with a segment: the edge it takes, and what it sends."""
    ctx = Ctx(Decider(), frozenset(), ())
    result = machine.fire(who, tcb, SEGMENT, seg, ctx, params)
    if result is None:
        return "no edge"
    name, new, sent = result
    out = f"{name} -> {new.state}"
    if sent:
        out += " sending " + ", ".join(str(g) for g in sent)
    return out

