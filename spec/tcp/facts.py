"""What the state graph implies about TCBs, computed by firing it rather than listed by hand.

From a fresh TCB in CLOSED, every event a state's edges handle fires on a TCB of each *kind*
reached (its state, origin, which sequence fields it holds, whether the peer's FIN is in),
its fields symbolic; a segment arrives in every class spec.tcp.firing enumerates. Each
feasible branch gives a post-state whose kind is explored in turn, until no new kind
appears. CLOSED is left only from the fresh TCB: a TCB ended in CLOSED is deleted
(RFC 9293 3.10.4, 3.10.5), and each application opens once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from .firing import DECIDER, fired, segments, seq_offsets, v
from .machine import SEGMENT, Machine, build_graph
from .rules import Params
from .states import CLOSED
from .symbolic import literal, uninterruptible
from .tcb import SEQ_FIELDS, Tcb
from .z3lazy import z3


class Kind(NamedTuple):
    state: str
    origin: str | None
    fields: tuple[str, ...]  # the sequence fields held, in SEQ_FIELDS order
    fin_rcvd: bool


class Firing(NamedTuple):
    pre: Kind
    edge: str
    event: str
    post: Kind
    sent: tuple  # the segments sent


def kind(t: Tcb) -> Kind:
    return Kind(t.state, t.origin, tuple(f for f in SEQ_FIELDS if getattr(t, f) is not None), t.fin_rcvd)


def template(k: Kind) -> Tcb:
    """A TCB of kind k, each sequence field its own symbolic value (ISS, SND.UNA, ...)."""
    return Tcb(state=k.state, origin=k.origin, fin_rcvd=k.fin_rcvd, incarnations=int("iss" in k.fields),
               **{f: v(f.upper().replace("_", ".")) for f in k.fields})


def _feasible(pc: tuple, precondition, memo: dict, solver: z3.Solver) -> bool:
    """The branch's path condition is satisfiable with the segment class's precondition: asked
    of one solver, a query at a time (push, pop), where a fresh solver per query took 1.7
    times as long (the RFC graph's 88 queries: 1.67 s against 0.97)."""
    if z3.is_true(precondition):
        return True
    key = (pc, precondition.get_id())  # Z3 shares equal terms: one id per live formula
    if key not in memo:
        solver.push()
        try:
            solver.add(precondition, *(literal(x) for x in pc))
            memo[key] = (solver.check() != z3.unsat, precondition)  # kept alive: its id is not reused
        finally:
            solver.pop()
    return memo[key][0]


def firings(machine: Machine) -> tuple[Firing, ...]:
    """Every feasible firing from every kind of TCB reachable from a fresh one in CLOSED."""
    params = Params(fin_len=machine.fin_len)
    events = sorted({d["event"] for _, _, d in machine.graph.edges(data=True)} - {SEGMENT})
    fresh = kind(Tcb())
    todo, seen, out, memo, solver = [fresh], {fresh}, [], {}, uninterruptible(z3.Solver())
    while todo:
        k = todo.pop()
        t = template(k)
        arrivals = [(SEGMENT, seg, pre) for seg, pre in segments(t, seq_offsets(t.rcv_wnd))]
        for event, seg, pre in [(e, None, z3.BoolVal(True)) for e in events] + arrivals:
            if not machine.handles(k.state, event):
                continue
            for tries in sorted({0, params.retries}):
                for edge, post, sent, pc in fired(machine, params, DECIDER, "A", t._replace(retries=tries),
                                                  event, seg):
                    if not _feasible(pc, pre, memo, solver):
                        continue
                    out.append(Firing(k, edge, event, kind(post), sent))
                    if out[-1].post not in seen and post.state != CLOSED:
                        seen.add(out[-1].post)
                        todo.append(out[-1].post)
    return tuple(out)


class Facts(NamedTuple):
    fields: dict[str, tuple[str, ...]]  # state (but CLOSED) -> the sequence fields a TCB holds there
    fin_sent: tuple[str, ...]  # the states in which our FIN has been sent (FIN.SEQ is set)
    peer_fin: tuple[str, ...]  # the states in which the peer's FIN has been received
    sends_fin: tuple[str, ...]  # the edges some firing of which sends a FIN


def facts(machine: Machine) -> Facts:
    """What the graph implies; ValueError where a fact is not a function of the state alone."""
    found = firings(machine)
    kinds: dict[str, set[Kind]] = {}
    for f in found:
        for k in (f.pre, f.post):
            if k.state != CLOSED:
                kinds.setdefault(k.state, set()).add(k)

    def one(what):
        values = {s: {what(k) for k in ks} for s, ks in kinds.items()}
        mixed = sorted(s for s, vs in values.items() if len(vs) > 1)
        if mixed:
            raise ValueError(f"in {', '.join(mixed)} a TCB is reached in different shapes: {values}")
        return {s: vs.pop() for s, vs in sorted(values.items())}

    fields = one(lambda k: k.fields)
    return Facts(fields, tuple(s for s, fs in fields.items() if "fin_seq" in fs),
                 tuple(s for s, peer in one(lambda k: k.fin_rcvd).items() if peer),
                 tuple(sorted({f.edge for f in found if any(seg.fin for seg in f.sent)})))


@lru_cache(maxsize=1)
def rfc() -> Facts:
    """The facts of the RFC 9293 graph, computed once per process."""
    return facts(Machine(build_graph()))
