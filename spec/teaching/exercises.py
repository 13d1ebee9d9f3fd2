"""The exercises of `tcpverify exercise`: each poses a task and grades the student's answer
with the checker (a variant file it runs, a number of steps or two states it compares with a
run it computes). Nothing here holds an answer: the checker computes it at each grading."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from tcpverify.checker.status import Status

from ..suite.run import check_scenario
from ..tcp.machine import build_graph
from ..tcp.states import CLOSED, LISTEN, STATES, SYN_RECEIVED, SYN_SENT
from ..tcp.variant_file import VariantFileError, load_variant
from ..views.render import format_trace
from ..views.steps import LOSE
from ..world.config import SCENARIOS, Config
from .messages import say, violation
from .narrator import narrate, narrate_verdict
from .topics import TOPICS, Shown, show

HANDSHAKE = (CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED)  # RFC 9293 3.5: the states the open passes


class BadAnswer(Exception):
    """An answer that cannot be graded (a broken file, a word that is no state): one line."""


@dataclass(frozen=True)
class Grade:
    right: bool
    found: tuple[str, ...]  # what the checker found, in the reader's language


@dataclass(frozen=True)
class Exercise:
    name: str
    answer: str  # what --answer takes: "FILE" or "VALUE"
    task: Callable[[str], list[str]]  # lang -> the task's lines beyond its catalogue text
    grade: Callable[[str, str], Grade]  # (answer, lang) -> Grade; raises BadAnswer


def changed_edges(base, mine) -> list[str]:
    """The names of the edges a variant's graph adds, removes or changes against ``base``."""
    a = {k: (u, v, d) for u, v, k, d in base.edges(keys=True, data=True)}
    b = {k: (u, v, d) for u, v, k, d in mine.edges(keys=True, data=True)}
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


# ------------------------------------------------------------ break the handshake

def _no_task(lang: str) -> list[str]:
    return []


def _grade_handshake(path: str, lang: str) -> Grade:
    try:
        variant = load_variant(path)
        base, mine = build_graph(), variant.apply(build_graph())
    except VariantFileError as e:
        raise BadAnswer(str(e)) from None
    changed = changed_edges(base, mine)
    if base.graph != mine.graph or len(changed) != 1:
        names = ", ".join(changed + ([] if base.graph == mine.graph else ["fin_len"]))
        return Grade(False, (say("exercise.handshake.not-one", lang, n=len(changed) + (base.graph != mine.graph),
                                 names=names or "-"),))
    (name,) = changed
    src = next((u for u, _, k in list(base.edges(keys=True)) + list(mine.edges(keys=True)) if k == name))
    if src not in HANDSHAKE:
        return Grade(False, (say("exercise.handshake.not-open", lang, edge=name, state=src),))
    o = check_scenario(SCENARIOS["normal"], Config(), variant)
    broken = [v for v in o.result.verdicts if v.status == Status.VIOLATED]
    if not broken:
        return Grade(False, (say("exercise.handshake.holds", lang, edge=name, status=o.status),))
    v = broken[0]
    return Grade(True, (say("exercise.handshake.broken", lang, edge=name, state=src, property=v.property,
                            message=violation(v.message, lang), length=v.length),
                        format_trace(narrate_verdict(o, v, lang))))


# ------------------------------------------------------------ TIME-WAIT saves a connection

def _saved() -> Shown:
    shown = show(TOPICS["lost-final-ack"])
    if shown is None:
        raise RuntimeError("the checker no longer finds the run of lost-final-ack")
    return shown


def _grade_saved(answer: str, lang: str) -> Grade:
    if not answer.isdigit():
        raise BadAnswer(f"the answer is a number of steps, a whole number, not '{answer}'")
    shown = _saved()
    n, steps = int(answer), len(shown.trace) - 1
    if n == steps:
        return Grade(True, (say("exercise.saved.right", lang, steps=steps, command=shown.topic.command()),
                            format_trace(narrate(shown.outcome, shown.trace, shown.loop_start, lang))))
    return Grade(False, (say("exercise.saved.shorter" if n > steps else "exercise.saved.none", lang, n=n),))


# ------------------------------------------------------------ predict the states

def _until_lost(lang: str):
    """The lost-final-ack run up to the step that loses a segment, told in ``lang``."""
    shown = _saved()
    told = narrate(shown.outcome, shown.trace, shown.loop_start, lang)
    last = next(s.step for s in told.steps if s.kind == LOSE)
    return told.steps[:last + 1]


def _predict_task(lang: str) -> list[str]:
    steps = _until_lost(lang)
    return [f"{s.step:3d}. {s.head}" for s in steps] + \
        ["", say("exercise.predict.ask", lang, step=steps[-1].step)]


def _grade_predict(answer: str, lang: str) -> Grade:
    words = [w.strip().upper().replace("_", "-") for w in answer.split(",")]
    if len(words) != 2 or any(w not in STATES for w in words):
        raise BadAnswer(f"the answer is two states, A's then B's, such as ESTABLISHED,CLOSE-WAIT "
                        f"(states: {', '.join(STATES)}), not '{answer}'")
    last = _until_lost(lang)[-1]
    truth = (last.a.state, last.b.state)
    wrong = tuple(say("exercise.predict.wrong", lang, x=x, answer=w)
                  for x, t, w in zip("AB", truth, words) if t != w)
    if wrong:
        return Grade(False, wrong)
    return Grade(True, (say("exercise.predict.right", lang, a=truth[0], b=truth[1], step=last.step),
                        *last.told[1:]))


EXERCISES = {e.name: e for e in (
    Exercise("break-the-handshake", "FILE", _no_task, _grade_handshake),
    Exercise("time-wait-saves", "VALUE", _no_task, _grade_saved),
    Exercise("predict-the-states", "VALUE", _predict_task, _grade_predict),
)}


def exercise_list(lang: str) -> str:
    return "\n".join([say("exercise.header", lang)]
                     + [f"  {name:22} {say(f'exercise.{name}.title', lang)}" for name in EXERCISES])


def task(name: str, lang: str) -> str:
    e = EXERCISES[name]
    more = e.task(lang)
    return "\n".join([say(f"exercise.{name}.title", lang), "", say(f"exercise.{name}.task", lang),
                      *(["", *more] if more else []), "",
                      say("exercise.how", lang, name=name, answer=e.answer)])
