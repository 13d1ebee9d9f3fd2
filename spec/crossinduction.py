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


_NO, _ZERO = z3.BoolVal(False), BITVEC.const(0)
EMPTY = Flight(_NO, _ZERO, _NO, _ZERO, _NO, _NO, _ZERO)


class World(NamedTuple):
    x: Tcb
    x_fresh: object  # Z3 Boolean: X has not chosen its ISN
    y: Tcb
    y_fresh: object
    to_y: tuple  # slots holding segments from X
    to_x: tuple


def _has(t: Tcb, fields) -> bool:
    return t.state != CLOSED and all(getattr(t, f) is not None for f in fields)


def _within(lo, x, hi, k: int = 0):
    """lo =< x and x + k =< hi, measured from lo, within 2^31."""
    return z3.And(z3.ULE(x - lo + k, hi - lo), z3.ULT(hi - lo, HALF))


def _sequence(s: Flight, sender: Tcb, k: int):
    if not _has(sender, SND):
        return z3.BoolVal(True)
    iss, nxt = sender.iss.term(), sender.snd_nxt.term()
    return z3.Implies(z3.Not(s.rst), z3.And(z3.ULE(s.seq - iss, nxt - iss),
                                            _within(iss, s.seq + s.length, nxt, k),
                                            z3.Implies(s.syn, s.seq == iss)))


def _ack(s: Flight, receiver: Tcb, k: int):
    if not _has(receiver, SND):
        return z3.BoolVal(True)
    return _within(receiver.iss.term(), s.ack, receiver.snd_nxt.term(), k)


def _both_ways(w: World, each):
    return z3.And(*(each(s, w.x, w.x_fresh, w.y, w.y_fresh) for s in w.to_y),
                  *(each(s, w.y, w.y_fresh, w.x, w.x_fresh) for s in w.to_x))


def sequence_in_flight(w: World, k: int = 0):
    """auxiliary: a segment in flight (not a RST) lies within [ISS, SND.NXT] of its sender, a
    SYN at ISS; an endpoint that has not chosen its ISN has sent none."""
    return _both_ways(w, lambda s, snd, snd_fresh, rcv, rcv_fresh: z3.Implies(
        z3.And(s.present, z3.Not(s.rst)), z3.And(_sequence(s, snd, k), z3.Not(snd_fresh))))


def ack_in_flight(w: World, k: int = 0):
    """ack-validity across the network: every ACK in flight is =< its receiver's SND.NXT (and
    none is in flight to an endpoint that has not chosen its ISN)."""
    return _both_ways(w, lambda s, snd, snd_fresh, rcv, rcv_fresh: z3.Implies(
        z3.And(s.present, s.has_ack), z3.And(_ack(s, rcv, k), z3.Not(rcv_fresh))))


def _synchronized(x: Tcb, y: Tcb, k: int):
    if not (_has(x, RCV) and _has(y, SND)):
        return z3.BoolVal(True)
    return z3.And(x.irs.term() == y.iss.term(),
                  _within(y.iss.term(), x.rcv_nxt.term(), y.snd_nxt.term(), k))


def synchronization(w: World, k: int = 0):
    """synchronization across endpoints: an endpoint's IRS is its peer's ISS and its RCV.NXT
    =< the peer's SND.NXT (the peer has sent all it has received)."""
    return z3.And(_synchronized(w.x, w.y, k), _synchronized(w.y, w.x, k))


def fresh_alone(w: World, k: int = 0):
    """auxiliary: before an endpoint chooses its ISN it has no SND and its peer no RCV
    (k = 1, the mutant: nor SND)."""
    def alone(t, fresh, peer):
        return z3.Implies(fresh, z3.BoolVal(not _has(t, SND) and not _has(peer, (RCV, SND)[k])))
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


@lru_cache(maxsize=None)
def _steps(variant: str | None) -> tuple:
    """(pre-world /\\ step, post-world) for every transition of X and every shape of Y."""
    xf, yf = z3.Bool("X.fresh"), z3.Bool("Y.fresh")
    to_y, to_x = slot("OX"), slot("OY")
    out = []
    for t in induction.transitions(variant):
        chooses = t.post.incarnations > t.pre.incarnations
        for y in peers():
            pre = World(t.pre, xf, y, yf, (to_y,), (to_x,))
            received = (flight(t.segment),) if t.segment is not None else ()
            before = z3.And(cross_inv(pre), t.precondition, *(literal(g) for g in t.guard),
                            sequence_in_flight(pre._replace(to_y=(), to_x=received)),
                            ack_in_flight(pre._replace(to_y=(), to_x=received)),
                            z3.Implies(z3.BoolVal(chooses), xf))
            post = World(t.post, z3.And(xf, z3.BoolVal(not chooses)), y, yf,
                         (to_y,) + tuple(flight(s) for s in t.sent), (to_x,))
            out.append((t, before, post))
    return tuple(out)


def init_worlds() -> list[World]:
    tcbs = induction.init_tcbs()
    out = []
    for a, b in zip(tcbs[::2], tcbs[1::2]):
        for x, y in ((a, b), (b, a)):
            out.append(World(x, z3.BoolVal(x.incarnations == 0), y, z3.BoolVal(y.incarnations == 0),
                             (EMPTY,), (EMPTY,)))
    return out


def inductive(component, k: int = 0, variant: str | None = None):
    init = [component(w, k) for w in init_worlds()]
    steps = [z3.Implies(before, component(post, k)) for _, before, post in _steps(variant)]
    return z3.And(*init, *steps)


def breaking_step(component, k: int = 0, variant: str | None = None) -> Transition | None:
    for t, before, post in _steps(variant):
        solver = z3.Solver()
        solver.add(before, z3.Not(component(post, k)))
        if solver.check() == z3.sat:
            return t
    return None
