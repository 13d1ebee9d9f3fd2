"""The environment of the two endpoints, written once as named actions: a TLA+ Next.

Each action has a name, an enabling condition and an effect over one parameter (an
endpoint, a segment in flight, a kind of injected segment), the Config budget
that allows it at all, and the parts of the world it reads for the endpoint its
parameter names (TcpSystem reuses its effects on every world that agrees on them). Next is the union of ENVIRONMENT, in the groups of NEXT. An
action that fires an endpoint's state graph lists the events it fires it on; the
step is then named by the edge taken. A fault's step is named by the action.

TcpSystem.successors (explicit search) runs this list; spec/proofs/bmc.py encodes it by
name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from ..tcp.machine import MSL2, RTO, SCRIPTED_EVENTS, SEGMENT, USER_CALLS
from ..tcp.segment import Segment
from ..tcp.seq import SeqVal
from ..tcp.states import SYNCHRONIZED
from ..tcp.symbolic import FORGED_PREFIX, OLD_PREFIX

if TYPE_CHECKING:
    from .config import Config
    from .system import TcpSystem, World

PEER = {"A": "B", "B": "A"}
STALE_KINDS = ("SYN", "ACK", "FIN", "RST", "DATA")
FORGED_KINDS = ("RST", "SYN")  # RFC 5961 3 and 4


@dataclass(frozen=True)
class Action:
    """One environment action. ``over(system, w, x)`` yields its parameter values that name
    endpoint x, for x in ``order``; ``enabled`` and ``effect`` take (system, w, p); the effect
    is the list of (step, successor).

    ``reads``: what of the world the action reads, for the endpoint x of its parameter: "me"
    (x's TCB), "me: acked" (of x's TCB only its ISS, FIN.SEQ and whether it received a FIN: what
    names an ACK lost on its way to x), "peer" (the other's TCB), "to me" (the channel to x),
    "calls" (the calls made so far), "budget" (the faults left), "faults left" (of each kind of
    fault whether none, some or unbounded are left: the signs of the budget's counts), "quiet"
    (whether both channels are empty), "pc" (the path condition). The channel from x is only
    sent into (TcpSystem.fire).
    ``reads_late``: what it reads besides where segments may arrive late (Config.delivers_late)."""

    name: str
    meaning: str
    over: Callable[["TcpSystem", "World"], Iterable]
    enabled: Callable[["TcpSystem", "World", object], bool]
    effect: Callable[["TcpSystem", "World", object], list]
    events: tuple[str, ...] = ()  # the events it fires an endpoint's state graph on
    budget: str = ""  # the Config field that allows it (0: never); "" for always
    reads: tuple[str, ...] = ()
    reads_late: tuple[str, ...] = ()
    order: str = "AB"  # the endpoints its parameters name, in the order of successors

    def configured(self, config: "Config") -> bool:
        return not self.budget or bool(getattr(config, self.budget))

    def reading(self, config: "Config") -> tuple[str, ...]:
        return self.reads + self.reads_late if config.delivers_late else self.reads


def spend(budget: tuple, i: int) -> tuple:
    """The budget after one fault of kind i (a negative count is unbounded)."""
    return budget[:i] + (budget[i] - (budget[i] > 0),) + budget[i + 1:]


LOSS, DUP, STALE, FORGE_BUDGET = range(4)  # the positions in World.budget


# --- parameter domains, each over one endpoint x
def endpoints(system, w, x):
    return (x,)


def arrivals(system, w, x):
    """(receiver, position, segment): the head of a FIFO channel, each distinct segment of a
    reordering one (a multiset)."""
    ch = w.channel_to(x)
    if system.config.reorder:
        return [(x, k, s) for k, s in enumerate(ch) if s not in ch[:k]]
    return [(x, 0, ch[0])] if ch else []


def in_flight(system, w, to):
    """(receiver, position, segment) for each distinct segment in flight."""
    ch = w.channel_to(to)
    return [(to, k, s) for k, s in enumerate(ch) if s not in ch[:k]]


def injections(kinds):
    def over(system, w, to):
        return ((to, kind) for kind in kinds)
    over.__name__ = f"injections{kinds}"
    return over


# --- the segments that come from outside the connection
def old_duplicate(kind: str, n: int) -> Segment:
    """A segment of an earlier incarnation: its numbers are arbitrary 32-bit values (RFC 9293 3.5)."""
    seq, ack = SeqVal(f"{OLD_PREFIX}SEQ{n}", 0), SeqVal(f"{OLD_PREFIX}ACK{n}", 0)
    return {
        "SYN": Segment(seq=seq, syn=True, old=True),
        "ACK": Segment(seq=seq, ack=ack, old=True),
        "FIN": Segment(seq=seq, ack=ack, fin=True, old=True),
        "RST": Segment(seq=seq, rst=True, old=True),
        "DATA": Segment(seq=seq, ack=ack, data=1, old=True),
    }[kind]


def forged(kind: str, n: int) -> Segment:
    """A blind attacker's RST or SYN: the 4-tuple is right, the SEQ an arbitrary 32-bit value."""
    seq = SeqVal(f"{FORGED_PREFIX}SEQ{n}", 0)
    return Segment(seq=seq, rst=kind == "RST", syn=kind == "SYN", forged=True)


# --- application calls
def next_call(system, w, x):
    """x's application's next call, if its script has one left."""
    script, made = system.scripts[x], w.calls[x == "B"]
    return script[made] if made < len(script) else None


def call_enabled(system, w, x) -> bool:
    call = next_call(system, w, x)
    return call is not None and call.enabled(w.tcb(x)) and w.calls[x == "A"] >= call.after_peer


def make_call(system, w, x):
    return system.fire(w, x, next_call(system, w, x).event, call=True)


# --- segments arriving from the connection
def deliver(system, w, p):
    x, k, _ = p
    return system.fire(w, x, SEGMENT, taken=k)


# --- timers, on a quiet network (the timeouts are longer than a round trip), or, under
# early_rto, whenever they run
def rto_enabled(system, w, x) -> bool:
    """RFC 6298 5.5 doubles the RTO at each retry: when both timers run, the one with fewer
    retries so far (less backoff) fires first. Under early_rto either may fire, at any time."""
    if system.config.early_rto:
        return bool(system.timeouts(w)[x])
    if not w.quiet():
        return False
    fired = system.timeouts(w)
    pending = [y for y in ("A", "B") if fired[y]]
    return x in pending and w.tcb(x).retries == min(w.tcb(y).retries for y in pending)


def msl2_enabled(system, w, x) -> bool:
    """RFC 9293 3.10.8: 2MSL once no segment of the connection can be in flight, i.e. the
    network is quiet and the peer will not retransmit (the abstraction of MSL)."""
    return (w.quiet() and system.machine.handles(w.tcb(x).state, MSL2)
            and not system.timeouts(w)[PEER[x]])


# --- faults of the network
def lose(system, w, p):
    to, k, seg = p
    system.note_loss(w, to, seg)
    return [(system.net_step(LOSE, LOSE, seg, to), system.net(w, to, LOSS, taken=k))]


def room(system, w, to) -> bool:
    return len(w.channel_to(to)) < system.config.capacity


def duplicate(system, w, p):
    to, _, seg = p
    return [(system.net_step(DUPLICATE, DUPLICATE, seg, to), system.net(w, to, DUP, added=seg))]


def injection(name: str, make, i: int, total: str):
    """The effect of a segment from outside the connection arriving: the n-th of its kind."""
    def effect(system, w, p):
        to, kind = p
        seg = make(kind, getattr(system.config, total) - w.budget[i] + 1)
        return [(system.net_step(name, f"{name}({kind})", seg, to), system.net(w, to, i, added=seg))]
    return effect


# whether a segment arrives late is judged against its sender's TCB too (spec/world/late.py): a
# RST that answers it is marked so (TcpSystem._answer)
LATE_READS = ("peer",)

APP_CALL, DELIVER, DELIVER_OUT_OF_ORDER = "AppCall", "Deliver", "DeliverOutOfOrder"
RETRANSMIT_TIMEOUT, MSL2_TIMEOUT = "RetransmitTimeout", "Msl2Timeout"
LOSE, DUPLICATE, OLD, FORGE = "Lose", "Duplicate", "OldDuplicateArrives", "ForgedArrives"

ENVIRONMENT = (
    Action(APP_CALL, "an application makes its script's next call (RFC 9293 3.10.1-3.10.5), or what "
           "else its script schedules: a keep-alive (3.8.4), a host crash (3.5.1)",
           endpoints, call_enabled, make_call, events=USER_CALLS + SCRIPTED_EVENTS, reads=("me", "calls", "pc")),
    Action(DELIVER, "the segment at the head of a channel arrives (RFC 9293 3.10.7)",
           arrivals, lambda s, w, p: p[1] == 0, deliver, events=(SEGMENT,), reads=("me", "to me", "pc"),
           reads_late=LATE_READS),
    Action(DELIVER_OUT_OF_ORDER, "a segment overtakes those sent before it and arrives",
           arrivals, lambda s, w, p: p[1] > 0, deliver, events=(SEGMENT,), budget="reorder",
           reads=("me", "to me", "pc"), reads_late=LATE_READS),
    Action(RETRANSMIT_TIMEOUT, "a retransmission timer expires (RFC 9293 3.8.1, RFC 6298)",
           endpoints, rto_enabled, lambda s, w, x: s.timeouts(w)[x], events=(RTO,),
           reads=("me", "peer", "quiet", "pc")),
    Action(MSL2_TIMEOUT, "the TIME-WAIT timer expires (RFC 9293 3.10.8)",
           endpoints, msl2_enabled, lambda s, w, x: s.fire(w, x, MSL2),
           events=(MSL2,), reads=("me", "peer", "quiet", "pc")),
    Action(LOSE, "the network loses a segment in flight",
           in_flight, lambda s, w, p: w.budget[LOSS] != 0, lose, budget="loss",
           reads=("me: acked", "to me", "faults left"), order="BA"),
    Action(DUPLICATE, "the network duplicates a segment in flight",
           in_flight, lambda s, w, p: w.budget[DUP] > 0 and room(s, w, p[0]), duplicate, budget="dup",
           reads=("to me", "faults left"), order="BA"),
    Action(OLD, "a segment of an earlier incarnation arrives (RFC 9293 3.5)",
           injections(STALE_KINDS), lambda s, w, p: w.budget[STALE] > 0 and room(s, w, p[0]),
           injection(OLD, old_duplicate, STALE, "stale"), budget="stale",
           reads=("to me", "budget"), order="BA"),
    # RFC 5961 1: the attack is on a synchronized connection, its 4-tuple known
    Action(FORGE, "a blind attacker's RST or SYN arrives (RFC 5961)",
           injections(FORGED_KINDS),
           lambda s, w, p: w.budget[FORGE_BUDGET] > 0 and room(s, w, p[0])
           and w.tcb(p[0]).state in SYNCHRONIZED,
           injection(FORGE, forged, FORGE_BUDGET, "forge"), budget="forge",
           reads=("me", "to me", "budget"), order="BA"),
)
# Next: \/ over each group, \E p in the group's domain: A1(p) \/ A2(p) ...; the order of the
# groups, of their parameter values and of the actions in a group is the order of successors.
NEXT = ((APP_CALL,), (DELIVER, DELIVER_OUT_OF_ORDER), (RETRANSMIT_TIMEOUT,), (MSL2_TIMEOUT,),
        (LOSE, DUPLICATE), (OLD,), (FORGE,))
NAMES = tuple(a.name for a in ENVIRONMENT)
BY_NAME = {a.name: a for a in ENVIRONMENT}


def plan(config: "Config") -> tuple:
    """Next for one configuration: (endpoint, domain, actions, what they read) per group and
    endpoint, in the order of successors; the actions the configuration allows only."""
    out = []
    for group in NEXT:
        actions = tuple(BY_NAME[n] for n in group if BY_NAME[n].configured(config))
        if actions:
            reads = tuple(sorted({r for a in actions for r in a.reading(config)}))
            out += [(x, actions[0].over, actions, reads) for x in actions[0].order]
    return tuple(out)
