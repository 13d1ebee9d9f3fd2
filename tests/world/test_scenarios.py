"""Every scenario under every default configuration, as the checker computes it, and what the
runs it explored actually contain (witnesses, losses, old duplicates, fairness)."""

from __future__ import annotations

from dataclasses import replace

import networkx as nx
import pytest

from tcpverify.checker.liveness import check_eventually
from tcpverify.checker.status import Status
from tcpverify.spec.suite.expect import departures
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.machine import ABORT
from tcpverify.spec.tcp.states import CLOSED, CLOSING, FIN_WAIT_2, LISTEN, SYN_RECEIVED, SYN_SENT, TIME_WAIT
from tcpverify.spec.tcp.symbolic import OLD_PREFIX, Decider
from tcpverify.spec.world.config import DEFAULT_CONFIGS, SCENARIOS, Config
from tcpverify.spec.world.properties import BY_NAME, PROPERTY_NAMES
from tcpverify.spec.world.environment import LOSE

DECIDER = Decider()
FAIR_LOSS = Config(loss=-1, retries=None)


def run(scenario: str, config: Config, **kw):
    return check_scenario(SCENARIOS[scenario], config, decider=DECIDER, **kw)


class Runs(dict):
    """(scenario, configuration) -> outcome, each run checked when a test first asks for it: the
    fast tier asks for a few, the whole suite for every default run."""

    def __missing__(self, key):
        self[key] = outcome = run(*key)
        return outcome


@pytest.fixture(scope="module")
def suite():
    return Runs()


def edges(outcome):
    """(label, state before, state after) for every transition explored."""
    g = outcome.result.exploration.graph
    return [(label, g.states[i], g.states[j]) for i, out in enumerate(g.edges) for label, j in out]


def test_the_default_suite_is_every_scenario_under_every_configuration():
    assert set(SCENARIOS) == {"normal", "server-closes-first", "simultaneous-open",
                              "simultaneous-close", "half-close", "abort", "close-unread", "keep-alive",
                              "data-then-close", "close-during-handshake", "give-up-during-handshake",
                              "give-up-while-closing", "peer-crashes", "connect-to-closed-port"}
    assert FAIR_LOSS in DEFAULT_CONFIGS and Config() in DEFAULT_CONFIGS


@pytest.mark.slow
@pytest.mark.parametrize("config", DEFAULT_CONFIGS, ids=lambda c: c.name)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_verifies_under_every_default_configuration(suite, scenario, config):
    """Every applicable property VERIFIED, but those spec/suite/departures.tsv expects otherwise."""
    o = suite[scenario, config]
    assert o.result.exploration.limits == []
    excused, contradicted = departures([o])
    assert contradicted == []
    assert {v.property: v.status for v in o.result.verdicts if (*o.key, v.property) not in excused} == \
        {p: Status.VERIFIED for p in PROPERTY_NAMES if p not in o.skipped and (*o.key, p) not in excused}
    if "close-completion" not in o.skipped:
        assert o.verdict("close-completion").witness is not None


@pytest.mark.slow
def test_graceful_is_checked_wherever_its_assumptions_hold(suite):
    checked = {(s, c.name) for s in SCENARIOS for c in DEFAULT_CONFIGS
               if "graceful" not in suite[s, c].skipped}
    assert ("normal", "loss 1") in checked and ("half-close", "loss 2, retries 3") in checked
    assert ("abort", "loss 0") not in checked and ("normal", "loss 0, stale 1") not in checked
    # where the network duplicates and reorders too (a RST that answers a late segment allowed)
    late = {s for s, c in checked if c == "loss 1, dup 1, reorder"}
    assert late == {"normal", "server-closes-first", "simultaneous-open", "simultaneous-close",
                    "half-close", "data-then-close", "keep-alive"}
    (dup_reorder,) = (c for c in DEFAULT_CONFIGS if c.name == "loss 1, dup 1, reorder")
    assert {suite[s, dup_reorder].verdict("graceful").status for s in late} == {Status.VERIFIED}


def test_simultaneous_close_reaches_closing_on_both_sides_then_time_wait(suite):
    for config in DEFAULT_CONFIGS:
        states = suite["simultaneous-close", config].result.exploration.graph.states
        assert any(w.a.state == w.b.state == CLOSING for w in states), config.name
        assert any(w.a.state == w.b.state == TIME_WAIT for w in states), config.name
    assert not any(w.a.state == CLOSING or w.b.state == CLOSING
                   for w in suite["normal", Config()].result.exploration.graph.states)


def test_simultaneous_open_goes_from_syn_sent_to_syn_received_on_both_sides(suite):
    o = suite["simultaneous-open", Config()]
    crossed = {label.actor for label, before, after in edges(o)
               if label.name == "RcvSynInSynSent"
               and before.tcb(label.actor).state == SYN_SENT
               and after.tcb(label.actor).state == SYN_RECEIVED}
    assert crossed == {"A", "B"}
    assert any(w.a.state == w.b.state == SYN_RECEIVED for w in o.result.exploration.graph.states)


def test_half_close_delivers_data_to_the_endpoint_that_has_sent_its_fin(suite):
    o = suite["half-close", Config()]
    delivered = [(before, after) for label, before, after in edges(o)
                 if label.actor == "A" and label.segment is not None and label.segment.data
                 and before.a.fin_seq is not None and after.a.received > before.a.received]
    assert delivered
    assert {before.a.state for before, _ in delivered} == {FIN_WAIT_2}  # FIFO: the ACK of FIN came first


def test_a_loss_budget_of_one_explores_losing_each_segment_of_the_handshake_and_close():
    o = run("normal", Config(loss=1))
    assert o.status == Status.VERIFIED
    for kind in ("SYN", "SYN-ACK", "third ACK", "FIN", "final ACK"):
        assert o.losses[kind] > 0, kind
    lost = {o.system.loss_kind(before, label.to, label.segment)
            for label, before, _ in edges(o) if label.name == LOSE}
    assert lost == set(o.losses)
    assert sum(o.losses.values()) == sum(1 for label, _, _ in edges(o) if label.name == LOSE)


def test_an_old_syn_takes_listen_to_syn_received_and_a_reset_takes_it_back(suite):
    """RFC 9293 3.5 Figure 8: recovery from an old duplicate SYN."""
    o = suite["normal", Config(stale=1)]
    old_irs = lambda t: t.irs is not None and t.irs.base.startswith(OLD_PREFIX)  # noqa: E731
    to_syn_received = [after for label, before, after in edges(o)
                       if label.actor == "B" and label.name == "RcvSynInListen"
                       and label.segment.old and before.b.state == LISTEN]
    assert to_syn_received and all(old_irs(w.b) and w.b.state == SYN_RECEIVED
                                   for w in to_syn_received)
    back = [(before, after) for label, before, after in edges(o)
            if label.actor == "B" and label.name == "RcvRstInSynReceived" and old_irs(before.b)]
    assert back and all(after.b.state == LISTEN for _, after in back)
    # A's RST that does it answers B's SYN,ACK to the old SYN (A in SYN-SENT: 3.10.7.3)
    assert any(label.name == "RcvBadAckInSynSent" and label.actor == "A"
               and label.segment.ack is not None and old_irs(before.b)
               for label, before, _ in edges(o))


def test_rfc_9293_has_no_fin_wait_2_timer():
    """Without B's application aborting from FIN-WAIT-2, a lost RST leaves B there for ever."""
    abort = SCENARIOS["abort"]
    assert abort.b[-1].event == ABORT and abort.b[-1].states == (FIN_WAIT_2,)
    patient = replace(abort, name="abort-without-fin-wait-2-abort", b=abort.b[:-1])
    quiet = check_scenario(patient, Config(), decider=DECIDER)
    assert Status.VIOLATED not in {v.status for v in quiet.result.verdicts}  # time-wait-role: VACUOUS
    o = check_scenario(patient, Config(loss=1), decider=DECIDER)
    v = o.verdict("no-half-open")
    assert v.status == Status.VIOLATED and v.message == "B is left FIN-WAIT-2 while A is CLOSED"
    assert v.length == 9
    last = o.state(v.trace[-1][1])
    assert (last.a.state, last.b.state) == (CLOSED, FIN_WAIT_2) and last.quiet()
    assert [label.name for label, _ in v.trace[-3:]] == ["AbortInCloseWait", "RcvAckOfFinInFinWait1", LOSE]
    assert v.trace[-1][0].segment.rst
    assert o.verdict("no-deadlock").status == Status.VIOLATED
    assert o.verdict("close-completion").status == Status.VIOLATED
    assert run("abort", Config(loss=1)).status == Status.VACUOUS  # only time-wait-role, as departures.tsv expects


def test_under_fair_loss_close_completion_holds_only_thanks_to_fairness(suite):
    o = suite["normal", FAIR_LOSS]
    v = o.verdict("close-completion")
    assert v.status == Status.VERIFIED and "strong fairness" in v.assumptions
    g = o.result.exploration.graph
    h = nx.DiGraph((i, j) for i, out in enumerate(g.edges) for _, j in out)
    assert not nx.is_directed_acyclic_graph(h)
    unfair = replace(BY_NAME["close-completion"].property(Decider()), fairness=lambda label: None)
    lasso = check_eventually(g, unfair)
    assert lasso is not None and lasso.loop
    assert lasso.loop[-1][1] == lasso.stem[-1][1]
    assert any(label.name == LOSE for label, _ in lasso.loop)
    assert check_eventually(g, BY_NAME["close-completion"].property(Decider())) is None


def test_bounded_loss_explores_no_cycle_but_fair_loss_does(suite):
    for config, acyclic in ((Config(loss=1), True), (FAIR_LOSS, False)):
        g = suite["normal", config].result.exploration.graph
        h = nx.DiGraph((i, j) for i, out in enumerate(g.edges) for _, j in out)
        h.add_nodes_from(range(len(g.states)))
        assert nx.is_directed_acyclic_graph(h) == acyclic, config.name


def test_more_losses_than_retries_leave_b_listening_or_half_open():
    """Where the theorem ends: three losses against two retries make A give up, telling B
    nothing (RFC 9293 3.10.8); the properties of the end are n/a there, and say why."""
    o = run("normal", Config(loss=3))
    for prop in ("close-completion", "no-deadlock", "no-half-open"):
        assert o.skipped[prop].startswith("losses exceed the retries: an endpoint that gives up")
    assert o.system.fired["GiveUpInSynSent"] and o.system.fired["GiveUpInFinWait1"]
    assert o.status == Status.VERIFIED  # the safety properties still hold
    assert o.skipped["graceful"] == "losses are not fewer than retries"
    assert run("normal", Config(loss=3, retries=3)).status == Status.VERIFIED


@pytest.mark.parametrize("scenario, config, fired", [
    # 3.6.1: the reset on CLOSE with data unread, from both states it may find data in.
    ("close-unread", Config(), {"CloseWithUnreadDataInEstablished", "CloseWithUnreadDataInCloseWait"}),
    # 3.8.4: the probe, from both states, answered by the peer's ACK of an unacceptable segment.
    ("keep-alive", Config(), {"KeepAliveInEstablished", "KeepAliveInCloseWait",
                              "AckUnacceptableInEstablished", "AckUnacceptableInFinWait2"}),
])
def test_the_rfc_edges_for_linux_behaviour_fire_in_the_default_suite(suite, scenario, config, fired):
    names = {label.name for label, _, _ in edges(suite[scenario, config])}
    assert fired <= names


def test_an_abort_from_a_synchronized_state_resets_with_an_ack(suite):
    """3.10.5 with 3.1: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, and the peer is reset by it."""
    resets = [(w, v) for label, w, v in edges(suite["abort", Config()])
              if label.name == "AbortInEstablished"]
    assert resets
    for before, after in resets:
        rst = after.ab[-1]
        assert rst.rst and rst.ack == before.a.rcv_nxt and rst.seq == before.a.snd_nxt
