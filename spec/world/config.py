"""Scenarios (which calls each application makes) and fault configurations."""

from __future__ import annotations

from dataclasses import dataclass

from ..tcp.machine import (ABORT, CLOSE, CLOSE_UNREAD, CRASH, FIN_WAIT_2_TIMEOUT, KEEPALIVE,
                           OPEN_ACTIVE, OPEN_PASSIVE, SEND)
from ..tcp.states import (CLOSE_WAIT, CLOSED, CLOSING, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, LAST_ACK,
                          LISTEN, SYN_RECEIVED, SYN_SENT, TIME_WAIT)


@dataclass(frozen=True)
class Call:
    """An application call, made once the endpoint is in one of ``states`` and the
    peer's application has made ``after_peer`` calls; ``initial`` calls are made
    before the run starts."""

    event: str
    states: tuple[str, ...]
    after_peer: int = 0
    initial: bool = False
    closes_listener: bool = False  # also made in LISTEN once a connection attempt came and went

    def enabled(self, tcb) -> bool:
        if tcb.state in self.states:
            return True
        return self.closes_listener and tcb.state == LISTEN and tcb.incarnations > 0


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    a: tuple[Call, ...]
    b: tuple[Call, ...]

    @property
    def aborts(self) -> bool:
        """An application ends the connection with a reset: ABORT, or CLOSE with data unread."""
        return any(c.event in (ABORT, CLOSE_UNREAD) for c in self.a + self.b)

    @property
    def crashes(self) -> bool:
        """A host crashes and forgets the connection: its peer is left half-open (3.5.1)."""
        return any(c.event == CRASH for c in self.a + self.b)

    @property
    def closes_unsynchronized(self) -> bool:
        """An application may CLOSE in LISTEN or SYN-SENT, which deletes the TCB (RFC 9293 3.10.4)."""
        return any(c.event == CLOSE and {LISTEN, SYN_SENT} & set(c.states) for c in self.a + self.b)

    @property
    def closes_in_syn_received(self) -> bool:
        return any(c.event == CLOSE and SYN_RECEIVED in c.states for c in self.a + self.b)

    @property
    def reopens(self) -> bool:
        """An application opens again after its first connection, on the same four-tuple."""
        return any(c.event in (OPEN_ACTIVE, OPEN_PASSIVE) for calls in (self.a, self.b) for c in calls[1:])

    @property
    def refused(self) -> bool:
        """B never opens: the connection is meant to be refused."""
        return not self.b


LISTENS = Call(OPEN_PASSIVE, (CLOSED,), initial=True)


def closes(*states: str) -> Call:
    """CLOSE in one of states, or in LISTEN when a connection attempt has failed."""
    return Call(CLOSE, states, closes_listener=True)


CONNECTS = Call(OPEN_ACTIVE, (CLOSED,), after_peer=1)
BOTH_OPEN_STATES = (ESTABLISHED, CLOSE_WAIT)

SCENARIOS = {s.name: s for s in (
    Scenario("normal", "A connects to listening B; A closes first, B closes once A's FIN is in",
             (CONNECTS, Call(CLOSE, (ESTABLISHED,))),
             (LISTENS, closes(CLOSE_WAIT))),
    Scenario("server-closes-first", "A connects to listening B; B closes first",
             (CONNECTS, Call(CLOSE, (CLOSE_WAIT,))),
             (LISTENS, closes(ESTABLISHED))),
    Scenario("simultaneous-open", "both send a SYN before either arrives (RFC 9293 Figure 7)",
             (Call(OPEN_ACTIVE, (CLOSED,), initial=True), Call(CLOSE, (ESTABLISHED,))),
             (Call(OPEN_ACTIVE, (CLOSED,), initial=True), Call(CLOSE, (CLOSE_WAIT,)))),
    Scenario("simultaneous-close", "both close once established, in any order (RFC 9293 Figure 13)",
             (CONNECTS, Call(CLOSE, BOTH_OPEN_STATES)),
             (LISTENS, closes(*BOTH_OPEN_STATES))),
    Scenario("half-close", "A closes first; B sends data after A's FIN, then closes",
             (CONNECTS, Call(CLOSE, (ESTABLISHED,))),
             (LISTENS, Call(SEND, (CLOSE_WAIT,), closes_listener=True), Call(CLOSE, (CLOSE_WAIT,)))),
    Scenario("abort", "A aborts (RST); B closes, and aborts if left in FIN-WAIT-2 (no RFC timer ends it)",
             (CONNECTS, Call(ABORT, BOTH_OPEN_STATES)),
             (LISTENS, closes(*BOTH_OPEN_STATES), Call(ABORT, (FIN_WAIT_2,)))),
    Scenario("data-then-close", "A sends data and closes; B closes once A's FIN is in",
             (CONNECTS, Call(SEND, (ESTABLISHED,)), Call(CLOSE, (ESTABLISHED,))),
             (LISTENS, closes(CLOSE_WAIT))),
    Scenario("close-during-handshake", "A closes in SYN-SENT or later, B in SYN-RECEIVED or later "
             "(RFC 9293 3.10.4)",
             (CONNECTS, Call(CLOSE, (SYN_SENT, *BOTH_OPEN_STATES))),
             (LISTENS, Call(CLOSE, (LISTEN, SYN_RECEIVED, *BOTH_OPEN_STATES)))),
    Scenario("give-up-during-handshake", "either application aborts before the connection is "
             "established, or once it is (RFC 9293 3.10.5)",
             (CONNECTS, Call(ABORT, (SYN_SENT, *BOTH_OPEN_STATES))),
             (LISTENS, Call(ABORT, (LISTEN, SYN_RECEIVED, *BOTH_OPEN_STATES)))),
    Scenario("give-up-while-closing", "both close; then A may abort in any state of its close, "
             "B in FIN-WAIT-2 or LAST-ACK (RFC 9293 3.10.5)",
             (CONNECTS, Call(CLOSE, BOTH_OPEN_STATES), Call(ABORT, (FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT))),
             (LISTENS, closes(*BOTH_OPEN_STATES), Call(ABORT, (FIN_WAIT_2, LAST_ACK)))),
    Scenario("close-unread", "A sends data and closes; B closes without reading: a reset if "
             "the data is in (RFC 9293 3.6.1), else a FIN; A aborts if a lost reset leaves it "
             "in FIN-WAIT-2",
             (CONNECTS, Call(SEND, BOTH_OPEN_STATES), Call(CLOSE, BOTH_OPEN_STATES),
              Call(ABORT, (FIN_WAIT_2,))),
             (LISTENS, Call(CLOSE_UNREAD, BOTH_OPEN_STATES, closes_listener=True))),
    Scenario("keep-alive", "A's keep-alive timer fires once while idle, before it closes "
             "(RFC 9293 3.8.4); B answers the probe with an ACK; either may close first",
             (CONNECTS, Call(KEEPALIVE, BOTH_OPEN_STATES), Call(CLOSE, BOTH_OPEN_STATES)),
             (LISTENS, closes(*BOTH_OPEN_STATES))),
    Scenario("peer-crashes", "B's host crashes once established; A, sending afterwards, finds "
             "the half-open connection and is reset (RFC 9293 3.5.1, Figure 11)",
             (CONNECTS, Call(SEND, (ESTABLISHED,), after_peer=2)),
             (LISTENS, Call(CRASH, (ESTABLISHED,), closes_listener=True))),
    Scenario("connect-to-closed-port", "A connects to B, which never listens: B answers RST",
             (Call(OPEN_ACTIVE, (CLOSED,)),), ()),
)}


# Scenarios outside the default suite: each shows a known gap of RFC 9293 (reports/rfc-gaps.md),
# or what a lesson of `tcpverify explain` needs.
GAP_SCENARIOS = {s.name: s for s in (
    Scenario("close-before-established", "B closes while its SYN,ACK may be unacknowledged; "
             "a retransmission carries SYN and FIN together (RFC 9293 3.10.4, 3.10.7.3)",
             (CONNECTS, Call(CLOSE, (CLOSE_WAIT,))),
             (LISTENS, closes(SYN_RECEIVED, ESTABLISHED))),
    Scenario("peer-vanishes", "A closes; B, in CLOSE-WAIT, aborts, and its reset may be lost; "
             "A's FIN-WAIT-2 timer, if its graph has one, fires once it is due",
             (CONNECTS, Call(CLOSE, (ESTABLISHED,)), Call(FIN_WAIT_2_TIMEOUT, (FIN_WAIT_2,))),
             (LISTENS, Call(ABORT, (CLOSE_WAIT,)))),
    Scenario("peer-restarts", "B sends data; A's host crashes once B is established and A "
             "connects again on the same four-tuple: B should find the half-open connection "
             "and be reset (RFC 9293 3.5.1, Figure 10), unless A's new ISN falls among the "
             "old connection's numbers (3.4.1, 3.4.3)",
             (CONNECTS, Call(CRASH, (ESTABLISHED,), after_peer=2), Call(OPEN_ACTIVE, (CLOSED,)),
              Call(CLOSE, (ESTABLISHED,))),
             (LISTENS, Call(SEND, (ESTABLISHED,)), Call(OPEN_PASSIVE, (CLOSED,)),
              Call(CLOSE, (LISTEN, CLOSE_WAIT)))),
    Scenario("reconnect", "A connects to listening B and closes first; once B listens again, A "
             "connects again on the same four-tuple, and closes that connection first too",
             (CONNECTS, Call(CLOSE, (ESTABLISHED,)), Call(OPEN_ACTIVE, (CLOSED,), after_peer=3),
              Call(CLOSE, (ESTABLISHED,))),
             (LISTENS, closes(CLOSE_WAIT), Call(OPEN_PASSIVE, (CLOSED,)), Call(CLOSE, (CLOSE_WAIT,)))),
)}
CHECKABLE = {**SCENARIOS, **GAP_SCENARIOS}  # what `tcpverify check` runs by name


EARLY_RTO = "early rto"  # the part of a configuration's name that says so


@dataclass(frozen=True)
class Config:
    """Fault budgets and bounds. loss=-1 means unbounded; retries=None, never give up."""

    loss: int = 0
    dup: int = 0
    stale: int = 0
    forge: int = 0  # segments a blind attacker injects (RFC 5961)
    reorder: bool = False
    capacity: int = 5
    retries: int | None = 2
    window: int = 4
    # A retransmission timer may expire while segments are in flight, before an ACK could
    # return (a spurious timeout: RFC 9293 3.8.1 bounds the RTO from measurements, not from
    # the round trip of each segment); otherwise it fires on a quiet network only.
    early_rto: bool = False

    @property
    def name(self) -> str:
        parts = [f"loss {'inf' if self.loss < 0 else self.loss}"]
        if self.dup:
            parts.append(f"dup {self.dup}")
        if self.stale:
            parts.append(f"stale {self.stale}")
        if self.forge:
            parts.append(f"forge {self.forge}")
        if self.reorder:
            parts.append("reorder")
        if self.retries != Config.retries:
            parts.append(f"retries {'inf' if self.retries is None else self.retries}")
        if self.capacity != Config.capacity:
            parts.append(f"capacity {self.capacity}")
        if self.window != Config.window:
            parts.append(f"window {self.window}")
        if self.early_rto:
            parts.append(EARLY_RTO)
        return ", ".join(parts)

    @classmethod
    def parse(cls, name: str) -> "Config":
        """The configuration that ``name`` names: the inverse of ``Config.name``."""
        fields: dict = {}
        for part in name.split(", "):
            key, _, value = part.partition(" ")
            if key == "reorder" and not value:
                fields["reorder"] = True
            elif part == EARLY_RTO:
                fields["early_rto"] = True
            elif key in ("loss", "retries") and value == "inf":
                fields[key] = -1 if key == "loss" else None
            elif key in ("loss", "dup", "stale", "forge", "retries", "capacity", "window") \
                    and value.isdigit():
                fields[key] = int(value)
            else:
                raise ValueError(f"'{part}' is not a part of a configuration name "
                                 f"(e.g. 'loss 1, dup 1, reorder, retries 3')")
        config = cls(**fields)
        if config.name != name:
            raise ValueError(f"'{name}' is not written as tcpverify writes it: '{config.name}'")
        return config

    @property
    def budget(self) -> tuple[int, int, int, int]:
        """The faults a run may spend, in World.budget's order (environment.LOSS, DUP, STALE,
        FORGE_BUDGET; -1: unbounded)."""
        return (self.loss, self.dup, self.stale, self.forge)

    @property
    def delivers_late(self) -> bool:
        """A segment may arrive after the exchange it belongs to is over: a copy the network
        made, one overtaken by its sender's later segments, an old duplicate (RFC 9293 3.5.2)."""
        return bool(self.dup or self.reorder or self.stale)

    @property
    def gives_up(self) -> bool:
        """More segments may be lost than an endpoint retransmits: it may give up (RFC 9293 3.8.3)."""
        return self.retries is not None and (self.loss < 0 or self.loss > self.retries)

    def assumptions(self) -> str:
        loss = "unbounded" if self.loss < 0 else f"at most {self.loss}"
        retries = "unbounded" if self.retries is None else str(self.retries)
        order = "reordering" if self.reorder else "FIFO"
        return (f"{loss} lost, at most {self.dup} duplicated, at most {self.stale} old duplicate(s); "
                f"{f'at most {self.forge} forged RST or SYN; ' if self.forge else ''}"
                f"{order} channels of capacity {self.capacity}; retries {retries}; RCV.WND {self.window}"
                + ("; a retransmission timer may expire while segments are in flight" if self.early_rto else ""))


DEFAULT_CONFIGS = (
    Config(),
    Config(loss=1),
    Config(loss=2, retries=3),
    Config(loss=1, dup=1, reorder=True),
    Config(stale=1),
    Config(loss=2, retries=1),  # RTO gives up (RFC 9293 3.8.3)
    Config(forge=1),  # a blind attacker's in-window RST or SYN draws a challenge ACK (RFC 5961)
    # timers without the comfort of a quiet network; one retry and room for the copies
    # (with two, retransmissions and their answers outgrow any small channel)
    Config(retries=1, capacity=8, early_rto=True),
    Config(loss=-1, retries=None),  # fair loss: liveness rests on fairness, not on budgets
)
# The default configurations whose network only loses: no duplicated, reordered, old or forged
# segments, and timers that wait for a quiet network. The seed post speaks of no others, so its
# variants are checked under these.
LOSSY_CONFIGS = tuple(c for c in DEFAULT_CONFIGS
                      if not (c.dup or c.stale or c.reorder or c.forge or c.early_rto))
