"""checker.reach: shortest runs that meet conditions in order, on a model that is not TCP."""

from tcpverify.checker.explore import explore
from tcpverify.checker.reach import shortest_run


class Ring:
    """States 0..5 on a ring; from each, +1 or +3 (mod 6); label says which."""

    def init_states(self):
        return [0]

    def successors(self, s):
        return [("+1", (s + 1) % 6), ("+3", (s + 3) % 6)]

    def limits_hit(self):
        return []


def test_the_run_meets_the_stages_in_order_and_is_shortest():
    g = explore(Ring(), []).graph
    at = lambda n: lambda label, s: s == n  # noqa: E731
    run = shortest_run(g, [at(4), at(1)])
    assert [g.states[i] for _, i in run] == [0, 1, 4, 1]  # of the two shortest, the first in BFS order
    assert [label for label, _ in run] == [None, "+1", "+3", "+3"]


def test_a_stage_may_speak_of_the_step_taken():
    g = explore(Ring(), []).graph
    run = shortest_run(g, [lambda label, s: label == "+1" and s == 3])
    assert [g.states[i] for _, i in run] == [0, 1, 2, 3]


def test_the_initial_state_can_meet_a_stage_and_an_unmet_stage_gives_none():
    g = explore(Ring(), []).graph
    assert shortest_run(g, [lambda label, s: s == 0]) == [(None, 0)]
    assert shortest_run(g, [lambda label, s: s == 7]) is None
