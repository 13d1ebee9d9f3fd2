"""The environment written once (spec/world/environment.py): the explicit search runs its
actions, each step is one of theirs, and the timers ask the state graph, not state names."""

from collections import deque

import pytest

from tcpverify.spec.suite.run import check_scenario, machine_for
from tcpverify.spec.tcp import rules as r
from tcpverify.spec.tcp.machine import MSL2
from tcpverify.spec.tcp.states import CLOSED, FIN_WAIT_2
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.variants import Variant
from tcpverify.spec.world.config import CHECKABLE, DEFAULT_CONFIGS, SCENARIOS, Config
from tcpverify.spec.world.environment import ENVIRONMENT, NAMES, NEXT, plan
from tcpverify.spec.world.system import TcpSystem

from tiers import sampled

EVERYTHING = Config(loss=1, dup=1, stale=1, forge=1, reorder=True, capacity=3)
DECIDER = Decider()


def explored(system: TcpSystem, limit: int = 100):
    seen, queue = set(), deque(system.init_states())
    while queue and len(seen) < limit:
        w = queue.popleft()
        if w not in seen:
            seen.add(w)
            queue.extend(t for _, t in system.successors(w))
    return seen


def test_next_takes_every_action_once_and_groups_share_a_domain():
    assert sorted(n for group in NEXT for n in group) == sorted(NAMES)
    assert len(set(NAMES)) == len(NAMES)
    for _, _, actions, _ in plan(EVERYTHING):
        assert len({a.over for a in actions}) == 1 and len({a.order for a in actions}) == 1
    assert list(dict.fromkeys(a.name for _, _, actions, _ in plan(Config()) for a in actions)) == \
        [a.name for a in ENVIRONMENT if not a.budget]


def test_every_action_is_enabled_somewhere_and_every_step_is_one_of_theirs():
    """Each action fires in the normal scenario under some fault; every step the search takes
    is named by an action (a fault) or is an edge fired on one of its events."""
    fired = set()
    for config in (Config(loss=1), Config(dup=1, reorder=True), Config(stale=1), Config(forge=1)):
        system = TcpSystem(machine_for(None), SCENARIOS["normal"], config, DECIDER)
        for w in explored(system):
            steps = []
            v = system.enter(system.compacted(w))  # the effects are compact states
            for x, over, actions, _ in plan(config):
                for p in over(system, v, x):
                    for a in actions:
                        if a.enabled(system, v, p):
                            fired.add(a.name)
                            steps += a.effect(system, v, p)
            steps = [(step, system.world(t)) for step, t in steps]
            assert steps == system.successors(w)
            for step, _ in steps:
                assert step.event in NAMES if step.actor == "net" else \
                    any(step.event in a.events for a in ENVIRONMENT)
    assert fired == set(NAMES)


# Loss, duplicates, reordering and old duplicates in the fast tier; the restart, early timers and
# forging in the whole suite.
@pytest.mark.parametrize("scenario, config", sampled([
    ("half-close", Config(loss=1, dup=1, reorder=True)), ("peer-restarts", Config(loss=1, dup=1)),
    ("normal", Config(loss=1, retries=1, capacity=8, early_rto=True)),
    ("simultaneous-close", Config(stale=1)), ("normal", Config(forge=1, capacity=2))],
    lambda run: run[0] in ("half-close", "simultaneous-close")))
def test_the_successors_reused_by_what_the_actions_read_are_the_actions_own(scenario, config):
    """TcpSystem.step reuses a group's successors for every state that agrees on the parts its
    actions read (Action.reads): in every state explored, they are the actions' own."""
    o = check_scenario(CHECKABLE[scenario], config)
    system = o.system
    for s in o.result.exploration.graph.states.compact:
        assert system.step(s) == system.direct(s)


def test_an_action_a_configuration_does_not_allow_never_fires():
    for config in DEFAULT_CONFIGS:
        allowed = {a.name for _, _, actions, _ in plan(config) for a in actions}
        assert ("Lose" in allowed) == (config.loss != 0)
        assert ("DeliverOutOfOrder" in allowed) == config.reorder
        assert ("OldDuplicateArrives" in allowed) == bool(config.stale)


def test_2msl_fires_in_whichever_state_the_graph_gives_the_event():
    """A variant that also ends FIN-WAIT-2 on 2MSL: the search takes that edge, so the timer
    asks the graph which states handle it (RFC 9293 3.10.8 names only TIME-WAIT)."""
    def add(g):
        g.add_edge(FIN_WAIT_2, CLOSED, key="TimeoutInFinWait2", event=MSL2, guard="", action=r.expire,
                   rfc="test", rank=max(d["rank"] for *_, d in g.edges(data=True)) + 1)
    o = check_scenario(SCENARIOS["normal"], Config(), Variant("fin-wait-2-2msl", "test", add))
    names = {label.name for out in o.result.exploration.graph.edges for label, _ in out}
    assert "TimeoutInFinWait2" in names and "TimeoutInTimeWait" in names


def test_every_event_a_scenario_scripts_is_an_application_call_event():
    """The step a script takes is AppCall's (keep-alive included, RFC 9293 3.8.4): BMC and
    replay read AppCall's events, so one it lacked would be encoded nowhere."""
    (app_call,) = (a for a in ENVIRONMENT if a.name == "AppCall")
    scripted = {c.event for s in SCENARIOS.values() for c in s.a + s.b}
    assert scripted <= set(app_call.events)
    others = {e for a in ENVIRONMENT if a is not app_call for e in a.events}
    assert not set(app_call.events) & others
