"""Inductive invariants of two endpoints and the segments in flight between them.

The step is the one-endpoint relation of ``spec.induction`` (``Machine.fire`` on
symbolic TCBs): endpoint X fires, on a segment from the network or on a user
call or timer, and its peer Y is any TCB of one of five shapes (CLOSED, LISTEN,
SYN-SENT, SYN-RECEIVED, ESTABLISHED) that satisfies the one-endpoint invariant.

The network is a multiset of slots, each holding one segment; the invariant
constrains every occupied slot on its own (``in_flight``), so one symbolic
segment per direction, with symbolic flags, stands for all of them, and any
slot may arrive (in order or not). The network's own actions are steps too
(NETWORK_STEPS): loss empties a slot, duplication copies one, and an old
duplicate or a forged RST or SYN is injected. A step
must keep the received segment's and every other segment's property (X's
fields change under them) and give each segment it sends the property.

Ghosts. An endpoint may choose ISNs again and again (a passive endpoint sent
back to LISTEN by a RST or a SYN, RFC 9293 3.10.7.4); each choice starts an
incarnation. Each segment carries three ghost flags: ``cur`` (sent by its
sender's current incarnation), ``acks`` (its ACK field was computed from a
RCV.NXT, or a SEG.SEQ, of its receiver's current incarnation) and ``old`` (an
old duplicate of an earlier connection, RFC 9293 3.4). Each endpoint has
``synced`` (its IRS and RCV.NXT come from its peer's current incarnation) and
``fresh`` (it has chosen no ISN yet). Choosing an ISN clears the chooser's
``cur`` flags, the ``acks`` flags of the segments to it and its peer's
``synced``; setting IRS from a segment copies that segment's ``cur`` into
``synced``; a segment sent takes ``cur`` and, for its ACK field, ``synced``
(or the ``cur`` of the segment whose SEG.SEQ it acknowledges).

No ISN-separation axiom between incarnations is needed: an incarnation that is
left behind (only a passive endpoint's, from LISTEN) has sent nothing but its
SYN-ACK, ACKs of it and RSTs, which occupy no sequence number beyond the SYN
and so can never move a RCV.NXT. Stated abstractions, beyond the one-endpoint
ones: an old duplicate's SEQ and ACK lie at least FAR = 2^16 from the ISS of
each endpoint (the explicit Decider's axiom, RFC 9293 3.4.1's quiet time), and
a connection sends fewer than FAR - 8 sequence numbers, so that an old
duplicate never falls within a current window; CLOSED is left only by an
endpoint that has chosen no ISN (the one-endpoint abstraction, as a ghost).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from tcpverify.checker.z3check import check

from ..tcp.seq import BITVEC, HALF, SeqVal
from ..tcp.states import CLOSED, ESTABLISHED, LISTEN, SYN_RECEIVED, SYN_SENT
from ..tcp.symbolic import FAR, far_apart
from ..tcp.tcb import Tcb
from ..tcp.z3lazy import z3
from ..world.environment import DUPLICATE, FORGE, FORGED_KINDS, LOSE, OLD, forged
from . import induction
from .induction import RCV, SND, Transition

HANDSHAKE = (LISTEN, SYN_SENT, SYN_RECEIVED)  # an incarnation here has sent only its SYN
SHORT = FAR - 8  # sequence numbers a connection sends, at most, in this model


class GhostSlot(NamedTuple):
    """A segment in flight: ``body`` is a Segment or the name of a symbolic one; each ghost
    flag is a bool or the name of a Z3 Boolean."""
    body: object
    cur: bool | str
    acks: bool | str
    old: bool | str


def symbolic_slot(name: str) -> GhostSlot:
    return GhostSlot(name, f"{name}.CUR", f"{name}.ACKS", f"{name}.OLD")


class Flight(NamedTuple):
    """A slot as terms: flags are Z3 Booleans, SEQ, ACK and the length bit-vectors."""
    present: object
    seq: object
    has_ack: object
    ack: object
    syn: object
    fin: object
    data: object
    rst: object
    length: object
    cur: object
    acks: object
    old: object


@lru_cache(maxsize=None)
def _bool(key):
    return z3.Bool(key) if isinstance(key, str) else z3.BoolVal(key)


@lru_cache(maxsize=None)
def _flight(key: GhostSlot) -> Flight:
    tags = tuple(_bool(t) for t in key[1:])
    seg = key.body
    if isinstance(seg, str):
        present, syn, fin, data, has_ack, rst = (z3.Bool(f"{seg}.{f}") for f in
                                                 ("FULL", "SYN", "FIN", "DATA", "ACKBIT", "RST"))
        bit = lambda b: z3.If(b, BITVEC.const(1), BITVEC.const(0))  # noqa: E731
        return Flight(present, z3.BitVec(f"{seg}.SEQ", 32), has_ack, z3.BitVec(f"{seg}.ACK", 32),
                      syn, fin, data, rst, bit(syn) + bit(fin) + bit(data), *tags)
    ack = seg.ack.term() if seg.ack is not None else BITVEC.const(0)
    return Flight(z3.BoolVal(True), seg.seq.term(), z3.BoolVal(seg.ack is not None), ack,
                  z3.BoolVal(seg.syn), z3.BoolVal(seg.fin), z3.BoolVal(seg.data > 0),
                  z3.BoolVal(seg.rst), BITVEC.const(seg.length()), *tags)


class End(NamedTuple):
    """An endpoint: its TCB and its ghosts (each a bool or the name of a Z3 Boolean)."""
    tcb: Tcb
    fresh: bool | str
    synced: bool | str


class GhostWorld(NamedTuple):
    """Both endpoints and the slots between them."""
    x: End
    y: End
    to_y: tuple  # slots holding segments from X
    to_x: tuple


@lru_cache(maxsize=None)
def _term(v: SeqVal):
    return v.term()


def _has(t: Tcb, fields) -> bool:
    return t.state != CLOSED and all(getattr(t, f) is not None for f in fields)


def _within(lo, x, hi, k: int = 0):
    """lo =< x and x + k =< hi, measured from lo, within 2^31."""
    return z3.And(z3.ULE(x - lo + k, hi - lo), z3.ULT(hi - lo, HALF))


@lru_cache(maxsize=None)
def _sequence(key: GhostSlot, sender: End, k: int):
    s = _flight(key)
    t = sender.tcb
    current = [z3.Not(_bool(sender.fresh))]
    if _has(t, SND):
        iss, nxt = _term(t.iss), _term(t.snd_nxt)
        current += [z3.ULE(s.seq - iss, nxt - iss), _within(iss, s.seq + s.length, nxt, k),
                    z3.Implies(s.syn, s.seq == iss)]
    handshake = z3.And(z3.Not(s.fin), z3.Not(s.data))
    if t.state in HANDSHAKE:
        current.append(handshake)
    body = z3.And(z3.Implies(s.cur, z3.And(*current)),
                  z3.Implies(z3.And(z3.Not(s.cur), z3.Not(s.old)), handshake))
    return z3.Implies(s.present, z3.And(z3.Implies(s.old, z3.And(z3.Not(s.cur), z3.Not(s.acks))),
                                        z3.Implies(z3.Not(s.rst), body)))


@lru_cache(maxsize=None)
def _ack(key: GhostSlot, receiver: Tcb, k: int):
    if not _has(receiver, SND):
        return z3.BoolVal(True)
    s = _flight(key)
    return z3.Implies(z3.And(s.present, s.has_ack, s.acks),
                      _within(_term(receiver.iss), s.ack, _term(receiver.snd_nxt), k))


def sequence_in_flight(w: GhostWorld, k: int = 0):
    """auxiliary: a segment in flight (not a RST) from its sender's current incarnation lies
    within [ISS, SND.NXT] of its sender, a SYN at ISS, and carries no data or FIN while the
    sender is in LISTEN, SYN-SENT or SYN-RECEIVED (nor when it has chosen no ISN: it sent
    none); one from an earlier incarnation carries no data or FIN; an old duplicate is
    neither current nor acknowledges anything current."""
    return z3.And(*(_sequence(s, w.x, k) for s in w.to_y), *(_sequence(s, w.y, k) for s in w.to_x))


def ack_in_flight(w: GhostWorld, k: int = 0):
    """ack-validity across the network: every ACK in flight that acknowledges its receiver's
    current incarnation is =< the receiver's SND.NXT (and >= its ISS)."""
    return z3.And(*(_ack(s, w.y.tcb, k) for s in w.to_y), *(_ack(s, w.x.tcb, k) for s in w.to_x))


@lru_cache(maxsize=None)
def _synchronized(a: End, b: End, k: int):
    x, y = a.tcb, b.tcb
    if not (_has(x, RCV) and _has(y, SND)):
        return z3.BoolVal(True)
    return z3.Implies(_bool(a.synced), z3.And(
        _term(x.irs) == _term(y.iss), _within(_term(y.iss), _term(x.rcv_nxt), _term(y.snd_nxt), k)))


def synchronization(w: GhostWorld, k: int = 0):
    """synchronization across endpoints: an endpoint synchronized with its peer's current
    incarnation has IRS = the peer's ISS and RCV.NXT =< the peer's SND.NXT."""
    return z3.And(_synchronized(w.x, w.y, k), _synchronized(w.y, w.x, k))


def fresh_alone(w: GhostWorld, k: int = 0):
    """auxiliary: before an endpoint chooses its ISN it has no SND and its peer is not
    synchronized with it (k = 1, the mutant: its peer has no SND either)."""
    return z3.And(_alone(w.x, w.y, k), _alone(w.y, w.x, k))


@lru_cache(maxsize=None)
def _alone(a: End, b: End, k: int):
    peer = z3.Not(_bool(b.synced)) if k == 0 else z3.BoolVal(not _has(b.tcb, SND))
    return z3.Implies(_bool(a.fresh), z3.And(z3.BoolVal(not _has(a.tcb, SND)), peer))


INVARIANT = (fresh_alone, sequence_in_flight, ack_in_flight, synchronization)


def cross_inv(w: GhostWorld):
    return z3.And(induction.inv(w.x.tcb), induction.inv(w.y.tcb), *(c(w) for c in INVARIANT))


# ---------------------------------------------------------------- the stated abstractions

@lru_cache(maxsize=None)
def _far(key: GhostSlot, t: Tcb):
    """An old duplicate's SEQ and ACK are at least FAR from t's ISS (symbolic.far_apart)."""
    if not _has(t, SND):
        return z3.BoolVal(True)
    s = _flight(key)
    iss = _term(t.iss)
    far = [far_apart(v, iss) for v in (s.seq, s.ack)]
    return z3.Implies(z3.And(s.present, s.old), z3.And(far[0], z3.Implies(s.has_ack, far[1])))


@lru_cache(maxsize=None)
def _short(t: Tcb):
    """Fewer than FAR - 8 sequence numbers sent."""
    if not _has(t, SND):
        return z3.BoolVal(True)
    return z3.ULT(_term(t.snd_nxt) - _term(t.iss), SHORT)


def abstractions(w: GhostWorld):
    """What the model assumes in every state: old duplicates far from the ISSs, short
    connections."""
    ends = (w.x.tcb, w.y.tcb)
    return z3.And(*(_short(t) for t in ends),
                  *(_far(s, t) for s in w.to_y + w.to_x for t in ends))


# ---------------------------------------------------------------- the step

def peers() -> list[Tcb]:
    """Y: a TCB of each shape, its fields (those the graph gives its state) Y.ISS, Y.SND.NXT, ..."""
    def y(state, origin="active"):
        return Tcb(state=state, origin=origin, incarnations=1,
                   **{f: SeqVal("Y." + f.upper().replace("_", "."), 0) for f in induction.shape(state)})
    return [Tcb(state=CLOSED), y(LISTEN, "passive"), y(SYN_SENT), y(SYN_RECEIVED, "passive"),
            y(ESTABLISHED)]


X = End(None, "X.fresh", "X.synced")
Y = End(None, "Y.fresh", "Y.synced")
TO_Y, TO_X = symbolic_slot("OX"), symbolic_slot("OY")  # any slot holding a segment from X, from Y
RECEIVED = ("R.CUR", "R.ACKS", "R.OLD")
INJECTED = GhostSlot("OLD", False, False, True)  # an old duplicate the network injects
NETWORK = "network"  # the event of a step of the network alone: the environment action names it
# The network's own actions on the slots to Y, as the explicit search's (spec/world/environment.py):
# a forged segment (RFC 5961) is sent by no incarnation; injecting it in any state covers the
# attack on a synchronized connection.
NETWORK_STEPS = ((OLD, (TO_Y, INJECTED)), (LOSE, ()), (DUPLICATE, (TO_Y, TO_Y)),
                 *((FORGE, (TO_Y, GhostSlot(forged(kind, 1), False, False, False))) for kind in FORGED_KINDS))


def _pre(x: Tcb, y: Tcb, to_y=(TO_Y,), to_x=(TO_X,)) -> GhostWorld:
    return GhostWorld(X._replace(tcb=x), Y._replace(tcb=y), to_y, to_x)


@lru_cache(maxsize=None)
def _before(x: Tcb, y: Tcb):
    w = _pre(x, y)
    return z3.And(cross_inv(w), abstractions(w))


def _synced_after(t: Transition):
    """X's synced ghost after t: kept, copied from the segment that set IRS, or none."""
    if not _has(t.post, RCV):
        return False
    if _has(t.pre, RCV) and t.post.irs == t.pre.irs:
        return X.synced
    assert t.segment is not None and t.post.irs == t.segment.seq, t.edge
    return RECEIVED[0]


def _sent(t: Transition, synced) -> tuple:
    """The segments t sends, tagged: current, and acknowledging what their ACK was taken from."""
    out = []
    for seg in t.sent:
        acks = False
        if seg.ack is not None and _has(t.post, RCV) and seg.ack == t.post.rcv_nxt:
            acks = synced
        elif seg.ack is not None and t.segment is not None and seg.ack.base == t.segment.seq.base:
            acks = RECEIVED[0]
        out.append(GhostSlot(seg, True, acks, False))
    return tuple(out)


@lru_cache(maxsize=None)
def _steps(variant: str | None) -> tuple:
    """(step, pre-world /\\ step, post-world) for every transition of X and every shape of Y,
    and for every old duplicate the network injects."""
    out = []
    ys = peers()
    for t, (one, _) in zip(induction.transitions(variant), induction._steps(variant)):
        chooses = t.post.incarnations > t.pre.incarnations
        opens = t.pre.state == CLOSED and t.post.state != CLOSED
        received = (GhostSlot(t.segment, *RECEIVED),) if t.segment else ()
        step = z3.And(one, ack_in_flight(_pre(t.pre, None, (), received)),
                      z3.Or(_bool(X.fresh), not opens))
        synced = _synced_after(t)
        x_post = End(t.post, False if chooses else X.fresh, synced)
        to_y = (TO_Y._replace(cur=False) if chooses else TO_Y,) + _sent(t, synced)
        to_x = (TO_X._replace(acks=False) if chooses else TO_X,)
        for y in ys:
            arrived = _pre(t.pre, y, (), received)
            before = z3.And(_before(t.pre, y), step, sequence_in_flight(arrived),
                            *(_far(s, e) for s in received for e in (t.pre, y)))
            post = GhostWorld(x_post, Y._replace(tcb=y, synced=False if chooses else Y.synced),
                         to_y, to_x)
            out.append((t, before, post))
    for x in induction.pre_states():
        for y in ys:
            for name, to_y in NETWORK_STEPS:
                t = Transition(x, NETWORK, None, name, (), True, x, ())
                out.append((t, _before(x, y), _pre(x, y, to_y)))
    return tuple(out)


def init_worlds() -> list[GhostWorld]:
    tcbs = induction.init_tcbs()
    out = []
    for a, b in zip(tcbs[::2], tcbs[1::2]):
        out += [GhostWorld(End(x, x.incarnations == 0, False), End(y, y.incarnations == 0, False), (), ())
                for x, y in ((a, b), (b, a))]
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
        if check(solver) == z3.sat:
            return t
    return None
