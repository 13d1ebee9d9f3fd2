"""Inductive invariants of two endpoints and the segments in flight between them.

The step is the one-endpoint relation of ``spec.induction`` (``Machine.fire`` on
symbolic TCBs): endpoint X fires, on a segment from the network or on a user
call or timer, and its peer Y is any TCB of one of three shapes (no sequence
fields; SND only; SND and RCV) that satisfies the one-endpoint invariant.

The network is a multiset of slots, each holding one current segment; the
invariant constrains every occupied slot on its own (``in_flight``), so one
symbolic segment per direction, with symbolic flags, stands for all of them:
loss empties a slot and duplication copies one, and neither can break a
per-segment property. A step must keep the received segment's and every other
segment's property (X's fields change under them) and give each segment it
sends the property.

Stated abstractions, beyond the one-endpoint ones: no old duplicates from an
earlier connection are in flight, and each endpoint chooses one ISN (a ghost
``fresh`` flag: a step that chooses an ISS needs it, and clears it). An
endpoint that goes back to LISTEN or CLOSED then never synchronizes again.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import z3

from . import induction
from .induction import RCV, SND, Transition
from .seq import BITVEC, HALF, SeqVal
from .symbolic import literal
from .states import CLOSED, ESTABLISHED, SYN_SENT
from .tcb import Tcb


class Flight(NamedTuple):
    """A slot of the network, as terms: flags are Z3 Booleans, the length a bit-vector."""
    present: object
    seq: object
    has_ack: object
    ack: object
    syn: object
    rst: object
    length: object


def flight(seg) -> Flight:
    ack = seg.ack.term() if seg.ack is not None else BITVEC.const(0)
    return Flight(z3.BoolVal(True), seg.seq.term(), z3.BoolVal(seg.ack is not None), ack,
                  z3.BoolVal(seg.syn), z3.BoolVal(seg.rst), BITVEC.const(seg.length()))


def slot(name: str) -> Flight:
    """Any slot: empty, or any segment (flags, SEQ, ACK and one octet of data symbolic)."""
    present, syn, fin, data, has_ack, rst = (z3.Bool(f"{name}.{f}") for f in
                                             ("FULL", "SYN", "FIN", "DATA", "ACKBIT", "RST"))
    bit = lambda b: z3.If(b, BITVEC.const(1), BITVEC.const(0))  # noqa: E731
    return Flight(present, z3.BitVec(f"{name}.SEQ", 32), has_ack, z3.BitVec(f"{name}.ACK", 32),
                  syn, rst, bit(syn) + bit(fin) + bit(data))


class World(NamedTuple):
    """Both endpoints and the slots between them. A fresh flag is a bool or the name of a Z3
    Boolean (X has not chosen its ISN); a slot is a Segment or the name of a symbolic slot."""
    x: Tcb
    x_fresh: bool | str
    y: Tcb
    y_fresh: bool | str
    to_y: tuple  # slots holding segments from X
    to_x: tuple


@lru_cache(maxsize=None)
def _flight(key) -> Flight:
    return slot(key) if isinstance(key, str) else flight(key)


@lru_cache(maxsize=None)
def _fresh(key):
    return z3.Bool(key) if isinstance(key, str) else z3.BoolVal(key)


@lru_cache(maxsize=None)
def _term(v: SeqVal):
    return v.term()


def _has(t: Tcb, fields) -> bool:
    return t.state != CLOSED and all(getattr(t, f) is not None for f in fields)


def _within(lo, x, hi, k: int = 0):
    """lo =< x and x + k =< hi, measured from lo, within 2^31."""
    return z3.And(z3.ULE(x - lo + k, hi - lo), z3.ULT(hi - lo, HALF))


@lru_cache(maxsize=None)
def _sequence(key, sender: Tcb, sender_fresh, k: int):
    s = _flight(key)
    body = z3.Not(_fresh(sender_fresh))
    if _has(sender, SND):
        iss, nxt = _term(sender.iss), _term(sender.snd_nxt)
        body = z3.And(body, z3.ULE(s.seq - iss, nxt - iss), _within(iss, s.seq + s.length, nxt, k),
                      z3.Implies(s.syn, s.seq == iss))
    return z3.Implies(z3.And(s.present, z3.Not(s.rst)), body)


@lru_cache(maxsize=None)
def _ack(key, receiver: Tcb, receiver_fresh, k: int):
    s = _flight(key)
    body = z3.Not(_fresh(receiver_fresh))
    if _has(receiver, SND):
        body = z3.And(body, _within(_term(receiver.iss), s.ack, _term(receiver.snd_nxt), k))
    return z3.Implies(z3.And(s.present, s.has_ack), body)


def sequence_in_flight(w: World, k: int = 0):
    """auxiliary: a segment in flight (not a RST) lies within [ISS, SND.NXT] of its sender, a
    SYN at ISS; an endpoint that has not chosen its ISN has sent none."""
    return z3.And(*(_sequence(s, w.x, w.x_fresh, k) for s in w.to_y),
                  *(_sequence(s, w.y, w.y_fresh, k) for s in w.to_x))


def ack_in_flight(w: World, k: int = 0):
    """ack-validity across the network: every ACK in flight is =< its receiver's SND.NXT (and
    none is in flight to an endpoint that has not chosen its ISN)."""
    return z3.And(*(_ack(s, w.y, w.y_fresh, k) for s in w.to_y),
                  *(_ack(s, w.x, w.x_fresh, k) for s in w.to_x))


def _synchronized(x: Tcb, y: Tcb, k: int):
    if not (_has(x, RCV) and _has(y, SND)):
        return z3.BoolVal(True)
    return z3.And(_term(x.irs) == _term(y.iss),
                  _within(_term(y.iss), _term(x.rcv_nxt), _term(y.snd_nxt), k))


def synchronization(w: World, k: int = 0):
    """synchronization across endpoints: an endpoint's IRS is its peer's ISS and its RCV.NXT
    =< the peer's SND.NXT (the peer has sent all it has received)."""
    return z3.And(_synchronized(w.x, w.y, k), _synchronized(w.y, w.x, k))


def fresh_alone(w: World, k: int = 0):
    """auxiliary: before an endpoint chooses its ISN it has no SND and its peer no RCV
    (k = 1, the mutant: nor SND)."""
    def alone(t, fresh, peer):
        return z3.Implies(_fresh(fresh), z3.BoolVal(not _has(t, SND) and not _has(peer, (RCV, SND)[k])))
    return z3.And(alone(w.x, w.x_fresh, w.y), alone(w.y, w.y_fresh, w.x))


INVARIANT = (fresh_alone, sequence_in_flight, ack_in_flight, synchronization)


def cross_inv(w: World):
    return z3.And(induction.inv(w.x), induction.inv(w.y), *(c(w) for c in INVARIANT))


def peers() -> list[Tcb]:
    """Y: a TCB of each shape, its fields Y.ISS, Y.SND.NXT, ..."""
    def y(state, fields):
        return Tcb(state=state, incarnations=1,
                   **{f: SeqVal("Y." + f.upper().replace("_", "."), 0) for f in fields})
    return [Tcb(state=CLOSED), y(SYN_SENT, SND), y(ESTABLISHED, SND + RCV)]


X_FRESH, Y_FRESH = "X.fresh", "Y.fresh"
TO_Y, TO_X = "OX", "OY"  # any slot holding a segment from X, from Y


@lru_cache(maxsize=None)
def _before(x: Tcb, y: Tcb):
    return cross_inv(World(x, X_FRESH, y, Y_FRESH, (TO_Y,), (TO_X,)))


@lru_cache(maxsize=None)
def _steps(variant: str | None) -> tuple:
    """(pre-world /\\ step, post-world) for every transition of X and every shape of Y."""
    out = []
    for t in induction.transitions(variant):
        chooses = t.post.incarnations > t.pre.incarnations
        step = z3.And(t.precondition, *(literal(g) for g in t.guard),
                      z3.Or(_fresh(X_FRESH), not chooses))
        for y in peers():
            received = World(t.pre, X_FRESH, y, Y_FRESH, (), (t.segment,) if t.segment else ())
            before = z3.And(_before(t.pre, y), step, sequence_in_flight(received),
                            ack_in_flight(received))
            post = World(t.post, False if chooses else X_FRESH, y, Y_FRESH, (TO_Y,) + t.sent,
                         (TO_X,))
            out.append((t, before, post))
    return tuple(out)


def init_worlds() -> list[World]:
    tcbs = induction.init_tcbs()
    out = []
    for a, b in zip(tcbs[::2], tcbs[1::2]):
        out += [World(x, x.incarnations == 0, y, y.incarnations == 0, (), ()) for x, y in ((a, b), (b, a))]
    return out


def inductive(component, k: int = 0, variant: str | None = None):
    init = [component(w, k) for w in init_worlds()]
    after = {}
    steps = []
    for _, before, post in _steps(variant):
        if post not in after:
            after[post] = component(post, k)
        steps.append(z3.Implies(before, after[post]))
    return z3.And(*init, *steps)


def breaking_step(component, k: int = 0, variant: str | None = None) -> Transition | None:
    for t, before, post in _steps(variant):
        solver = z3.Solver()
        solver.add(before, z3.Not(component(post, k)))
        if solver.check() == z3.sat:
            return t
    return None
