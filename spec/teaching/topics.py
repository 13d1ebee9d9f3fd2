"""The topics of `tcpverify explain`: which run of the checker each one shows.

A topic names a scenario, a configuration and a variant, and either a property
whose counterexample it shows or waypoints a witness must pass through in order
(checker.reach.path_through finds the shortest). A topic may also name a kind of
transition (``hazard``) that its counterexample must end with and that the RFC graph,
under the same scenario and faults, is shown never to take. Nothing here is a trace:
the checker computes it each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tcpverify.checker.reach import path_through
from tcpverify.checker.status import Status

from ..suite.run import Outcome, check_scenario
from ..tcp.states import CLOSED, CLOSING, LAST_ACK, TIME_WAIT
from ..tcp.variants import VARIANTS
from ..views.page import Lesson
from ..views.render import story
from ..views.steps import Told
from ..world.config import CHECKABLE, Config
from ..world.system import Step, World, completes_on_old_segment
from .messages import listed, say, violation
from .pages import Picked


@dataclass(frozen=True)
class Topic:
    name: str
    scenario: str
    config: Config
    variant: str | None = None
    property: str | None = None  # show the counterexample of this property ...
    waypoints: tuple[Callable[[World], bool], ...] = ()  # ... or a witness through these
    hazard: Callable[[World, Step, World], bool] | None = None

    def command(self, variant: str | None = "") -> str:
        """The `tcpverify check` command that runs the same check (on ``variant``, if given:
        None for the RFC graph)."""
        c, variant = self.config, self.variant if variant == "" else variant
        opts = [f"--loss {c.loss}"] if c.loss else []
        opts += [f"--dup {c.dup}"] if c.dup else []
        opts += [f"--stale {c.stale}"] if c.stale else []
        opts += [f"--variant {variant}"] if variant else []
        return " ".join(["tcpverify check", self.scenario, *opts])


@dataclass
class Shown:
    """A topic's computed run: the outcome, the trace, where a lasso's loop starts."""

    topic: Topic
    outcome: Outcome
    trace: list
    loop_start: int | None = None
    message: str = ""
    rfc: Outcome | None = None  # the RFC graph's run, for a topic with a hazard

    def picked(self, lang: str) -> Picked:
        """The run as the step-through page shows it."""
        t = self.topic
        return Picked(t.property or t.name, "counterexample" if t.property else "witness", self.trace,
                      self.loop_start, self.message or say(f"topic.{t.name}.title", lang))


def _both(state: str) -> Callable[[World], bool]:
    return lambda w: w.a.state == state and w.b.state == state


def _final_ack_lost(w: World) -> bool:
    """A has sent the final ACK (it is in TIME-WAIT), B is in LAST-ACK, and no ACK is on its way."""
    return w.a.state == TIME_WAIT and w.b.state == LAST_ACK and not w.ab


TOPICS = {t.name: t for t in (
    Topic("why-three-way-handshake", "normal", Config(stale=1), "two-way-handshake",
          property="synchronization"),
    Topic("why-time-wait", "normal", Config(loss=1), "no-time-wait", property="graceful"),
    Topic("why-time-wait-reuse", "reconnect", Config(loss=1, dup=1), "no-time-wait",
          property="synchronization", hazard=completes_on_old_segment),
    Topic("why-2msl", "normal", Config(loss=1), "time-wait-too-short", property="graceful"),
    Topic("why-fin-wait-2", "normal", Config(), "no-fin-wait-2", property="graceful"),
    Topic("simultaneous-close", "simultaneous-close", Config(),
          waypoints=(_both(CLOSING), _both(TIME_WAIT))),
    Topic("lost-final-ack", "normal", Config(loss=1),
          waypoints=(_final_ack_lost, lambda w: w.a.state == TIME_WAIT and w.b.state == CLOSED,
                     _both(CLOSED))),
)}


def show(topic: Topic) -> Shown | None:
    """Run the checker for ``topic``; None when the run it expects is not there."""
    variant = VARIANTS[topic.variant] if topic.variant else None
    o = check_scenario(CHECKABLE[topic.scenario], topic.config, variant)
    if topic.property is not None:
        v = o.verdict(topic.property)
        if v.status != Status.VIOLATED:
            return None
        if topic.hazard is None:
            return Shown(topic, o, v.trace, v.loop_start, v.message)
        (_, before), (label, after) = v.trace[-2:]
        if not topic.hazard(o.state(before), label, o.state(after)):
            return None
        return Shown(topic, o, v.trace, v.loop_start, v.message,
                     check_scenario(CHECKABLE[topic.scenario], topic.config))
    trace = path_through(o.result.exploration.graph, topic.waypoints)
    return None if trace is None else Shown(topic, o, trace)


def topic_list(lang: str) -> str:
    return "\n".join([say("topics.header", lang)]
                     + [f"  {name:26} {say(f'topic.{name}.title', lang)}" for name in TOPICS])


def lesson(shown: Shown, lang: str) -> Lesson:
    """A topic's texts around its run: the question, the introduction, the command that runs
    the same check and what the checker found, then what the run shows."""
    t = shown.topic
    n = len(shown.trace) - 1
    found = say("run.violated", lang, property=t.property, message=violation(shown.message, lang), length=n) \
        if t.property else say("run.witness", lang, length=n)
    after = (say(f"topic.{t.name}.outro", lang),)
    if shown.rfc is not None:
        verified = [v.property for v in shown.outcome.result.verdicts if v.status == Status.VIOLATED
                    and shown.rfc.verdict(v.property).status == Status.VERIFIED]
        after += (say(f"topic.{t.name}.rfc", lang, command=t.command(None),
                      states=shown.rfc.result.exploration.stats.states,
                      taken=len(shown.rfc.transitions(t.hazard)), verified=listed(verified, lang)),)
    return Lesson(say(f"topic.{t.name}.question", lang),
                  (say(f"topic.{t.name}.intro", lang), say("run.live", lang, command=t.command()), found),
                  after)


def explanation(shown: Shown, told: Told) -> str:
    """A topic's texts around its told run."""
    told_lesson = lesson(shown, told.lang)
    intro, live, found = told_lesson.before
    return "\n".join([say(f"topic.{shown.topic.name}.title", told.lang), "", intro, "", live, found, ""]
                     + story(told) + ["", "\n\n".join(told_lesson.after)])
