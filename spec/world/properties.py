"""The default property suite (DESIGN.md, "Properties"), over ``World`` states.

Comparisons across ISN bases are decided under the state's path condition:
a check that is not implied by it counts as violated.
"""

from __future__ import annotations

from dataclasses import replace

from tcpverify.checker.properties import EndState, Eventually, Invariant, Property

from ..tcp.machine import MSL2, RTO, SEGMENT
from ..tcp.seq import distance
from ..tcp.states import CLOSED, FIN_SENT, SYNCHRONIZED, TIME_WAIT
from ..tcp.symbolic import Decider
from .config import Config, Scenario
from .system import PEER, Step, World, both_closed

ENDED = (CLOSED, TIME_WAIT)
SIGNALLED = ("connection reset", "connection refused", "user timeout")


_UNSEEN = object()


def _memoized(check, part):
    """check(w), computed once per part(w): the parts of the world that check reads."""
    memo: dict = {}

    def cached(w: World):
        key = part(w)
        found = memo.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = memo[key] = check(w)
        return found

    return cached


def _tcbs(w: World):
    return w.a, w.b, w.pc


def _tcbs_and_channels(w: World):
    return w.a, w.b, w.ab, w.ba


def _tcbs_channels_and_pc(w: World):
    return w.a, w.b, w.ab, w.ba, w.pc


def _endpoints(w: World):
    return (("A", w.a, w.b), ("B", w.b, w.a))


def _in_flight(w: World):
    """(sender, receiver, segment) for every segment of this incarnation in flight that the
    sender sent (not an old duplicate, not forged)."""
    for sender, ch in (("A", w.ab), ("B", w.ba)):
        for seg in ch:
            if not (seg.old or seg.forged):
                yield sender, PEER[sender], seg


def synchronization(d: Decider):
    def check(w: World):
        for x, t, peer in _endpoints(w):
            if t.state not in SYNCHRONIZED or (t.state in FIN_SENT and d.valid(w.pc, "eq", t.snd_una, t.iss)):
                continue  # never synchronized: closed in SYN-RECEIVED (RFC 9293 3.10.4), SYN unacknowledged
            if peer.iss is None or not d.valid(w.pc, "eq", t.irs, peer.iss):
                return f"{x} is {t.state} with IRS={t.irs}, but {PEER[x]}'s ISS is {peer.iss}"
            if not (d.valid(w.pc, "lt", peer.iss, t.rcv_nxt) and _le(d, w, t.rcv_nxt, peer.snd_nxt)):
                return (f"{x}'s RCV.NXT={t.rcv_nxt} lies outside {PEER[x]}'s sent range "
                        f"({peer.iss}, {peer.snd_nxt}]")
        return None

    return Invariant(
        name="synchronization",
        description="a synchronized endpoint's IRS is its peer's ISS and ISS < RCV.NXT =< peer's "
                    "SND.NXT (one that closed in SYN-RECEIVED counts once its SYN is acknowledged)",
        check=_memoized(check, _tcbs),
        witness=lambda w: w.a.state in SYNCHRONIZED and w.b.state in SYNCHRONIZED,
        witness_text="both endpoints synchronized")


def _le(d: Decider, w: World, x, y) -> bool:
    return d.valid(w.pc, "eq", x, y) or d.valid(w.pc, "lt", x, y)


def ack_validity():
    def beyond_sent(v, peer) -> bool:
        """v lies in peer's current sequence space, past everything peer has sent."""
        return (v is not None and peer.iss is not None and v.base == peer.iss.base
                and distance(peer.snd_nxt, v) > 0)

    def check(w: World):
        for x, t, peer in _endpoints(w):
            if beyond_sent(t.rcv_nxt, peer):
                return f"{x}'s RCV.NXT={t.rcv_nxt} is beyond {PEER[x]}'s SND.NXT={peer.snd_nxt}"
        for x, y, seg in _in_flight(w):
            if beyond_sent(seg.ack, w.tcb(y)):
                return f"{x} sent {seg}, acknowledging beyond {y}'s SND.NXT={w.tcb(y).snd_nxt}"
        return None

    return Invariant(
        name="ack-validity",
        description="no endpoint acknowledges a sequence number its peer never sent",
        check=_memoized(check, _tcbs_and_channels),
        witness=lambda w: any(seg.ack is not None for _, _, seg in _in_flight(w)),
        witness_text="an acknowledgment in flight")


def fin_accounting(d: Decider):
    def check(w: World):
        # Values of two incarnations may be equal under the path condition: decided, never by name.
        def differ(x, y) -> bool:
            return not d.valid(w.pc, "eq", x, y)

        for x, t, peer in _endpoints(w):
            if t.fin_seq is not None and differ(t.snd_nxt, t.fin_seq + 1):
                return f"{x} sent its FIN at {t.fin_seq} but SND.NXT={t.snd_nxt}, not FIN.SEQ+1"
            if peer.fin_rcvd and t.fin_seq is not None and differ(peer.rcv_nxt, t.fin_seq + 1):
                return (f"{PEER[x]} took in {x}'s FIN at {t.fin_seq}, but its RCV.NXT={peer.rcv_nxt} "
                        f"(the ACK of a FIN is FIN.SEQ+1)")
        for x, _, seg in _in_flight(w):
            t = w.tcb(x)
            if seg.fin and t.fin_seq is not None and differ(seg.seq + (seg.syn + seg.data), t.fin_seq):
                return f"{x} sent {seg}, whose FIN is not at FIN.SEQ={t.fin_seq}"
        return None

    return Invariant(
        name="fin-accounting",
        description="a FIN occupies exactly one sequence number; its ACK is FIN.SEQ+1",
        check=_memoized(check, _tcbs_channels_and_pc),
        witness=lambda w: w.a.fin_seq is not None or w.b.fin_seq is not None,
        witness_text="a FIN sent")


def time_wait_role():
    def check(w: World):
        for x, t, _ in _endpoints(w):
            if t.state == TIME_WAIT and (t.fin_seq is None or not t.fin_rcvd):
                what = "sent no FIN" if t.fin_seq is None else "has not received its peer's FIN"
                return f"{x} is in TIME-WAIT but {what}"
        return None

    return Invariant(
        name="time-wait-role",
        description="only an endpoint that sent a FIN and received its peer's FIN enters TIME-WAIT",
        check=_memoized(check, _tcbs),
        witness=lambda w: TIME_WAIT in (w.a.state, w.b.state),
        witness_text="an endpoint in TIME-WAIT")


def graceful():
    def check(w: World):
        for x, y, seg in _in_flight(w):
            if seg.rst:
                return f"{x} sent {seg}"
        for x, t, _ in _endpoints(w):
            if t.error in SIGNALLED:
                return f"{x}'s application was told: {t.error}"
        return None

    return Invariant(
        name="graceful",
        description="no RST is sent and no application is told of a reset, a refusal or a timeout",
        check=_memoized(check, _tcbs_and_channels),
        witness=both_closed,
        witness_text="both endpoints closed")


def blind_reset_resistance(d: Decider):
    def check(w: World):
        for x, t, _ in _endpoints(w):
            if t.reset_by is None:
                continue
            seg, nxt = t.reset_by
            if not (seg.rst and d.valid(w.pc, "eq", seg.seq, nxt)):
                return f"{x}'s connection was ended by the forged {seg} while its RCV.NXT was {nxt}"
        return None

    return Invariant(
        name="blind-reset-resistance",
        description="a forged segment ends a synchronized connection only as a RST with SEQ = RCV.NXT "
                    "exactly (RFC 5961 3.2, 4.2)",
        check=_memoized(check, _tcbs),
        witness=lambda w: w.a.reset_by is not None or w.b.reset_by is not None,
        witness_text="a connection ended by a forged RST at RCV.NXT")


def close_completion():
    return Eventually(
        name="close-completion",
        description="every fair run reaches a state with both endpoints in CLOSED or TIME-WAIT",
        goal=lambda w: w.a.state in ENDED and w.b.state in ENDED,
        fairness=_fairness_class,
        fairness_text="strong fairness: a segment sent again and again is eventually delivered, "
                      "and a timer that can fire again and again eventually fires",
        witness=lambda w: w.a.state in ENDED and w.b.state in ENDED and w.calls != (0, 0),
        witness_text="both endpoints in CLOSED or TIME-WAIT after the applications acted")


def _fairness_class(step: Step):
    """Each segment, per receiver, is its own class; so is each endpoint's timer."""
    if step.event == SEGMENT:
        return (step.actor, step.segment)
    if step.event in (RTO, MSL2):
        return (step.actor, step.event)
    return None


def no_deadlock():
    return EndState(
        name="no-deadlock",
        description="every state with no step left has both endpoints CLOSED (2MSL included)",
        check=lambda w: None if both_closed(w) else f"stuck with A {w.a.state}, B {w.b.state}",
        witness=both_closed,
        witness_text="an end with both endpoints CLOSED")


def no_half_open():
    def check(w: World):
        for x, t, peer in _endpoints(w):
            if t.state in SYNCHRONIZED and peer.state == CLOSED:
                return f"{x} is left {t.state} while {PEER[x]} is CLOSED"
        return None

    return EndState(
        name="no-half-open",
        description="no end state has one endpoint synchronized and its peer CLOSED",
        check=check,
        witness=both_closed,
        witness_text="an end with both endpoints CLOSED")


def every_property(decider: Decider) -> list[Property]:
    return [close_completion(), synchronization(decider), ack_validity(), fin_accounting(decider),
            time_wait_role(), graceful(), no_deadlock(), no_half_open(), blind_reset_resistance(decider)]


def suite(decider: Decider, scenario: Scenario, config: Config) -> tuple[list[Property], dict[str, str]]:
    """The properties checked for a scenario and configuration, and why any are left out."""
    props = every_property(decider)
    skipped = {}
    reason = graceful_excluded(scenario, config)
    if reason:
        skipped["graceful"] = reason
    if config.gives_up:
        for name in GIVE_UP_EXCLUDED:
            skipped[name] = "losses exceed the retries: an endpoint that gives up tells its peer " \
                            "nothing (RFC 9293 3.10.8), and the peer stays open"
    if config.stale and scenario.closes_in_syn_received:
        # found by this suite; the timer abstraction (system._timeouts) is what keeps it looping
        skipped["close-completion"] = \
            "an old SYN met by a CLOSE in SYN-RECEIVED (RFC 9293 3.10.4 enters FIN-WAIT-1 before " \
            "the SYN is acknowledged) starts an ACK war that only a retransmission timer firing " \
            "while segments are in flight ends, and the model fires it only on a quiet network"
    if config.forge:
        for name in FORGE_EXCLUDED:
            skipped[name] = "a forged RST at RCV.NXT resets one endpoint and leaves the other open " \
                            "(RFC 5961 3.2 makes that a 1 in 2^32 guess, not impossible)"
    else:
        skipped["blind-reset-resistance"] = "no forged segments (--forge 0)"
    props = [p for p in props if p.name not in skipped]
    assumptions = config.assumptions()
    out = [replace(p, assumptions="; ".join(filter(None, (
        assumptions, p.fairness_text if isinstance(p, Eventually) else "")))) for p in props]
    return out, skipped


def graceful_excluded(scenario: Scenario, config: Config) -> str:
    """graceful holds only with fewer losses than retries, no abort, and no duplicates."""
    if scenario.aborts:
        return "the scenario aborts"
    if scenario.refused:
        return "the scenario connects to a closed port"
    if scenario.closes_unsynchronized:
        return "an application closes before the handshake ends: a SYN,ACK to a deleted TCB draws " \
               "a RST (RFC 9293 3.10.4, 3.10.7.1)"
    if config.dup or config.stale:
        return "duplicates and old duplicates may legitimately be answered with RST"
    if config.forge:
        return "a forged RST or SYN is answered with a challenge ACK or, at RCV.NXT, resets"
    if config.loss < 0 or (config.retries is not None and config.loss >= config.retries):
        return "losses are not fewer than retries"
    return ""


PROPERTY_NAMES = ("close-completion", "synchronization", "ack-validity", "fin-accounting",
                  "time-wait-role", "graceful", "no-deadlock", "no-half-open", "blind-reset-resistance")
# Left out when an endpoint may give up: liveness and the end states need the peer told.
GIVE_UP_EXCLUDED = ("close-completion", "no-deadlock", "no-half-open")
# Left out under forging: a blind attacker who guesses RCV.NXT may end a connection.
FORGE_EXCLUDED = ("close-completion", "graceful", "no-deadlock", "no-half-open")
