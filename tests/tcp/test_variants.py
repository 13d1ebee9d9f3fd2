"""What each variant of the protocol breaks, as the checker finds it: the property, the
configuration, the exact length of the shortest counterexample, and the story it tells."""

from __future__ import annotations

import pytest

from tcpverify.checker.status import Status
from tcpverify.spec.suite.mutants import SURVIVORS
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.states import (CLOSE_WAIT, CLOSED, ESTABLISHED, FIN_WAIT_1, LAST_ACK, LISTEN,
                                       SYN_RECEIVED, TIME_WAIT)
from tcpverify.spec.tcp.symbolic import OLD_PREFIX, Decider
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.properties import BY_NAME, PROPERTY_NAMES
from tcpverify.spec.world.environment import LOSE

DECIDER = Decider()
LOSS1 = Config(loss=1)
STALE1 = Config(stale=1)
FAIR_LOSS = Config(loss=-1, retries=None)
DUP_REORDER = Config(loss=1, dup=1, reorder=True)

# (variant, scenario, configuration) -> {violated property: (length, where the loop starts)};
# every property not listed is VERIFIED in that run.
BROKEN = {
    ("no-time-wait", "normal", LOSS1): {"graceful": (12, None)},
    # without old duplicates only syn-acknowledged sees it: B is ESTABLISHED on its own SYN,ACK
    ("two-way-handshake", "normal", Config()): {"syn-acknowledged": (2, None)},
    ("two-way-handshake", "normal", FAIR_LOSS): {"syn-acknowledged": (2, None)},
    ("two-way-handshake", "normal", STALE1): {"synchronization": (2, None), "syn-acknowledged": (2, None),
                                              "close-completion": (8, 6)},
    ("no-retransmission", "normal", LOSS1): {"close-completion": (3, None), "graceful": (3, None),
                                             "no-deadlock": (3, None), "no-half-open": (7, None),
                                             "bounded-retransmission": (3, None)},
    ("fin-takes-no-sequence-number", "normal", Config()): {"fin-accounting": (4, None),
                                                           "graceful": (11, None)},
    ("fin-takes-no-sequence-number", "normal", FAIR_LOSS): {"fin-accounting": (4, None),
                                                            "close-completion": (8, 6)},
    ("no-simultaneous-close", "simultaneous-close", Config()): {"graceful": (17, None)},
    ("no-simultaneous-close", "simultaneous-close", FAIR_LOSS): {"close-completion": (13, 7)},
    ("no-fin-wait-2", "normal", Config()): {"time-wait-role": (7, None), "graceful": (10, None)},
    ("syn-ack-acks-too-far", "normal", Config()): {"ack-validity": (2, None), "graceful": (3, None),
                                                   "handshake-without-timer": (5, None)},
    # the mutation matrix's and the seed post's variants (tests/test_mutants.py, test_audit.py)
    ("ack-not-incremented", "normal", Config()): {"graceful": (3, None), "handshake-without-timer": (5, None)},
    ("time-wait-too-short", "normal", LOSS1): {"graceful": (13, None)},
    ("time-wait-never-ends", "normal", Config()): {"no-deadlock": (10, None), "no-half-open": (10, None)},
    ("syn-in-third-segment", "normal", Config()): {"synchronization": (4, None), "graceful": (6, None)},
    ("fin-without-ack", "normal", Config()): {"close-completion": (11, None), "graceful": (11, None),
                                              "no-deadlock": (11, None), "no-half-open": (11, None)},
    ("random-sequence-in-close", "normal", Config()): {
        "close-completion": (14, None), "fin-accounting": (4, None), "graceful": (14, None),
        "no-deadlock": (14, None), "no-half-open": (14, None)},
    ("fin-on-ack-of-fin", "normal", Config()): {"close-completion": (9, 7), "synchronization": (7, None),
                                                "ack-validity": (7, None), "graceful": (11, None)},
    ("fin-on-final-ack", "normal", Config()): {"fin-accounting": (9, None)},
    ("seed-literal", "normal", Config()): {"synchronization": (4, None), "fin-accounting": (4, None),
                                           "graceful": (7, None)},
    ("no-challenge-ack", "simultaneous-close", Config(forge=1)): {"blind-reset-resistance": (5, None),
                                                                  "challenge-ack": (5, None)},
    ("listener-closes-on-reset", "normal", STALE1): {"no-silent-end": (4, None)},
    ("abort-reset-at-iss", "give-up-during-handshake", Config()): {"abort-reset": (3, None)},
    ("rfc793-simultaneous-open", "simultaneous-open", Config(loss=1, dup=1, reorder=True)): {
        "handshake-without-timer": (5, None)},
    ("rst-without-window", "normal", STALE1): {"old-duplicates-harmless": (5, None), "close-completion": (6, None),
                                               "no-deadlock": (6, None), "no-half-open": (6, None)},
    # where the network delivers late, graceful tells a gratuitous RST from a late segment's
    ("no-time-wait", "normal", DUP_REORDER): {"graceful": (9, None)},
    ("no-simultaneous-close", "simultaneous-close", DUP_REORDER): {"graceful": (17, None)},
    ("closed-answers-rst", "connect-to-closed-port", STALE1): {"no-rst-for-rst": (2, None),
                                                               "close-completion": (5, 3)},
}

# Findings (docs/findings.md): runs in which a variant breaks nothing.
UNBROKEN = [
    ("no-time-wait", "normal", Config()),
    ("no-time-wait", "normal", STALE1),
    ("no-time-wait", "normal", FAIR_LOSS),
    ("no-simultaneous-close", "normal", FAIR_LOSS),
    ("no-simultaneous-close", "simultaneous-close", STALE1),
]

_cache: dict = {}


def run(variant: str, scenario: str, config: Config, **kw):
    key = (variant, scenario, config, tuple(sorted(kw.items())))
    if key not in _cache:
        _cache[key] = check_scenario(SCENARIOS[scenario], config, VARIANTS[variant],
                                     decider=DECIDER, **kw)
    return _cache[key]


def story(outcome, prop):
    """(actor, edge name, A's state, B's state) after each step of the counterexample."""
    v = outcome.verdict(prop)
    out = []
    for label, i in v.trace[1:]:
        w = outcome.state(i)
        out.append((label.actor, label.name, w.a.state, w.b.state))
    return out


def names(outcome, prop):
    return [name for _, name, _, _ in story(outcome, prop)]


@pytest.mark.parametrize("key", BROKEN, ids=lambda k: f"{k[0]}-{k[1]}-{k[2].name}")
def test_each_variant_breaks_exactly_these_properties_with_these_shortest_counterexamples(key):
    o = run(*key)
    found = {v.property: (v.length, v.loop_start) for v in o.result.verdicts if v.status == Status.VIOLATED}
    assert found == BROKEN[key]
    assert {v.status for v in o.result.verdicts} <= {Status.VERIFIED, Status.VIOLATED, Status.VACUOUS}  # never INCOMPLETE
    assert o.result.exploration.limits == []


@pytest.mark.parametrize("key", UNBROKEN, ids=lambda k: f"{k[0]}-{k[1]}-{k[2].name}")
def test_where_a_variant_breaks_nothing(key):
    o = run(*key)
    assert Status.VIOLATED not in {v.status for v in o.result.verdicts} and o.result.exploration.limits == []
    # nothing but a variant without TIME-WAIT leaves time-wait-role nothing to speak of: VACUOUS
    vacuous = {v.property for v in o.result.verdicts if v.status == Status.VACUOUS}
    assert vacuous == ({"time-wait-role"} if key[0] == "no-time-wait" else set())


def test_every_variant_is_caught():
    # but a survivor the mutation matrix explains (reports/mutants.md; none now)
    assert {variant for variant, _, _ in BROKEN} == set(VARIANTS) - set(SURVIVORS)


def test_every_property_of_the_suite_is_killed_by_some_variant():
    killed = {p for violated in BROKEN.values() for p in violated}
    assert killed == set(PROPERTY_NAMES)
    for key, violated in BROKEN.items():
        o = run(*key)
        assert {v.property for v in o.result.verdicts if v.status == Status.VIOLATED} == set(violated)


# ------------------------------------------------------------------ the stories

def test_no_time_wait_the_final_ack_is_lost_and_closed_a_answers_the_retransmitted_fin_with_rst():
    o = run("no-time-wait", "normal", LOSS1)
    steps = story(o, "graceful")
    assert steps[8] == ("A", "RcvFinInFinWait2", CLOSED, LAST_ACK)  # not TIME-WAIT
    lost = o.verdict("graceful").trace[10][0]
    assert lost.name == LOSE and o.system.loss_kind(o.state(o.verdict("graceful").trace[9][1]),
                                                    lost.to, lost.segment) == "final ACK"
    assert steps[10] == ("B", "RetransmitInLastAck", CLOSED, LAST_ACK)
    assert steps[11] == ("A", "RcvSegmentInClosed", CLOSED, LAST_ACK)
    assert o.state(o.verdict("graceful").trace[-1][1]).ab[-1].rst
    assert not any(TIME_WAIT in (w.a.state, w.b.state) for w in o.result.exploration.graph.states)


def test_two_way_handshake_an_old_syn_makes_listen_established_in_two_steps():
    o = run("two-way-handshake", "normal", STALE1)
    v = o.verdict("synchronization")
    first = v.trace[1][0]
    assert first.name == "OldDuplicateArrives(SYN)" and first.to == "B"
    assert story(o, "synchronization")[1] == ("B", "RcvSynInListen", CLOSED, ESTABLISHED)
    assert o.state(v.trace[-1][1]).b.irs.base.startswith(OLD_PREFIX)


def test_two_way_handshake_an_endless_ack_war_is_a_fair_lasso():
    o = run("two-way-handshake", "normal", STALE1)
    v = o.verdict("close-completion")
    start, end = o.state(v.trace[v.loop_start][1]), o.state(v.trace[-1][1])
    assert start == end
    loop = story(o, "close-completion")[v.loop_start:]
    assert {(a, b) for _, _, a, b in loop} == {(SYN_RECEIVED, ESTABLISHED)}
    assert {name for _, name, _, _ in loop} == {"AckUnacceptableInSynReceived", "AckUnsentInEstablished"}
    assert all(label.segment.ack is not None and not label.segment.syn
               for label, _ in v.trace[v.loop_start + 1:])
    _assert_fair(o, v)


def test_no_retransmission_a_lost_syn_is_never_sent_again():
    o = run("no-retransmission", "normal", LOSS1)
    assert names(o, "no-deadlock") == ["ActiveOpenInClosed", LOSE, "GiveUpInSynSent"]
    assert o.verdict("close-completion").loop_start is None  # stuck, not looping
    last = o.state(o.verdict("no-deadlock").trace[-1][1])
    assert (last.a.state, last.b.state, last.a.error) == (CLOSED, LISTEN, "user timeout")
    half = story(o, "no-half-open")
    assert half[-2][1] == LOSE and half[-1] == ("A", "GiveUpInFinWait1", CLOSED, ESTABLISHED)


def test_fin_takes_no_sequence_number_the_fin_is_never_acknowledged():
    o = run("fin-takes-no-sequence-number", "normal", Config())
    v = o.verdict("fin-accounting")
    assert names(o, "fin-accounting")[-1] == "CloseInEstablished"
    a = o.state(v.trace[-1][1]).a
    assert a.fin_seq == a.snd_nxt  # SND.NXT did not move past the FIN
    steps = names(o, "graceful")
    assert steps.count("RetransmitInFinWait1") == 2 and steps[-1] == "GiveUpInFinWait1"
    fair = run("fin-takes-no-sequence-number", "normal", FAIR_LOSS)
    loop = story(fair, "close-completion")[fair.verdict("close-completion").loop_start:]
    assert {(a, b) for _, _, a, b in loop} == {(FIN_WAIT_1, CLOSE_WAIT)}
    _assert_fair(fair, fair.verdict("close-completion"))


def test_no_simultaneous_close_both_ignore_the_other_fin_until_they_give_up():
    o = run("no-simultaneous-close", "simultaneous-close", Config())
    steps = story(o, "graceful")
    assert steps[5] == ("B", "CloseInEstablished", FIN_WAIT_1, FIN_WAIT_1)
    ignored = [s for s in steps if s[1] == "RcvFinInFinWait1"]
    assert {actor for actor, *_ in ignored} == {"A", "B"}
    assert all((a, b) == (FIN_WAIT_1, FIN_WAIT_1) for _, _, a, b in ignored)
    assert steps[-1] == ("A", "GiveUpInFinWait1", CLOSED, FIN_WAIT_1)
    assert run("no-simultaneous-close", "simultaneous-close", LOSS1).verdict("graceful").length == 17


def test_no_simultaneous_close_under_fair_loss_is_a_fair_lasso_of_fin_exchanges():
    o = run("no-simultaneous-close", "simultaneous-close", FAIR_LOSS)
    v = o.verdict("close-completion")
    assert o.state(v.trace[v.loop_start][1]) == o.state(v.trace[-1][1])
    loop = story(o, "close-completion")[v.loop_start:]
    assert {(a, b) for _, _, a, b in loop} == {(FIN_WAIT_1, FIN_WAIT_1)}
    assert {(actor, name) for actor, name, _, _ in loop} == {
        ("A", "RcvFinInFinWait1"), ("B", "RcvFinInFinWait1"),
        ("A", "RetransmitInFinWait1"), ("B", "RetransmitInFinWait1")}
    _assert_fair(o, v)


def test_no_fin_wait_2_enters_time_wait_before_the_peer_fin():
    o = run("no-fin-wait-2", "normal", Config())
    assert story(o, "time-wait-role")[-1] == ("A", "RcvAckOfFinInFinWait1", TIME_WAIT, CLOSE_WAIT)
    assert names(o, "graceful")[-3:] == ["TimeoutInTimeWait", "CloseInCloseWait", "RcvSegmentInClosed"]


def test_syn_ack_acks_too_far_is_answered_with_rst():
    o = run("syn-ack-acks-too-far", "normal", Config())
    assert story(o, "ack-validity") == [("A", "ActiveOpenInClosed", "SYN-SENT", LISTEN),
                                        ("B", "RcvSynInListen", "SYN-SENT", SYN_RECEIVED)]
    assert names(o, "graceful")[-1] == "RcvBadAckInSynSent"


def test_syn_ack_acks_too_far_under_fair_loss_loops_on_new_isns_in_a_finite_space():
    """Every retransmitted SYN meets a fresh SYN,ACK acking too far and a RST, and B picks a new
    ISN each time. ISN bases no longer mentioned are renumbered, so the space is finite (without
    renumbering it grew past 10 GB) and the endless attempts are a fair lasso."""
    o = run("syn-ack-acks-too-far", "normal", FAIR_LOSS, max_states=2000)
    graph = o.result.exploration.graph
    assert graph.complete and len(graph.states) < 100
    assert max(w.b.incarnations for w in graph.states) <= 2
    assert o.verdict("ack-validity").length == 2
    v = o.verdict("close-completion")
    assert v.status == Status.VIOLATED and v.loop_start is not None
    _assert_fair(o, v)


def _assert_fair(outcome, verdict):
    """Every fairness class enabled somewhere on the loop is also taken on it."""
    fairness = BY_NAME["close-completion"].property(Decider()).fairness
    g = outcome.result.exploration.graph
    loop = verdict.trace[verdict.loop_start:]
    on_loop = {i for _, i in loop}
    taken = {fairness(label) for label, _ in loop[1:]} - {None}
    enabled = {fairness(label) for i in on_loop for label, _ in g.edges[i]} - {None}
    assert taken and enabled <= taken
