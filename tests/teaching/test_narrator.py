"""The one narrator: what kind each step is, the words it gives each kind, and replay's steps."""

from pathlib import Path

from tcpverify.spec.cli.replay import Replay
from tcpverify.spec.conformance.capture import read
from tcpverify.spec.conformance.linux import LINUX
from tcpverify.spec.conformance.replay import ReplayStep
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.machine import SEGMENT, USER_CALLS, build_graph
from tcpverify.spec.teaching.messages import MESSAGES, say
from tcpverify.spec.teaching.narrator import narrate, narrate_replay, net_action, segment_words
from tcpverify.spec.views.steps import CALL, CAPTURE, DUPLICATE, FORGE, INIT, LOSE, RECEIVE, TIMER
from tcpverify.spec.world.config import SCENARIOS, Config

CAPTURES = Path(__file__).parents[1] / "data" / "captures"


def test_the_timers_the_catalogue_names_are_the_graphs():
    """A step on an event is told as a timer when the catalogue names the event: every event of
    the RFC graph and of the Linux profile's that no application makes."""
    events = {d["event"] for g in (build_graph(), LINUX.apply(build_graph())) for _, _, d in g.edges(data=True)}
    timers = events - set(USER_CALLS) - {SEGMENT}
    assert timers and {k.removeprefix("event.") for k in MESSAGES if k.startswith("event.")} == timers


def test_each_fault_of_the_network_is_told_as_what_it_is():
    o = check_scenario(SCENARIOS["abort"], Config(loss=1, dup=1, forge=1, retries=1))
    spent = lambda w: w.budget[0] == w.budget[1] == w.budget[3] == 0  # noqa: E731
    g = o.result.exploration.graph
    trace = g.path_to(next(i for i, w in enumerate(g.states) if spent(w)))  # BFS order: a shortest
    for lang in ("en", "zh"):
        told = narrate(o, trace, lang=lang)
        kinds = [s.kind for s in told.steps]
        assert kinds[0] == INIT and {LOSE, DUPLICATE, FORGE, CALL, RECEIVE} <= set(kinds)
        for s in told.steps:
            if s.actor == "net":
                assert s.told[0] == say(f"step.{s.kind}", lang, actor=s.to, peer="BA"[s.to == "B"])
                assert s.head == say("head.net", lang, action=net_action(s.kind, s.action, lang),
                                     peer="BA"[s.to == "B"], actor=s.to,
                                         segment=segment_words(s.segment, lang))


def test_timers_are_told_in_words():
    o = check_scenario(SCENARIOS["normal"], Config())
    v = max((v for v in o.result.verdicts if v.witness), key=lambda v: len(v.witness))
    told = narrate(o, v.witness, lang="zh")
    timers = [s for s in told.steps if s.kind == TIMER]
    assert timers and all(say(f"event.{s.event}", "zh") in s.told[0] for s in timers)


def test_replay_is_told_by_the_narrator_in_either_language():
    (conn,), _ = read(str(CAPTURES / "lost-fin.pcap"))
    v, _, _ = Replay("rfc", captured_on="10.77.0.1").check(conn)
    assert v.conforms
    en, zh = (narrate_replay(conn.segments, v.steps, lang) for lang in ("en", "zh"))
    assert [s.kind for s in en] == [s.kind for s in zh]
    captured = [s for s in en if s.kind == CAPTURE]
    assert [s.number for s in captured] == list(range(len(conn.segments)))
    assert all(s.segment == conn.segments[s.number].segment and s.sent_by for s in captured)
    unseen = [s for s in en if s.unseen]  # B's ACK of the FIN, delayed into B's FIN (RFC 1122 4.2.3.2)
    assert len(unseen) == 1 and "CTL=ACK" in str(unseen[0].unseen[0])
    assert unseen[0].head.endswith("its ACK also acknowledges what a delayed ACK would have: "
                                   + str(unseen[0].unseen[0]))
    for e, z in zip(en, zh):
        if e.kind == CAPTURE:
            assert f"captured (sent by {e.sent_by})" in e.head and "被捕获" in z.head
    # a captured segment lost after the capture point (no real capture here has one)
    after = v.steps[-1][1]
    (lost,) = narrate_replay(conn.segments, [(ReplayStep("net", "lost", n=8), after)])
    assert (lost.kind, lost.head, lost.to) == (LOSE, "#9 lost after the capture point", "B")
