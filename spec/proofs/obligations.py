"""The proof obligations of `tcpverify prove` (RFC 9293 3.4, RFC 1982 3.2).

Sequence arithmetic is stated with spec.seq's own ``lt``/``le`` on Z3
bit-vectors. The handshake and close obligations drive the rules the
explicit checker runs: the normal scenario is followed edge by edge through
``TcpSystem``, every comparison a receiving rule makes is recorded as a Z3
literal over the symbolic ISNs, and the obligation is that all of them come
out the same for every ISN pair, so that every pair fires the same edges.

Each builder takes ``k``: 0 gives the obligation, 1 its mutant (an
off-by-one in the statement), which the tests expect to be refuted.
"""

from __future__ import annotations

from functools import lru_cache, partial

from tcpverify.checker.proofs import Obligation
from tcpverify.checker.status import Expect

from ..suite.run import machine_for
from ..tcp import rules as r
from ..tcp.machine import SEGMENT
from ..tcp.segment import Segment
from ..tcp.seq import BITS, BITVEC, HALF, MOD, OFFSET_BOUND, le, lt
from ..tcp.states import LISTEN
from ..tcp.symbolic import Ctx, Decider, literal
from ..tcp.variants import VARIANTS
from ..tcp.z3lazy import z3
from ..world.config import SCENARIOS, Config
from ..world.system import TcpSystem, World
from . import crossinduction, induction

BV = BITVEC
WIDE = 64  # offsets as signed integers, wide enough not to wrap themselves
CORNER_ISNS = (MOD - 1, MOD - 2, 0)
FIN_VARIANT = "fin-takes-no-sequence-number"

HANDSHAKE = (("A", "ActiveOpenInClosed"), ("B", "RcvSynInListen"), ("A", "RcvSynAckInSynSent"),
             ("B", "RcvAckOfSynInSynReceived"))
CLOSE = (("A", "CloseInEstablished"), ("B", "RcvFinInEstablished"),
         ("A", "RcvAckOfFinInFinWait1"), ("B", "CloseInCloseWait"), ("A", "RcvFinInFinWait2"),
         ("B", "RcvAckOfFinInLastAck"))


def _bv(*names: str):
    return [z3.BitVec(n, BITS) for n in names]


# ---------------------------------------------------------------- sequence arithmetic

def offset_order(k: int = 0) -> Obligation:
    def formula():
        b, i, j = _bv("b", "i", "j")
        in_bound = z3.And(z3.ULT(i, OFFSET_BOUND), z3.ULT(j, OFFSET_BOUND))
        order = z3.ULT(i, j) if k == 0 else z3.ULE(i, j)
        return z3.Implies(in_bound, z3.And(lt(b + i, b + j, BV) == order,
                                           (b + i == b + j) == (i == j)))
    return Obligation(
        "seq-offset-order",
        f"for every base b and offsets 0 =< i, j < {OFFSET_BOUND:#x} (seq.OFFSET_BOUND, what the "
        "checker uses): b+i < b+j exactly when i < j, and b+i = b+j exactly when i = j",
        formula)


def offset_order_general(k: int = 0) -> Obligation:
    def formula():
        (b,) = _bv("b")
        i, j = z3.BitVecs("i j", WIDE)
        bound = HALF + k
        small = z3.And(j - i < bound, i - j < bound, *(z3.And(v > -(1 << 40), v < (1 << 40))
                                                       for v in (i, j)))
        lo = lambda v: z3.Extract(BITS - 1, 0, v)  # noqa: E731
        return z3.Implies(small, lt(b + lo(i), b + lo(j), BV) == (i < j))
    return Obligation(
        "seq-offset-order-general",
        "for every base b and integer offsets with |i - j| < 2^31: b+i < b+j exactly when i < j",
        formula)


def irreflexive(k: int = 0) -> Obligation:
    def formula():
        (a,) = _bv("a")
        return z3.Not((lt if k == 0 else le)(a, a, BV))
    return Obligation("seq-lt-irreflexive", "no a has a < a", formula)


def antisymmetric(k: int = 0) -> Obligation:
    def formula():
        a, b = _bv("a", "b")
        cmp = lt if k == 0 else le
        return z3.Not(z3.And(cmp(a, b, BV), cmp(b, a, BV)))
    return Obligation("seq-lt-antisymmetric", "no a, b have both a < b and b < a", formula)


def not_transitive(k: int = 0) -> Obligation:
    def formula():
        a, b, c = _bv("a", "b", "c")
        return z3.Implies(z3.And(lt(a, b, BV), lt(b, c, BV)), lt(a, c, BV))
    return Obligation(
        "seq-lt-not-transitive",
        "a < b and b < c imply a < c over the whole space (expected refuted: three values)",
        formula, expect=Expect.FAILS)


def transitive_in_window(k: int = 0) -> Obligation:
    def formula():
        a, b, c = _bv("a", "b", "c")
        window = z3.ULT(c - a, HALF) if k == 0 else z3.ULE(c - a, HALF)
        return z3.Implies(z3.And(lt(a, b, BV), lt(b, c, BV), window), lt(a, c, BV))
    return Obligation(
        "seq-lt-transitive-in-window",
        "a < b and b < c imply a < c when c - a < 2^31 (the three lie within 2^31)",
        formula)


def half_apart(k: int = 0) -> Obligation:
    def formula():
        (a,) = _bv("a")
        b = a + (HALF - k)
        return z3.And(z3.Not(lt(a, b, BV)), z3.Not(lt(b, a, BV)), a != b)
    return Obligation(
        "seq-half-apart-incomparable",
        "a and a+2^31 are unequal and neither is less than the other: the definition leaves them "
        "unordered, as RFC 1982 3.2 leaves them undefined (either answer would make a+2^31 < a+2^32 = a)",
        formula)


def trichotomy(k: int = 0) -> Obligation:
    def formula():
        a, b = _bv("a", "b")
        return z3.Or(lt(a, b, BV), lt(b, a, BV), a == b)
    return Obligation(
        "seq-trichotomy",
        "any two values are equal or one is less (expected refuted: the pair 2^31 apart)",
        formula, expect=Expect.FAILS)


# ---------------------------------------------------------------- the rules on the normal run

class RecordingCtx(Ctx):
    """A Ctx that keeps every comparison it answers, same-base ones included, as a literal."""

    def __init__(self, decider: Decider, pc: frozenset):
        super().__init__(decider, pc, ())
        self.literals: list[tuple] = []

    def _decide(self, rel, x, y):
        outcome = super()._decide(rel, x, y)
        self.literals.append((rel, x, y, outcome))
        return outcome


@lru_cache(maxsize=None)
def normal_system(variant: str | None = None) -> TcpSystem:
    v = VARIANTS[variant] if variant else None
    return TcpSystem(machine_for(v), SCENARIOS["normal"], Config(), Decider())


def follow(system: TcpSystem, run: tuple) -> list[tuple]:
    """Walk the system along named edges: [(step, world before it), ..., (None, last world)].

    Stops early, the last entry (None, world), where the next named edge is not enabled.
    """
    w = system.init_states()[0]
    out = []
    for actor, name in run:
        nxt = next((s for s in system.successors(w) if (s[0].actor, s[0].name) == (actor, name)),
                   None)
        if nxt is None:
            break
        out.append((nxt[0], w))
        w = nxt[1]
    return out + [(None, w)]


def receive(system: TcpSystem, w: World, x: str, seg) -> tuple:
    """x's state graph fired on seg in w: (edge name or None, new TCB, sent, literals recorded)."""
    ctx = RecordingCtx(system.decider, w.pc)
    fired = system.machine.fire(x, w.tcb(x), SEGMENT, seg, ctx, system.params)
    name, tcb, sent = fired if fired is not None else (None, None, ())
    return name, tcb, sent, ctx.literals


def _accepted(run: tuple, part: tuple, k: int):
    """Every segment of part, delivered in the normal run (its ACK field moved by k), fires the
    same edge as in the run, and every comparison on the way comes out the same."""
    system = normal_system()
    walked = follow(system, run)
    terms = [z3.BoolVal(len(walked) == len(run) + 1)]
    for step, w in walked[:-1]:
        if step.event != SEGMENT or (step.actor, step.name) not in part:
            continue
        seg = step.segment
        if seg.ack is not None:
            seg = seg._replace(ack=seg.ack + k)
        name, _, _, lits = receive(system, w, step.actor, seg)
        terms.append(z3.BoolVal(name == step.name))
        terms += [literal(lit) for lit in lits]
    return z3.And(*terms)


def handshake_accepted(k: int = 0) -> Obligation:
    return Obligation(
        "handshake-acceptable",
        "for every ISN pair, the SYN, SYN-ACK and third ACK of the normal run pass the receiver's "
        "acceptability and ACK tests (RcvSynInListen, RcvSynAckInSynSent, RcvAckOfSynInSynReceived)",
        lambda: _accepted(HANDSHAKE, HANDSHAKE, k))


def close_accepted(k: int = 0) -> Obligation:
    return Obligation(
        "close-acceptable",
        "for every ISN pair, the FINs and their ACKs of the normal close pass the receiver's "
        "acceptability and ACK tests (RcvFinInEstablished, RcvAckOfFinInFinWait1, "
        "RcvFinInFinWait2, RcvAckOfFinInLastAck)",
        lambda: _accepted(HANDSHAKE + CLOSE, CLOSE, k))


def corners_accepted(k: int = 0) -> Obligation:
    def formula():
        whole = _accepted(HANDSHAKE + CLOSE, HANDSHAKE + CLOSE, k)
        isn_a, isn_b = _bv("ISS_A", "ISS_B")
        return z3.And(*(z3.substitute(whole, (isn_a, BV.const(a)), (isn_b, BV.const(b)))
                        for a in CORNER_ISNS for b in CORNER_ISNS))
    return Obligation(
        "handshake-close-wrap-corners",
        "the same, with each ISN at 2^32-1, 2^32-2 or 0 (numbers wrap to 0 in the handshake "
        "and in the close)",
        formula)


def _ack_of_fin(variant: str | None):
    """A's FIN reaches B in the normal run; B's ACK then reaches A in FIN-WAIT-1.

    Returns (the ACK's SEG.ACK, A's FIN.SEQ, whether A counts its FIN acknowledged, literals).
    """
    system = normal_system(variant)
    walked = follow(system, HANDSHAKE + CLOSE[:2])
    step, w = walked[-2]
    if step is None or step.name != "RcvFinInEstablished":
        return None
    _, b_after, _, _ = receive(system, w, "B", step.segment)
    _, (ack,) = r.send_ack(r.View("B", b_after, None, Ctx(system.decider, w.pc, ()), system.params))
    a = w.a
    view = r.View("A", a, ack, RecordingCtx(system.decider, w.pc), system.params)
    acked = view.acks_fin()
    return ack.ack, a.fin_seq, acked, view.ctx.literals


def fin_ack(k: int = 0) -> Obligation:
    def formula():
        found = _ack_of_fin(None)
        if found is None:
            return z3.BoolVal(False)
        ack, fin_seq, acked, lits = found
        return z3.And(ack.term() == fin_seq.term() + (1 + k), z3.BoolVal(acked),
                      *(literal(lit) for lit in lits))
    return Obligation(
        "fin-ack-is-fin-seq-plus-1",
        "for every ISN pair, the ACK of A's FIN is FIN.SEQ+1 and A in FIN-WAIT-1 takes it as "
        "acknowledging its FIN",
        formula)


def fin_no_seq_ack(k: int = 0) -> Obligation:
    def formula():
        found = _ack_of_fin(FIN_VARIANT)
        if found is None:
            return z3.BoolVal(False)
        ack, fin_seq, acked, lits = found
        return z3.And(ack.term() == fin_seq.term() + k, z3.BoolVal(not acked),
                      *(literal(lit) for lit in lits))
    return Obligation(
        "fin-without-seq-ack-rejected",
        f"variant {FIN_VARIANT}: for every ISN pair, the ACK of A's FIN is FIN.SEQ and A does "
        "not take it as acknowledging its FIN",
        formula)


def seed_third_segment(k: int = 0) -> Obligation:
    def formula():
        system = normal_system()
        walked = follow(system, HANDSHAKE[:2])
        _, w = walked[-1]
        b = w.b
        if len(walked) != 3 or b.irs is None:
            return z3.BoolVal(False)
        seg = Segment(seq=b.irs + (1 - k), ack=b.iss + 1, syn=True)
        name, after, _, lits = receive(system, w, "B", seg)
        return z3.And(z3.BoolVal(name == "RcvSynInSynReceived" and after.state == LISTEN),
                      *(literal(lit) for lit in lits))
    return Obligation(
        "seed-third-segment-not-an-ack",
        "for every ISN pair, <SEQ=x+1><ACK=y+1><CTL=SYN,ACK> is acceptable to passive B in "
        "SYN-RECEIVED but, its SYN bit set, sends B back to LISTEN (RcvSynInSynReceived, "
        "RFC 9293 3.10.7.4 fourth check), never to ESTABLISHED",
        formula)


# ---------------------------------------------------------------- inductive invariants



def _inductive(name: str, component, text: str, spec_mutant: str | None = None,
               over=induction, scope: str = "for any ISN, segment and run length"):
    def build(k: int = 0) -> Obligation:
        args = (component, 0, spec_mutant if k else None) if spec_mutant else (component, k)
        return Obligation(name, f"{text}; inductive (k = 1) {scope}",
                          lambda: over.inductive(*args), timeout_ms=60_000,
                          explain=lambda: induction.describe(over.breaking_step(*args)),
                          shares=over.__name__)  # (its transition relation, built once a process)
    build.__name__ = name
    return build


INDUCTIVE = (
    _inductive("inductive-tcb-shape", induction.tcb_shape,
               "auxiliary: a TCB holds exactly its state's fields, and the peer's FIN is received "
               "exactly in CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT", spec_mutant="no-fin-wait-2"),
    _inductive("inductive-send-window", induction.send_window,
               "auxiliary: ISS < SND.NXT, ISS =< SND.UNA =< SND.NXT, within 2^31 of ISS"),
    _inductive("inductive-handshake-window", induction.handshake_window,
               "auxiliary: in SYN-SENT and SYN-RECEIVED, SND.UNA = ISS and SND.NXT = ISS + 1 "
               "(a retransmission there is the SYN)"),
    _inductive("inductive-ack-validity", induction.ack_validity,
               "ack-validity: SND.UNA =< SND.NXT, no ACK of unsent data is ever taken"),
    _inductive("inductive-fin-accounting", induction.fin_accounting,
               "fin-accounting: after the FIN, SND.NXT = FIN.SEQ + 1"),
    _inductive("inductive-synchronization", induction.synchronization,
               "synchronization (receiver side): in SYN-RECEIVED and the synchronized states "
               "IRS < RCV.NXT"),
    _inductive("inductive-time-wait-role", induction.time_wait_role,
               "time-wait-role: in TIME-WAIT the FIN was sent and the peer's FIN received",
               spec_mutant="no-fin-wait-2"),
)


_cross = partial(_inductive, over=crossinduction,
                 scope="over two endpoints, ISNs chosen again and again, and every segment in "
                       "flight, earlier incarnations' and old duplicates' included (abstractions: "
                       "an old duplicate is at least FAR = 2^16 from each ISS, a connection sends "
                       "fewer than FAR - 8 numbers)")


CROSS = (
    _cross("cross-fresh-alone", crossinduction.fresh_alone,
           "auxiliary: an endpoint that has not chosen an ISN has no SND, and its peer is not "
           "synchronized with it"),
    _cross("cross-sequence-in-flight", crossinduction.sequence_in_flight,
           "auxiliary: every segment in flight but a RST, from its sender's current incarnation, "
           "lies in [ISS, SND.NXT] of its sender, a SYN at ISS, with no data or FIN while the "
           "sender is in LISTEN, SYN-SENT or SYN-RECEIVED; one from an earlier incarnation has "
           "no data or FIN"),
    _cross("cross-ack-validity", crossinduction.ack_in_flight,
           "ack-validity across endpoints: every ACK in flight that acknowledges its receiver's "
           "current incarnation is =< the receiver's SND.NXT"),
    _cross("cross-synchronization", crossinduction.synchronization,
           "synchronization across endpoints: an endpoint synchronized with its peer's current "
           "incarnation has IRS = the peer's ISS and RCV.NXT =< the peer's SND.NXT"),
)


BUILDERS = (offset_order, offset_order_general, irreflexive, antisymmetric, not_transitive,
            transitive_in_window, half_apart, trichotomy, handshake_accepted, close_accepted,
            corners_accepted, fin_ack, fin_no_seq_ack, seed_third_segment) + INDUCTIVE + CROSS


def obligations() -> list[Obligation]:
    return [build() for build in BUILDERS]


def mutants() -> list[Obligation]:
    """The off-by-one mutant of every obligation meant to hold."""
    return [build(1) for build in BUILDERS if build().expect == Expect.HOLDS]
