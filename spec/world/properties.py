"""The default property suite (DESIGN.md, "Properties"), over ``World`` states: one registry.

Each property is one ``Registered`` record in ``REGISTRY``: its name, its one-line
meaning, the explicit check and its witness, when it is n/a, and the names of its
Z3 forms (spec/proofs: the BMC bad-state predicate, the inductive obligations).
Every other list of properties is read from the registry.

Comparisons across ISN bases are decided under the state's path condition:
a check that is not implied by it counts as violated.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from tcpverify.checker.properties import EndState, Eventually, Invariant, Property

from ..tcp.machine import MSL2, RTO, SEGMENT
from ..tcp.seq import distance
from ..tcp.states import CLOSED, SYN_RECEIVED, SYN_SENT, SYNCHRONIZED, TIME_WAIT
from ..tcp.symbolic import Decider
from ..tcp.tcb import ABORTED, CONNECTION_REFUSED, CONNECTION_RESET, USER_TIMEOUT
from .config import Config, Scenario
from .system import PEER, Step, World, both_closed

ENDED = (CLOSED, TIME_WAIT)
SIGNALLED = (CONNECTION_RESET, CONNECTION_REFUSED, USER_TIMEOUT)


# What the invariants read of a World (Invariant.reads): a search computes each once per value.
TCBS = ("a", "b", "pc")
TCBS_BUDGET_AND_PC = ("a", "b", "budget", "pc")


def _endpoints(w: World):
    return (("A", w.a, w.b), ("B", w.b, w.a))


# ---------------------------------------------------------------- the explicit checks
# Each takes the Decider and the fields its record gives every property (name, description,
# witness), and returns the property the explicit checker checks.

def synchronization(d: Decider, **common) -> Invariant:
    def check(w: World):
        for x, t, peer in _endpoints(w):
            if t.state not in SYNCHRONIZED or (t.fin_seq is not None and d.valid(w.pc, "eq", t.snd_una, t.iss)):
                continue  # never synchronized: closed in SYN-RECEIVED (RFC 9293 3.10.4), SYN unacknowledged
            if t.state == TIME_WAIT and peer.state not in SYNCHRONIZED:
                continue  # 3.6: x only waits out its last ACK; the peer has left the connection, maybe listens again
            if peer.abandoned is not None and t.irs == peer.abandoned:
                continue  # 3.5.1: x is half-open; the peer gave up or was reset, and may open again
            if peer.iss is None:
                return f"{x} is {t.state} with IRS={t.irs}, but {PEER[x]} has chosen no ISS"
            if not d.valid(w.pc, "eq", t.irs, peer.iss):
                return f"{x} is {t.state} with IRS={t.irs}, but {PEER[x]}'s ISS is {peer.iss}"
            if not (d.valid(w.pc, "lt", peer.iss, t.rcv_nxt) and _le(d, w, t.rcv_nxt, peer.snd_nxt)):
                return (f"{x}'s RCV.NXT={t.rcv_nxt} lies outside {PEER[x]}'s sent range "
                        f"({peer.iss}, {peer.snd_nxt}]")
        return None

    return Invariant(check=check, reads=TCBS, **common)


def syn_acknowledged(d: Decider, **common) -> Invariant:
    def check(w: World):
        for x, t, _ in _endpoints(w):
            # 3.10.4: one that closed in SYN-RECEIVED sends its FIN before its SYN is acknowledged
            if t.state in SYNCHRONIZED and t.fin_seq is None and d.valid(w.pc, "eq", t.snd_una, t.iss):
                return f"{x} is {t.state} but its SYN at ISS={t.iss} is unacknowledged (SND.UNA=ISS)"
        return None

    return Invariant(check=check, reads=TCBS, **common)


def _le(d: Decider, w: World, x, y) -> bool:
    return d.valid(w.pc, "eq", x, y) or d.valid(w.pc, "lt", x, y)


def _beyond_sent(v, peer) -> bool:
    """v lies in peer's current sequence space, past everything peer has sent."""
    return (v is not None and peer.iss is not None and v.base == peer.iss.base
            and distance(peer.snd_nxt, v) > 0)


def _sent_by(w: World, x: str):
    """(receiver, segment) for every segment of this incarnation in flight from x (not an old
    duplicate, not forged)."""
    return ((PEER[x], seg) for seg in w.channel_to(PEER[x]) if not (seg.old or seg.forged))


# An invariant over the TCBs and both channels is checked as parts: the TCBs, then each
# endpoint's channel with the TCBs it speaks of (Invariant.conjunction), memoized apart.
def _per_sender(check_sent, reads_a: tuple, reads_b: tuple) -> tuple:
    """The parts checking what A sent, then what B sent: check_sent(w, x)."""
    return ((reads_a, lambda w: check_sent(w, "A")), (reads_b, lambda w: check_sent(w, "B")))


def ack_validity(d: Decider, **common) -> Invariant:
    def tcbs(w: World):
        for x, t, peer in _endpoints(w):
            if _beyond_sent(t.rcv_nxt, peer):
                return f"{x}'s RCV.NXT={t.rcv_nxt} is beyond {PEER[x]}'s SND.NXT={peer.snd_nxt}"
        return None

    def sent(w: World, x: str):
        for y, seg in _sent_by(w, x):
            if _beyond_sent(seg.ack, w.tcb(y)):
                return f"{x} sent {seg}, acknowledging beyond {y}'s SND.NXT={w.tcb(y).snd_nxt}"
        return None

    return Invariant.conjunction(((("a", "b"), tcbs),) + _per_sender(sent, ("b", "ab"), ("a", "ba")), **common)


def fin_accounting(d: Decider, **common) -> Invariant:
    # Values of two incarnations may be equal under the path condition: decided, never by name.
    def differ(w: World, x, y) -> bool:
        return not d.valid(w.pc, "eq", x, y)

    def tcbs(w: World):
        for x, t, peer in _endpoints(w):
            if t.fin_seq is not None and differ(w, t.snd_nxt, t.fin_seq + 1):
                return f"{x} sent its FIN at {t.fin_seq} but SND.NXT={t.snd_nxt}, not FIN.SEQ+1"
            if peer.fin_rcvd and t.fin_seq is not None and differ(w, peer.rcv_nxt, t.fin_seq + 1):
                return (f"{PEER[x]} took in {x}'s FIN at {t.fin_seq}, but its RCV.NXT={peer.rcv_nxt} "
                        f"(the ACK of a FIN is FIN.SEQ+1)")
        return None

    def sent(w: World, x: str):
        t = w.tcb(x)
        for _, seg in _sent_by(w, x):
            if seg.fin and t.fin_seq is not None and differ(w, seg.seq + (seg.syn + seg.data), t.fin_seq):
                return f"{x} sent {seg}, whose FIN is not at FIN.SEQ={t.fin_seq}"
        return None

    return Invariant.conjunction(((TCBS, tcbs),) + _per_sender(sent, ("a", "ab", "pc"), ("b", "ba", "pc")),
                                 **common)


def time_wait_role(d: Decider, **common) -> Invariant:
    def check(w: World):
        for x, t, _ in _endpoints(w):
            if t.state == TIME_WAIT and (t.fin_seq is None or not t.fin_rcvd):
                what = "sent no FIN" if t.fin_seq is None else "has not received its peer's FIN"
                return f"{x} is in TIME-WAIT but {what}"
        return None

    return Invariant(check=check, reads=TCBS, **common)


def graceful(d: Decider, **common) -> Invariant:
    def sent(w: World, x: str):
        for _, seg in _sent_by(w, x):
            if seg.rst and not seg.answers_late:  # a late segment calls for it (spec/world/late.py)
                return f"{x} sent {seg}"
        return None

    def tcbs(w: World):
        for x, t, _ in _endpoints(w):
            if t.error in SIGNALLED:
                return f"{x}'s application was told: {t.error}"
        return None

    return Invariant.conjunction(_per_sender(sent, ("ab",), ("ba",)) + ((("a", "b"), tcbs),), **common)


def blind_reset_resistance(d: Decider, **common) -> Invariant:
    def check(w: World):
        for x, t, _ in _endpoints(w):
            if t.reset_by is None or not t.reset_by[0].forged:
                continue
            seg, nxt = t.reset_by
            if not (seg.rst and d.valid(w.pc, "eq", seg.seq, nxt)):
                return f"{x}'s connection was ended by the forged {seg} while its RCV.NXT was {nxt}"
        return None

    return Invariant(check=check, reads=TCBS, **common)


def bounded_retransmission(d: Decider, config: Config, **common) -> Invariant:
    bound = config.retries

    def check(w: World):
        for x, t, _ in _endpoints(w):
            if t.resent > bound:
                return f"{x} sent its unacknowledged segments again {t.resent} times; the bound is {bound}"
            if t.error == USER_TIMEOUT and t.resent != bound:
                return f"{x} gave up after {t.resent} retransmission(s), not {bound}"
        return None

    return Invariant(check=check, reads=TCBS, **common)


def handshake_without_timer(d: Decider, config: Config, **common) -> Invariant:
    """A SYN sent again by the timer, read from the ghost resent while SND.UNA = ISS: every
    retransmission since SND.UNA last moved began at the SYN. The model fires the timer on a
    quiet network only, so on one that has lost, duplicated and injected nothing (the budget
    untouched) a firing means the handshake was waiting for a segment that no longer exists."""
    def check(w: World):
        if w.budget != config.budget:
            return None
        for x, t, _ in _endpoints(w):
            if t.resent and d.valid(w.pc, "eq", t.snd_una, t.iss):
                return f"{x}'s timer sent its SYN again on a network that has lost, duplicated and injected nothing"
        return None

    return Invariant(check=check, reads=TCBS_BUDGET_AND_PC, **common)


def old_duplicates_harmless(d: Decider, **common) -> Invariant:
    def check(w: World):
        for x, t, _ in _endpoints(w):
            if t.reset_by is not None and t.reset_by[0].old:  # the words say old: not its mark
                return f"{x}'s connection was ended by the old duplicate {t.reset_by[0]._replace(old=False)}"
        return None

    return Invariant(check=check, reads=TCBS, **common)


def flagged(ghost: str, says: str) -> Callable[..., Invariant]:
    """The invariant that no endpoint's TCB carries the ghost flag (spec/world/observers.py);
    ``says`` is the violation, with {x} the endpoint."""
    def explicit(d: Decider, **common) -> Invariant:
        def check(w: World):
            for x, t, _ in _endpoints(w):
                if getattr(t, ghost):
                    return says.format(x=x)
            return None

        return Invariant(check=check, reads=TCBS, **common)

    return explicit


def _old_to_synchronized(w: World) -> bool:
    return any(seg.old and w.tcb(to).state in SYNCHRONIZED
               for to, ch in (("B", w.ab), ("A", w.ba)) for seg in ch)


def _ended(w: World) -> bool:
    """Both in CLOSED or TIME-WAIT once an application has acted: both start CLOSED."""
    return w.a.state in ENDED and w.b.state in ENDED and w.calls != (0, 0)


def close_completion(d: Decider, **common) -> Eventually:
    return Eventually(
        goal=_ended, reads=("a", "b", "calls"),
        fairness=_fairness_class,
        fairness_text="strong fairness: a segment sent again and again is eventually delivered, "
                      "and a timer that can fire again and again eventually fires",
        **common)


def _fairness_class(step: Step):
    """Each segment, per receiver, is its own class; so is each endpoint's timer."""
    if step.event == SEGMENT:
        return (step.actor, step.segment)
    if step.event in (RTO, MSL2):
        return (step.actor, step.event)
    return None


def no_deadlock(d: Decider, **common) -> EndState:
    return EndState(check=lambda w: None if both_closed(w) else f"stuck with A {w.a.state}, B {w.b.state}",
                    **common)


def no_half_open(d: Decider, **common) -> EndState:
    def check(w: World):
        for x, t, peer in _endpoints(w):
            if t.state in SYNCHRONIZED and peer.state == CLOSED:
                return f"{x} is left {t.state} while {PEER[x]} is CLOSED"
        return None

    return EndState(check=check, **common)


# ---------------------------------------------------------------- when a property is n/a

def always(scenario: Scenario, config: Config) -> str:
    return ""


def not_under_forging(scenario: Scenario, config: Config) -> str:
    """A blind attacker who guesses RCV.NXT may end a connection."""
    if config.forge:
        return "a forged RST at RCV.NXT resets one endpoint and leaves the other open " \
               "(RFC 5961 3.2 makes that a 1 in 2^32 guess, not impossible)"
    return ""


def end_not_assured(scenario: Scenario, config: Config) -> str:
    """A forged RST at RCV.NXT, or an endpoint that gives up, may leave its peer open."""
    if config.forge:
        return not_under_forging(scenario, config)
    if config.gives_up:
        return "losses exceed the retries: an endpoint that gives up tells its peer nothing " \
               "(RFC 9293 3.10.8), and the peer stays open"
    return ""


def close_completion_excluded(scenario: Scenario, config: Config) -> str:
    if config.stale and scenario.closes_in_syn_received and not config.early_rto:
        # found by the extended suite; a timer that waits for a quiet network keeps it looping
        return "an old SYN met by a CLOSE in SYN-RECEIVED (RFC 9293 3.10.4 enters FIN-WAIT-1 " \
               "before the SYN is acknowledged) starts an ACK war that only a retransmission " \
               "timer firing while segments are in flight ends, and the model fires it only on " \
               "a quiet network"
    return end_not_assured(scenario, config)


def only_under_forging(scenario: Scenario, config: Config) -> str:
    return "" if config.forge else "no forged segments (--forge 0)"


def crash_excluded(scenario: Scenario, config: Config) -> str:
    """After a host crash its peer is synchronized with a connection that no longer exists."""
    if scenario.crashes:
        return "a host crashes: its peer stays synchronized with the lost connection until a " \
               "segment draws a reset (RFC 9293 3.5.1)"
    return ""


def without_retry_bound(scenario: Scenario, config: Config) -> str:
    if config.retries is None:
        return "retries unbounded (--retries inf): an endpoint never gives up"
    if not config.loss and not config.early_rto:
        return "no segment is lost and the timers wait for a quiet network: the bound is met " \
               "through losses"
    return ""


def timers_wait_for_counted_faults(scenario: Scenario, config: Config) -> str:
    """handshake-without-timer judges a timer that fires on a network whose faults are counted."""
    if config.early_rto:
        return "a retransmission timer may expire while segments are in flight: a SYN sent again " \
               "need not mean the handshake was stuck"
    if config.loss < 0 or config.retries is None:
        return "losses unbounded (--loss inf) are not counted, nor are retransmissions with retries " \
               "unbounded (--retries inf)"
    return ""


def without_abort(scenario: Scenario, config: Config) -> str:
    return "" if scenario.aborts else "no application aborts"


def only_with_old_duplicates(scenario: Scenario, config: Config) -> str:
    return "" if config.stale else "no old duplicates (--stale 0)"


def only_with_injected(scenario: Scenario, config: Config) -> str:
    return "" if config.stale or config.forge else "no old or forged segments (--stale 0, --forge 0)"


# tests/world/test_late.py computes it: graceful checked regardless under stale 1
OLD_SYN_REFUSES = ("an old SYN can make a connection attempt fail, which RFC 9293 ends with resets "
                   "and a refusal: at LISTEN it draws a SYN,ACK the peer resets (3.5 Figure 9), and "
                   "an application that then stops listening refuses the next SYN (3.10.7.1); in "
                   "SYN-SENT it leads to SYN-RECEIVED, where a RST for the ACK of the old SYN "
                   "reports 'connection refused' (3.10.7.3, 3.10.7.4)")


def graceful_excluded(scenario: Scenario, config: Config) -> str:
    """graceful holds only with fewer losses than retries, no abort, no old duplicates, no
    forging; where the network delivers late, a RST that answers a late segment is no departure."""
    if config.forge:
        return not_under_forging(scenario, config)
    if scenario.aborts:
        return "the scenario aborts"
    if scenario.crashes:
        return crash_excluded(scenario, config)
    if scenario.refused:
        return "the scenario connects to a closed port"
    if scenario.closes_unsynchronized:
        return "an application closes before the handshake ends: a SYN,ACK to a deleted TCB draws " \
               "a RST (RFC 9293 3.10.4, 3.10.7.1)"
    if config.stale:
        return OLD_SYN_REFUSES
    if config.loss < 0 or (config.retries is not None and config.loss >= config.retries):
        return "losses are not fewer than retries"
    return ""


def abandoned_unencoded(scenario: Scenario, config: Config) -> str:
    """BMC's bad state for synchronization has no ghost for a connection its peer abandoned:
    an endpoint that gives up or is reset and then opens again leaves its peer half-open."""
    if scenario.reopens and (config.gives_up or config.early_rto or config.stale or config.forge):
        return "an endpoint may give up or be reset and open again, leaving its peer half-open " \
               "(RFC 9293 3.5.1), which synchronization allows and the bad-state predicate " \
               "does not tell apart"
    return ""


def late_excused(scenario: Scenario, config: Config) -> str:
    """BMC's bad state for graceful is any RST in flight: it has no ghost for a RST that answers
    a late segment (spec/world/late.py), which graceful allows where the network delivers late."""
    if config.delivers_late:
        return "a RST may answer a late segment, which graceful allows and the bad-state predicate " \
               "does not tell apart"
    return ""


# ---------------------------------------------------------------- the registry

@dataclass(frozen=True)
class Registered:
    """One property, everything said about it once."""

    name: str
    meaning: str  # one line, the property's description wherever it is shown
    explicit: Callable[..., Property]  # (decider, **common) -> the property the explicit checker checks
    witness: Callable[[World], bool]  # the states it speaks of, which a run must reach (not vacuous)
    witness_text: str
    not_applicable: Callable[[Scenario, Config], str] = always  # why it is n/a in a run, or ""
    bmc: bool = False  # has a bad-state predicate in spec/proofs/bmc.py (BAD_STATES)
    inductive: tuple[str, ...] = ()  # the obligations of spec/proofs/obligations.py proving it inductive
    seen_by_users: bool = False  # its failure is what the applications see: an error, a hung end
    configured: bool = False  # its check reads the run's configuration (explicit(..., config=...))
    no_z3: str = ""  # why it has neither a bad-state predicate nor an inductive obligation
    bmc_excluded: Callable[[Scenario, Config], str] = always  # why BMC's predicate does not decide it

    def property(self, decider: Decider, config: Config = Config()) -> Property:
        extra = {"config": config} if self.configured else {}
        return self.explicit(decider, name=self.name, description=self.meaning, witness=self.witness,
                             witness_text=self.witness_text, **extra)


def unencoded(*ghosts: str) -> str:
    """Why a property read from these ghosts of the TCB has no Z3 form (its no_z3)."""
    return f"the symbolic relations do not carry the ghost{'s' * (len(ghosts) > 1)} " \
           f"{', '.join(ghosts)} of spec/world/observers.py"


REGISTRY = (
    Registered(
        "close-completion", "every fair run reaches a state with both endpoints in CLOSED or TIME-WAIT",
        close_completion, _ended,
        "both endpoints in CLOSED or TIME-WAIT after the applications acted",
        not_applicable=close_completion_excluded, bmc=True, seen_by_users=True),
    Registered(
        "synchronization",
        "a synchronized endpoint's IRS is its peer's ISS and ISS < RCV.NXT =< peer's SND.NXT "
        "(one that closed in SYN-RECEIVED counts once its SYN is acknowledged; one whose peer "
        "gave up or was reset is half-open, RFC 9293 3.5.1)",
        synchronization, lambda w: w.a.state in SYNCHRONIZED and w.b.state in SYNCHRONIZED,
        "both endpoints synchronized", not_applicable=crash_excluded,
        bmc=True, inductive=("inductive-synchronization", "cross-synchronization"),
        bmc_excluded=abandoned_unencoded),
    Registered(
        "syn-acknowledged",
        "a synchronized endpoint's own SYN is acknowledged, ISS < SND.UNA (RFC 9293 3.10.7.3, "
        "3.10.7.4: only an ACK with SND.UNA < SEG.ACK =< SND.NXT synchronizes); one that closed in "
        "SYN-RECEIVED is exempt",
        syn_acknowledged, lambda w: w.a.state in SYNCHRONIZED or w.b.state in SYNCHRONIZED,
        "an endpoint synchronized", no_z3="not yet stated in Z3: BMC's bad states and the inductive "
                                          "obligations predate it"),
    Registered(
        "ack-validity", "no endpoint acknowledges a sequence number its peer never sent",
        ack_validity, lambda w: any(seg.ack is not None for x in "AB" for _, seg in _sent_by(w, x)),
        "an acknowledgment in flight",
        bmc=True, inductive=("inductive-ack-validity", "cross-ack-validity")),
    Registered(
        "fin-accounting", "a FIN occupies exactly one sequence number; its ACK is FIN.SEQ+1",
        fin_accounting, lambda w: w.a.fin_seq is not None or w.b.fin_seq is not None, "a FIN sent",
        bmc=True, inductive=("inductive-fin-accounting",)),
    Registered(
        "time-wait-role",
        "only an endpoint that sent a FIN and received its peer's FIN enters TIME-WAIT",
        time_wait_role, lambda w: TIME_WAIT in (w.a.state, w.b.state), "an endpoint in TIME-WAIT",
        bmc=True, inductive=("inductive-time-wait-role",)),
    Registered(
        "graceful",
        "no RST is sent, but in answer to a late segment where the network duplicates or reorders "
        "(one neither end still needs: RFC 9293 3.10.7.1), and no application is told of a "
        "reset, a refusal or a timeout",
        graceful, both_closed, "both endpoints closed",
        not_applicable=graceful_excluded, bmc=True, seen_by_users=True, bmc_excluded=late_excused),
    Registered(
        "no-deadlock", "every state with no step left has both endpoints CLOSED (2MSL included)",
        no_deadlock, both_closed, "an end with both endpoints CLOSED",
        not_applicable=end_not_assured, bmc=True, seen_by_users=True),
    Registered(
        "no-half-open", "no end state has one endpoint synchronized and its peer CLOSED",
        no_half_open, both_closed, "an end with both endpoints CLOSED",
        not_applicable=end_not_assured, bmc=True, seen_by_users=True),
    Registered(
        "blind-reset-resistance",
        "a forged segment ends a synchronized connection only as a RST with SEQ = RCV.NXT "
        "exactly (RFC 5961 3.2, 4.2)",
        blind_reset_resistance, lambda w: w.a.reset_by is not None or w.b.reset_by is not None,
        "a connection ended by a forged RST at RCV.NXT",
        not_applicable=only_under_forging,
        no_z3="BMC does not encode --forge (spec/proofs/bmc.py NOT_ENCODED), and " + unencoded("reset_by")),
    Registered(
        "old-duplicates-harmless",
        "an old duplicate never ends a synchronized connection: its numbers lie outside the "
        "window (RFC 9293 3.5.2, 3.10.7.4)",
        old_duplicates_harmless, _old_to_synchronized, "an old duplicate in flight to a synchronized endpoint",
        not_applicable=only_with_old_duplicates,
        no_z3=unencoded("reset_by")),
    Registered(
        "no-rst-for-rst", "no endpoint answers a RST with a RST (RFC 9293 3.5.2, 3.10.7.1)",
        flagged("answered_rst", "{x} answered a RST with a RST"),
        lambda w: any(seg.rst for seg in w.ab + w.ba), "a RST in flight",
        not_applicable=only_with_injected,
        no_z3="a fact of single steps, not of states: " + unencoded("answered_rst")),
    Registered(
        "bounded-retransmission",
        "an endpoint sends its unacknowledged segments again at most RETRIES times since SND.UNA "
        "last moved, and gives up only then (RFC 9293 3.8.3 R1, R2; 3.10.8)",
        bounded_retransmission, lambda w: w.a.resent > 0 or w.b.resent > 0, "a retransmission",
        not_applicable=without_retry_bound, configured=True, no_z3=unencoded("resent")),
    Registered(
        "handshake-without-timer",
        "on a network that has lost, duplicated and injected nothing, no endpoint sends its SYN "
        "again: each handshake, a simultaneous open included, completes on the segments sent "
        "(RFC 9293 3.5 Figures 6-8, 3.10.7.3; the timer recovers losses, 3.8.1)",
        handshake_without_timer,
        lambda w: any(t.state in (SYN_SENT, SYN_RECEIVED) for t in (w.a, w.b)), "a handshake under way",
        not_applicable=timers_wait_for_counted_faults, configured=True, no_z3=unencoded("resent")),
    Registered(
        "no-silent-end",
        "a segment ends a connection its user has not closed only with a signal to the user "
        "(reset, refused); a passive OPEN returns to LISTEN (RFC 9293 3.10.7.3, 3.10.7.4)",
        flagged("ended_unsaid", "{x}'s connection ended on a segment, unclosed, and its application "
                                "was told nothing"),
        lambda w: any(t.state == CLOSED and t.iss is not None for t in (w.a, w.b)),
        "an endpoint back in CLOSED after a connection", no_z3=unencoded("ended_unsaid")),
    Registered(
        "challenge-ack",
        "a RST in a synchronized state resets at RCV.NXT, draws one challenge ACK elsewhere in "
        "the window and is dropped outside it; a SYN draws one challenge ACK (RFC 5961 3.2, 4.2)",
        flagged("misanswered", "{x} answered a RST or SYN otherwise than RFC 5961 asks"),
        lambda w: any(seg.forged for seg in w.ab + w.ba), "a forged segment in flight",
        not_applicable=only_under_forging, no_z3=unencoded("misanswered")),
    Registered(
        "abort-reset",
        "an ABORT (or a CLOSE with data unread) sends only its reset at SND.NXT, the number the "
        "peer accepts once it has what was sent before (RFC 9293 3.10.5, 3.6.1, 3.5.3)",
        flagged("misaborted", "{x} aborted with a segment other than its reset at SND.NXT"),
        lambda w: any(t.error == ABORTED and any(seg.rst for seg in ch)
                      for t, ch in ((w.a, w.ab), (w.b, w.ba))),
        "an endpoint that aborted, its reset in flight", not_applicable=without_abort,
        no_z3=unencoded("misaborted")),
)
BY_NAME = {r.name: r for r in REGISTRY}
PROPERTY_NAMES = tuple(BY_NAME)


def every_property(decider: Decider) -> list[Property]:
    return [r.property(decider) for r in REGISTRY]


def suite(decider: Decider, scenario: Scenario, config: Config,
          regardless: tuple[str, ...] = ()) -> tuple[list[Property], dict[str, str]]:
    """The properties checked for a scenario and configuration, and why any are left out;
    those named in ``regardless`` are checked even where n/a (to show what the reason names)."""
    skipped = {r.name: why for r in REGISTRY
               if r.name not in regardless and (why := r.not_applicable(scenario, config))}
    props = [r.property(decider, config) for r in REGISTRY if r.name not in skipped]
    assumptions = config.assumptions()
    out = [replace(p, assumptions="; ".join(filter(None, (
        assumptions, p.fairness_text if isinstance(p, Eventually) else "")))) for p in props]
    return out, skipped
