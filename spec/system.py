"""Two endpoints, two channels, timers and applications: the model the checker explores.

A ``World`` is the global state. Its successors are the union of named
actions: an application call, a segment delivered (the receiving edge of the
state graph names the step), a timer, or a fault of the network (a segment
lost, duplicated, or an old duplicate from an earlier incarnation arriving).
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from .config import Config, Scenario
from .machine import MSL2, RTO, SEGMENT, Machine
from .rules import Params
from .segment import Segment
from .seq import SeqVal
from .states import CLOSED, TIME_WAIT
from .symbolic import OLD_PREFIX, Decider, branches
from .tcb import Tcb

PEER = {"A": "B", "B": "A"}
LOSE, DUPLICATE, OLD = "Lose", "Duplicate", "OldDuplicateArrives"
STALE_KINDS = ("SYN", "ACK", "FIN", "RST", "DATA")


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
    budget: tuple[int, int, int]  # losses, duplicates, old duplicates left (-1: unbounded)
    pc: frozenset  # path condition on the symbolic sequence numbers

    def tcb(self, x: str) -> Tcb:
        return self.a if x == "A" else self.b

    def channel_to(self, x: str) -> tuple:
        return self.ab if x == "B" else self.ba

    def quiet(self) -> bool:
        return not self.ab and not self.ba


class TcpSystem:
    """The checker's Model for one scenario, configuration and state graph."""

    def __init__(self, machine: Machine, scenario: Scenario, config: Config,
                 decider: Decider | None = None, isns: dict[str, tuple[int, ...]] | None = None):
        self.machine, self.scenario, self.config = machine, scenario, config
        self.decider = decider or Decider()
        self.params = Params(retries=config.retries, fin_len=machine.fin_len,
                             isns=tuple(sorted((isns or {}).items())))
        self.scripts = {"A": scenario.a, "B": scenario.b}
        self.lost = Counter()
        self._limits: set[str] = set()

    # --- the Model protocol
    def init_states(self) -> list[World]:
        c = self.config
        w = World(Tcb(rcv_wnd=c.window), Tcb(rcv_wnd=c.window), (), (), (0, 0),
                  (c.loss, c.dup, c.stale), frozenset())
        for x in ("A", "B"):
            for call in self.scripts[x]:
                if not call.initial:
                    break
                ((_, w),) = self._user_call(w, x, call)
        return [w]

    def successors(self, w: World) -> list[tuple[Step, World]]:
        out: list[tuple[Step, World]] = []
        for x in ("A", "B"):
            script, made = self.scripts[x], w.calls[x == "B"]
            if made < len(script):
                call = script[made]
                peer_made = w.calls[x == "A"]
                if call.enabled(w.tcb(x)) and peer_made >= call.after_peer:
                    out += self._user_call(w, x, call)
        for x in ("A", "B"):
            for k, seg in self._deliverable(w.channel_to(x)):
                out += self._deliver(w, x, k, seg)
        if w.quiet():
            out += self._timeouts(w)
            for x in ("A", "B"):
                if w.tcb(x).state == TIME_WAIT and not self._can_retransmit(w, PEER[x]):
                    out += self._fire(w, x, MSL2, None, w)
        out += self._faults(w)
        return out

    def limits_hit(self) -> list[str]:
        out = sorted(self._limits)
        if self.decider.unknown:
            out.append(f"Z3 returned unknown {self.decider.unknown} time(s)")
        return out

    # --- steps
    def _user_call(self, w: World, x: str, call) -> list[tuple[Step, World]]:
        i = x == "B"
        calls = (w.calls[0] + (not i), w.calls[1] + i)
        return self._fire(w, x, call.event, None, w._replace(calls=calls))

    def _deliver(self, w: World, x: str, k: int, seg: Segment):
        ch = w.channel_to(x)
        rest = ch[:k] + ch[k + 1:]
        base = w._replace(ab=rest) if x == "B" else w._replace(ba=rest)
        return self._fire(w, x, SEGMENT, seg, base)

    def _fire(self, w: World, x: str, event: str, seg, base: World):
        """Fire x's state graph on event; one successor per feasible branch of the path condition."""
        tcb = w.tcb(x)
        if not self.machine.handles(tcb.state, event):
            return []
        out = []
        fire = lambda ctx: self.machine.fire(x, tcb, event, seg, ctx, self.params)  # noqa: E731
        for result, pc in branches(self.decider, w.pc, fire):
            if result is None:
                continue
            name, new, sent = result
            nxt = self._sent(base._replace(pc=pc, **{x.lower(): new}), x, sent)
            if nxt is not None:
                out.append((Step(x, event, name, seg), nxt))
        return out

    def _timeouts(self, w: World):
        """Retransmission timers fire on a quiet network (RTO > RTT); when both run, the one
        with less backoff, fewer retries so far, fires first (RFC 6298 5.5 doubles the RTO)."""
        fired = {x: self._fire(w, x, RTO, None, w) for x in ("A", "B")}
        pending = [x for x in ("A", "B") if fired[x]]
        if not pending:
            return []
        least = min(w.tcb(x).retries for x in pending)
        return [step for x in pending if w.tcb(x).retries == least for step in fired[x]]

    def _sent(self, w: World, x: str, segs) -> World | None:
        if not segs:
            return w
        ch = w.channel_to(PEER[x]) + tuple(segs)
        if len(ch) > self.config.capacity:
            self._limits.add(f"channel capacity {self.config.capacity} exceeded")
            return None
        return self._with_channel(w, PEER[x], ch)

    def _with_channel(self, w: World, to: str, ch: tuple) -> World:
        if self.config.reorder:
            ch = tuple(sorted(ch, key=repr))
        return w._replace(ab=ch) if to == "B" else w._replace(ba=ch)

    def _deliverable(self, ch: tuple):
        """FIFO: the head only; with reordering, each distinct segment."""
        if not ch:
            return []
        if not self.config.reorder:
            return [(0, ch[0])]
        return [(k, s) for k, s in enumerate(ch) if s not in ch[:k]]

    def _can_retransmit(self, w: World, x: str) -> bool:
        return bool(self._fire(w, x, RTO, None, w))

    def _faults(self, w: World):
        loss, dup, stale = w.budget
        out = []
        for to in ("B", "A"):
            ch = w.channel_to(to)
            for k, seg in enumerate(ch):
                if seg in ch[:k]:
                    continue
                if loss != 0:
                    self.lost[self.loss_kind(w, to, seg)] += 1
                    nxt = self._with_channel(w, to, ch[:k] + ch[k + 1:])
                    out.append((Step("net", LOSE, LOSE, seg, to),
                                nxt._replace(budget=(loss - (loss > 0), dup, stale))))
                if dup > 0 and len(ch) < self.config.capacity:
                    nxt = self._with_channel(w, to, ch + (seg,))
                    out.append((Step("net", DUPLICATE, DUPLICATE, seg, to),
                                nxt._replace(budget=(loss, dup - 1, stale))))
        if stale > 0:
            n = self.config.stale - stale + 1
            for to in ("B", "A"):
                ch = w.channel_to(to)
                if len(ch) >= self.config.capacity:
                    continue
                for kind in STALE_KINDS:
                    seg = old_duplicate(kind, n)
                    nxt = self._with_channel(w, to, ch + (seg,))
                    out.append((Step("net", OLD, f"{OLD}({kind})", seg, to),
                                nxt._replace(budget=(loss, dup, stale - 1))))
        return out

    @staticmethod
    def loss_kind(w: World, to: str, seg: Segment) -> str:
        """What was lost, named as the textbooks do: SYN, SYN-ACK, third ACK, FIN, final ACK..."""
        kind = seg.kind
        if kind != "ACK" or seg.old:
            return ("old " if seg.old else "") + kind
        receiver = w.tcb(to)
        if receiver.iss is not None and seg.ack == receiver.iss + 1:
            return "third ACK"
        if receiver.fin_seq is not None and seg.ack == receiver.fin_seq + 1:
            return "final ACK" if receiver.fin_rcvd else "ACK of FIN"
        return "ACK"


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


def both_closed(w: World) -> bool:
    return w.a.state == CLOSED and w.b.state == CLOSED
