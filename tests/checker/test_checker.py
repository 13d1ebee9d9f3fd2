"""The generic engine (checker/) on small hand-made models: it knows nothing of TCP."""

from __future__ import annotations

from tcpverify.checker.explore import EdgeList, explore
from tcpverify.checker.liveness import check_eventually
from tcpverify.checker.properties import EndState, Eventually, Invariant
from tcpverify.checker.status import Status
from tcpverify.checker.verdict import EXIT_CODES, check


class Graph:
    """A model given as {state: [(label, next state), ...]}, in that order."""

    def __init__(self, edges, init=("s0",), limits=()):
        self.edges, self.init, self.limits = edges, list(init), list(limits)

    def init_states(self):
        return self.init

    def successors(self, s):
        return list(self.edges.get(s, ()))

    def limits_hit(self):
        return self.limits


class Counter:
    """0, 1, 2, ... for ever: only a state limit stops its exploration."""

    def init_states(self):
        return [0]

    def successors(self, n):
        return [("inc", n + 1)]

    def limits_hit(self):
        return []


def never(name, bad):
    return Invariant(name=name, description="", check=lambda s: f"reached {s}" if s == bad else None)


def eventually(goal_states, fair_labels=()):
    """Eventually a goal state; each label in fair_labels is its own fairness class."""
    return Eventually(name="eventually", description="", goal=lambda s: s in goal_states,
                      fairness=lambda label: label if label in fair_labels else None)


def verdict(result, name):
    return next(v for v in result.verdicts if v.property == name)


def states_of(result, trace):
    return [result.exploration.graph.states[i] for _, i in trace]


# ------------------------------------------------------------------ search

def test_bfs_gives_the_shortest_counterexample_even_when_a_longer_path_is_listed_first():
    model = Graph({"s0": [("long", "l1"), ("short", "m1")],
                   "l1": [("l", "l2")], "l2": [("l", "l3")], "l3": [("l", "bad")],
                   "m1": [("m", "m2")], "m2": [("m", "bad")]})
    r = check(model, [never("no-bad", "bad")])
    v = verdict(r, "no-bad")
    assert v.status == Status.VIOLATED and v.message == "reached bad"
    assert v.length == 3
    assert states_of(r, v.trace) == ["s0", "m1", "m2", "bad"]
    assert [label for label, _ in v.trace] == [None, "short", "m", "m"]


def test_every_reachable_state_is_explored_once_in_breadth_first_order():
    model = Graph({"s0": [("a", "x"), ("b", "y")], "x": [("c", "z"), ("d", "s0")],
                   "y": [("e", "z")], "z": []})
    ex = explore(model, [])
    g = ex.graph
    assert g.states == ["s0", "x", "y", "z"]
    assert list(g.depth) == [0, 1, 1, 2]
    assert ex.stats.states == 4 and ex.stats.transitions == 5 and ex.stats.depth == 2
    assert g.terminal == [3]
    assert g.edges[1] == [("c", 3), ("d", 0)]


def test_state_order_is_deterministic_and_a_second_run_gives_the_same_graph():
    model = Graph({"s0": [(f"to{k}", f"t{k}") for k in range(20)],
                   **{f"t{k}": [("back", "s0"), ("on", f"t{(k * 7) % 20}")] for k in range(20)}})
    first, second = explore(model, []), explore(model, [])
    assert first.graph.states == ["s0"] + [f"t{k}" for k in range(20)]
    assert first.graph.states == second.graph.states
    assert first.graph.edges == second.graph.edges


def test_end_state_checks_only_states_without_successors():
    prop = EndState(name="end", description="", check=lambda s: None if s == "good-end" else f"ends in {s}")
    passing = Graph({"s0": [("a", "mid")], "mid": [("b", "good-end")]})
    assert verdict(check(passing, [prop]), "end").status == Status.VERIFIED
    failing = Graph({"s0": [("a", "mid"), ("x", "other")], "mid": [("b", "good-end")],
                     "other": [("y", "bad-end")]})
    r = check(failing, [prop])
    v = verdict(r, "end")
    assert v.status == Status.VIOLATED and v.message == "ends in bad-end"
    assert states_of(r, v.trace) == ["s0", "other", "bad-end"]


# ------------------------------------------------------------------ eventually, under strong fairness

def test_an_unfair_loop_is_not_a_counterexample():
    """s0 loops on itself, but "deliver" is enabled there every time: strong fairness takes it."""
    model = Graph({"s0": [("spin", "s0"), ("deliver", "goal")], "goal": []})
    r = check(model, [eventually({"goal"}, fair_labels={"deliver"})])
    assert verdict(r, "eventually").status == Status.VERIFIED


def test_without_fairness_the_same_loop_is_a_counterexample():
    model = Graph({"s0": [("spin", "s0"), ("deliver", "goal")], "goal": []})
    r = check(model, [eventually({"goal"})])
    v = verdict(r, "eventually")
    assert v.status == Status.VIOLATED and v.loop_start == 0
    assert states_of(r, v.trace) == ["s0", "s0"]


def test_a_fair_loop_is_a_counterexample_and_the_lasso_returns_to_its_start():
    """s1 -> s2 -> s3 -> s1 takes every fair class enabled in it; "escape" is under no fairness."""
    model = Graph({"s0": [("start", "s1")],
                   "s1": [("send", "s2"), ("escape", "goal")],
                   "s2": [("lose", "s3")],
                   "s3": [("deliver", "s1")], "goal": []})
    r = check(model, [eventually({"goal"}, fair_labels={"send", "deliver"})])
    v = verdict(r, "eventually")
    assert v.status == Status.VIOLATED and v.message == "a fair run loops for ever without reaching the goal"
    states = states_of(r, v.trace)
    assert states == ["s0", "s1", "s2", "s3", "s1"]
    assert v.loop_start == 1 and states[v.loop_start] == states[-1]
    assert v.length == 4


def test_a_component_enabling_a_class_it_never_takes_is_pruned_and_split_again():
    """{s1, s2, s3} is one component, but s3 enables "deliver", taken only out of it: the
    fair loop left once s3 is pruned is s1 <-> s2."""
    model = Graph({"s0": [("start", "s1")],
                   "s1": [("tick", "s2"), ("to3", "s3")],
                   "s2": [("tock", "s1")],
                   "s3": [("back", "s1"), ("deliver", "goal")], "goal": []})
    prop = eventually({"goal"}, fair_labels={"tick", "deliver"})
    r = check(model, [prop])
    v = verdict(r, "eventually")
    assert v.status == Status.VIOLATED
    loop = states_of(r, v.trace)[v.loop_start:]
    assert loop[0] == loop[-1] == "s1" and set(loop) == {"s1", "s2"}


def test_a_loop_through_a_state_that_enables_an_untaken_class_is_not_fair():
    """Every cycle passes s3, which enables "deliver": no fair run avoids the goal."""
    model = Graph({"s0": [("start", "s1")],
                   "s1": [("tick", "s3")],
                   "s3": [("back", "s1"), ("deliver", "goal")], "goal": []})
    r = check(model, [eventually({"goal"}, fair_labels={"deliver"})])
    assert verdict(r, "eventually").status == Status.VERIFIED


def test_a_loop_entered_through_its_later_numbered_state_is_found():
    """The search numbers goal 1, s2 2, s3 3, s4 4 (s3 first met through the goal); among the
    non-goal states s3 is first reached from s4, by the loop's edge back to a lower number."""
    model = Graph({"s0": [("a", "goal"), ("b", "s2")], "goal": [("c", "s3")],
                   "s2": [("d", "s4")], "s3": [("e", "s4")], "s4": [("f", "s3")]})
    r = check(model, [eventually({"goal"})])
    v = verdict(r, "eventually")
    assert v.status == Status.VIOLATED and v.message == "a fair run loops for ever without reaching the goal"
    assert states_of(r, v.trace) == ["s0", "s2", "s4", "s3", "s4"]


def test_a_stuck_non_goal_state_is_a_counterexample_without_a_loop():
    model = Graph({"s0": [("a", "s1"), ("b", "goal")], "s1": [("c", "stuck")], "goal": []})
    r = check(model, [eventually({"goal"}, fair_labels={"a", "b", "c"})])
    v = verdict(r, "eventually")
    assert v.status == Status.VIOLATED and v.message == "a run ends without reaching the goal"
    assert v.loop_start is None
    assert states_of(r, v.trace) == ["s0", "s1", "stuck"]


def test_a_run_that_starts_in_the_goal_is_not_a_counterexample():
    model = Graph({"goal": [("a", "s1")], "s1": [("b", "s1")]}, init=("goal",))
    assert check_eventually(explore(model, [eventually({"goal"})]).graph,
                            eventually({"goal"})) is None


# ------------------------------------------------------------------ limits: never VERIFIED

def test_a_state_limit_makes_every_property_incomplete():
    props = [never("inv", -1),
             EndState(name="end", description="", check=lambda s: "stuck"),
             eventually({-1})]
    r = check(Counter(), props, max_states=50)
    assert r.exploration.limits == ["state limit 50 reached"]
    assert {v.property: v.status for v in r.verdicts} == {p.name: Status.INCOMPLETE for p in props}
    assert all(v.message == "state limit 50 reached" for v in r.verdicts)
    assert r.status == Status.INCOMPLETE and EXIT_CODES[r.status] == 3


def test_a_violation_found_before_the_limit_stays_violated():
    r = check(Counter(), [never("inv", 7), never("other", -1), eventually({-1})], max_states=50)
    assert verdict(r, "inv").status == Status.VIOLATED and verdict(r, "inv").length == 7
    assert verdict(r, "other").status == Status.INCOMPLETE
    assert verdict(r, "eventually").status == Status.INCOMPLETE
    assert r.status == Status.VIOLATED


def test_a_finite_model_within_the_limit_is_verified():
    model = Graph({"s0": [("a", "s1")], "s1": [("b", "s2")], "s2": []})
    r = check(model, [never("inv", "nowhere")], max_states=3)
    assert r.status == Status.VERIFIED and r.exploration.graph.complete


def test_limits_reported_by_the_model_make_the_result_incomplete():
    model = Graph({"s0": [("a", "s1")], "s1": [("b", "goal")], "goal": []},
                  limits=["channel capacity 5 exceeded"])
    r = check(model, [never("inv", "nowhere"), eventually({"goal"})])
    assert {v.status for v in r.verdicts} == {Status.INCOMPLETE}
    assert verdict(r, "inv").message == "channel capacity 5 exceeded"
    assert r.exploration.limits == ["channel capacity 5 exceeded"]


# ------------------------------------------------------------------ witnesses

def test_a_witness_is_the_shortest_path_to_a_state_the_property_speaks_of():
    model = Graph({"s0": [("a", "s1"), ("b", "w")], "s1": [("c", "w")], "w": []})
    prop = Invariant(name="inv", description="", check=lambda s: None,
                     witness=lambda s: s == "w", witness_text="w reached")
    r = check(model, [prop])
    v = verdict(r, "inv")
    assert v.status == Status.VERIFIED and not v.vacuous
    assert states_of(r, v.witness) == ["s0", "w"]


def test_a_property_whose_states_are_never_reached_is_vacuous():
    model = Graph({"s0": [("a", "s1")], "s1": []})
    prop = Invariant(name="inv", description="", check=lambda s: None,
                     witness=lambda s: s == "w", witness_text="w reached")
    r = check(model, [prop])
    v = verdict(r, "inv")
    assert v.status == Status.VACUOUS and v.witness is None and v.vacuous
    assert v.message == "never reached: w reached"
    assert r.status == Status.VACUOUS and EXIT_CODES[r.status] == 3


def test_an_eventually_whose_goal_holds_in_the_initial_state_is_vacuous():
    """A run that does nothing at all (or loops for ever) would pass it: it proves nothing."""
    model = Graph({"s0": [("a", "s1")], "s1": [("b", "s1")]})
    v = verdict(check(model, [eventually({"s0"})]), "eventually")
    assert v.status == Status.VACUOUS
    assert v.message == "its goal holds in the initial state: no run has to do anything"
    assert verdict(check(model, [eventually({"s1"})]), "eventually").status == Status.VERIFIED


def test_vacuous_ranks_below_violated_and_incomplete():
    model = Graph({"s0": [("a", "s1")], "s1": []})
    vacuous = Invariant(name="vac", description="", check=lambda s: None,
                        witness=lambda s: s == "w", witness_text="w")
    assert check(model, [vacuous, never("inv", "s1")]).status == Status.VIOLATED
    assert check(Counter(), [vacuous], max_states=5).status == Status.INCOMPLETE


def test_a_state_whose_steps_the_model_cut_off_is_not_a_deadlock():
    """"s1" has no successor only because the model dropped the step that would exceed a bound:
    the end-state check must not call it stuck, while a true invariant violation stands."""
    model = Graph({"s0": [("a", "s1"), ("b", "bad")], "s1": []}, limits=["channel capacity 1 exceeded"])
    end = EndState(name="end", description="", check=lambda s: f"stuck in {s}")
    r = check(model, [end, never("inv", "bad")])
    assert verdict(r, "end").status == Status.INCOMPLETE
    assert verdict(r, "end").message == "channel capacity 1 exceeded" and verdict(r, "end").trace == []
    assert verdict(r, "inv").status == Status.VIOLATED
    assert verdict(check(Graph(model.edges), [end]), "end").status == Status.VIOLATED


def test_the_edge_list_numbers_each_distinct_label_once_and_gives_the_edges_back():
    edges = EdgeList()
    edges.append([(("step", 1), 1), ("other", 2)])
    edges.append([(("step", 1), 0)])  # equal to the first label, another object
    edges.append([])
    edges.append([(label, 7) for label in range(70_000)])  # past 2^16 distinct labels
    assert edges[0] == [(("step", 1), 1), ("other", 2)]
    assert edges[1] == [(("step", 1), 0)] and edges[2] == []
    assert edges[3] == [(label, 7) for label in range(70_000)]
    assert len(edges.names) == 2 + 70_000 and edges.codes.typecode == "i"
