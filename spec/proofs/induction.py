"""Inductive invariants of one endpoint, over the transition relation of the state graph.

The transition relation is not written by hand: for every control state and
every event, ``Machine.fire`` runs on a TCB whose sequence fields are symbolic
(ISS, SND.UNA, SND.NXT, FIN.SEQ, IRS, RCV.NXT: each its own Z3 variable), and
``spec.tcp.symbolic.branches`` enumerates every feasible outcome of the
comparisons it makes; each branch gives a guard (its path condition) and a
post-state over the pre-state's variables.

The network is adversarial: a segment has any flags, any SEG.ACK, and a
SEG.SEQ at every position that Table 6 (RFC 9293 3.10.7.4) tells apart, or
anywhere else (a symbolic SEG.SEQ outside those positions: beyond the window,
wholly old, or from another incarnation). An invariant holds when
Init implies it and, for every state, event, segment and branch, Inv and the
step imply Inv' (k = 1): for runs of any length.

Stated abstractions: a connection sends and receives fewer than 2^31 - 8
sequence numbers (the windows stay in one half of the space); segments carry
at most one octet of data (as the scenarios send), and a retransmission at
most a SYN, one octet and a FIN (QUEUE_MAX); CLOSED is left only from a fresh
TCB (each application opens once).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, NamedTuple

from tcpverify.checker.z3check import check

from ..suite.run import machine_for
from ..tcp import facts
from ..tcp.facts import Kind, kind, template
from ..tcp.firing import DECIDER, fired, segments, seq_offsets
from ..tcp.machine import MSL2, RTO, SCRIPTED_EVENTS, SEGMENT, UNREAD_POSSIBLE, USER_CALLS
from ..tcp.rules import QUEUE_MAX, Params
from ..tcp.segment import Segment
from ..tcp.seq import BITVEC, HALF, SeqVal, lt
from ..tcp.states import CLOSED, LISTEN, STATES, SYN_RECEIVED, SYN_SENT, SYNCHRONIZED, TIME_WAIT
from ..tcp.symbolic import Decider, literal
from ..tcp.tcb import RECEIVE_FIELDS, SEND_FIELDS, Tcb
from ..tcp.variants import VARIANTS
from ..tcp.z3lazy import z3
from ..world.config import SCENARIOS, Config
from ..world.system import TcpSystem

BOUND = HALF - 8  # sequence numbers a connection sends or receives, at most
SEQ_OFFSETS = seq_offsets(Config.window)
SND = tuple(f for f in SEND_FIELDS if f != "fin_seq")  # what every TCB that has sent its SYN holds
RCV = RECEIVE_FIELDS


def shape(state: str) -> tuple[str, ...]:
    """The sequence fields a TCB has in each state (none in CLOSED: a fresh TCB), as the graph
    implies (spec.tcp.facts)."""
    return facts.rfc().fields.get(state, ())


def pre_states() -> list[Tcb]:
    """One symbolic TCB per control state (and per origin, which SYN-RECEIVED's guards read)."""
    out = []
    for state in STATES:
        peer_fin = state in facts.rfc().peer_fin
        base = template(Kind(state, None, shape(state), peer_fin))._replace(rcv_wnd=Config.window)
        origins = ("passive", "active") if state == SYN_RECEIVED else \
            ("passive" if state == LISTEN else "active",)
        out += [base._replace(origin=origin) for origin in origins]
        if state in UNREAD_POSSIBLE:  # CLOSE with data unread resets (3.6.1): data received
            out.append(base._replace(origin="active", received=1))
    return out


class Transition(NamedTuple):
    pre: Tcb
    event: str
    segment: Segment | None
    edge: str
    guard: tuple  # the path condition: literals over the pre-state and the segment
    precondition: object  # Z3: the stated abstractions for this step
    post: Tcb
    sent: tuple  # the segments the step sends


def _distance(a: SeqVal, b: SeqVal):
    return b.term() - a.term()


def _queue_bound(t: Tcb):
    """SND.NXT - SND.UNA =< QUEUE_MAX: what a retransmission resends (spec.tcp.rules._queued)."""
    if t.snd_una is None:
        return z3.BoolVal(True)
    return z3.ULE(_distance(t.snd_una, t.snd_nxt), QUEUE_MAX)


@lru_cache(maxsize=None)
def _bounded(t: Tcb):
    """Fewer than BOUND sequence numbers sent and received so far."""
    out = []
    if t.snd_nxt is not None:
        out.append(z3.ULT(_distance(t.iss, t.snd_nxt), BOUND))
    if t.rcv_nxt is not None:
        out.append(z3.ULT(_distance(t.irs, t.rcv_nxt), BOUND))
    return z3.And(*out)


def stimuli(template: Tcb) -> list[tuple[str, Segment | None, object]]:
    """(event, segment, precondition): every user call and timer, and every class of segment
    arriving (the network is adversarial: spec.proofs.relation_coverage checks the classes)."""
    events = [(e, None, z3.BoolVal(True)) for e in USER_CALLS + (MSL2,) + SCRIPTED_EVENTS]
    events += [(SEGMENT, seg, cond) for seg, cond in segments(template, SEQ_OFFSETS)]
    return events + [(RTO, None, _queue_bound(template))]


@lru_cache(maxsize=None)
def transitions(variant: str | None = None) -> tuple[Transition, ...]:
    """The symbolic transition relation of one endpoint ("A"), from the state graph."""
    machine = machine_for(VARIANTS[variant] if variant else None)
    params = Params(retries=Config.retries, fin_len=machine.fin_len)
    seen = {}
    for template in pre_states():
        for event, seg, cond in stimuli(template):
            if not machine.handles(template.state, event):
                continue
            tries = (0, params.retries) if event == RTO else (0,)
            for pre in (template._replace(retries=n) for n in tries):
                for name, post, sent, pc in fired(machine, params, DECIDER, "A", pre, event, seg):
                    step = Transition(pre, event, seg, name, pc, z3.And(cond, _bounded(pre)), post, sent)
                    seen.setdefault((pre, name, pc, cond.sexpr(), post), step)
    return tuple(seen.values())


# ---------------------------------------------------------------- the invariants

Component = Callable[[Tcb, int], object]


def _has(t: Tcb, fields) -> bool:
    return all(getattr(t, f) is not None for f in fields)


def tcb_shape(t: Tcb, k: int = 0):
    """The TCB holds exactly the sequence fields of its state, and has received the peer's FIN
    exactly where the graph says (CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT: the auxiliary
    that makes time-wait-role inductive)."""
    if t.state == CLOSED:
        return z3.BoolVal(True)
    return z3.BoolVal(kind(t).fields == shape(t.state) and t.error is None
                      and t.fin_rcvd == (t.state in facts.rfc().peer_fin))


def send_window(t: Tcb, k: int = 0):
    """ISS < SND.NXT and ISS =< SND.UNA =< SND.NXT, all within 2^31 of ISS."""
    if t.state == CLOSED or not _has(t, SND):
        return z3.BoolVal(True)
    sent, acked = _distance(t.iss, t.snd_nxt), _distance(t.iss, t.snd_una)
    return z3.And(z3.UGE(sent, 1 + k), z3.ULT(sent, HALF), z3.ULE(acked, sent))


def handshake_window(t: Tcb, k: int = 0):
    """In SYN-SENT and SYN-RECEIVED the SYN is all that is sent: SND.UNA = ISS and
    SND.NXT = ISS + 1 (what makes a retransmission there a SYN, RFC 9293 3.8.1)."""
    if t.state not in (SYN_SENT, SYN_RECEIVED) or not _has(t, SND):
        return z3.BoolVal(True)
    iss = t.iss.term()
    return z3.And(t.snd_una.term() == iss, t.snd_nxt.term() == iss + (1 + k))


def ack_validity(t: Tcb, k: int = 0):
    """SND.UNA =< SND.NXT: an endpoint never takes an ACK of something it has not sent."""
    if t.state == CLOSED or not _has(t, SND):
        return z3.BoolVal(True)
    d = _distance(t.snd_una, t.snd_nxt)
    return z3.And(z3.UGE(d, k), z3.ULT(d, HALF))


def fin_accounting(t: Tcb, k: int = 0):
    """After our FIN, SND.NXT = FIN.SEQ + 1: the FIN occupies exactly one number."""
    if t.state not in facts.rfc().fin_sent:
        return z3.BoolVal(True)
    if t.fin_seq is None or t.snd_nxt is None:
        return z3.BoolVal(False)
    return t.snd_nxt.term() == t.fin_seq.term() + (1 + k)


def synchronization(t: Tcb, k: int = 0):
    """A synchronized endpoint (or SYN-RECEIVED) has IRS < RCV.NXT: the peer's SYN is counted."""
    if t.state not in SYNCHRONIZED + (SYN_RECEIVED,):
        return z3.BoolVal(True)
    if not _has(t, RCV):
        return z3.BoolVal(False)
    return lt(t.irs.term() + k, t.rcv_nxt.term(), BITVEC)


def time_wait_role(t: Tcb, k: int = 0):
    """Only an endpoint that sent a FIN and received its peer's FIN is in TIME-WAIT."""
    if t.state != TIME_WAIT:
        return z3.BoolVal(True)
    return z3.BoolVal(t.fin_seq is not None and t.fin_rcvd)


INVARIANT = (tcb_shape, send_window, handshake_window, ack_validity, fin_accounting,
             synchronization, time_wait_role)


@lru_cache(maxsize=None)
def inv(t: Tcb):
    return z3.And(*(c(t) for c in INVARIANT))


def init_tcbs() -> list[Tcb]:
    """Both endpoints' TCBs in the initial state of every scenario."""
    out = []
    for scenario in SCENARIOS.values():
        system = TcpSystem(machine_for(None), scenario, Config(), Decider())
        for w in system.init_states():
            out += [w.a, w.b]
    return out


@lru_cache(maxsize=None)
def _steps(variant: str | None) -> tuple:
    """(Inv /\\ precondition /\\ guard, post-state) for every transition."""
    return tuple((z3.And(inv(s.pre), s.precondition, *(literal(x) for x in s.guard)), s.post)
                 for s in transitions(variant))


def inductive(component: Component, k: int = 0, variant: str | None = None):
    """Init => C, and Inv /\\ step => C' over every transition: with every component proved,
    the conjunction Inv is inductive."""
    init = [component(t, k) for t in init_tcbs()]
    steps = [z3.Implies(before, component(post, k)) for before, post in _steps(variant)]
    return z3.And(*init, *steps)


def describe(step: Transition | None) -> str:
    if step is None:
        return "no single step breaks it (Init does)"
    seg = f" receives {step.segment}" if step.segment is not None else ""
    return f"{step.edge} ({step.event}) from {step.pre.state}{seg}, to {step.post.describe()}"


def breaking_step(component: Component, k: int = 0, variant: str | None = None):
    """The first transition after which the component fails, or None: the step a refutation
    of ``inductive`` stands for."""
    for s, (before, post) in zip(transitions(variant), _steps(variant)):
        solver = z3.Solver()
        solver.add(before, z3.Not(component(post, k)))
        if check(solver) == z3.sat:
            return s
    return None
