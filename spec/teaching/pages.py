"""What the step-through page of a run shows (a property's counterexample, else the longest
witness), and the page itself in the reader's language (tcpverify trace --html, explain --html)."""

from __future__ import annotations

from dataclasses import dataclass

from tcpverify.checker.status import Status

from ..suite.run import Outcome
from ..views.graph import graph_view
from ..views.page import WORDS, Lesson, step_through
from ..views.pictures import chart, sequence_svg, state_diagram_svg
from ..views.steps import Told
from .messages import diagram_words, errors, say, violation, words


@dataclass
class Picked:
    """The trace a page shows: a property's counterexample, or its witness."""

    property: str
    kind: str  # "counterexample" or "witness"
    trace: list
    loop_start: int | None
    message: str


def pick(o: Outcome, prop: str | None = None) -> Picked | None:
    """The first violated property's counterexample (of `prop`, if given), else the longest witness."""
    verdicts = [v for v in o.result.verdicts if prop in (None, v.property)]
    for v in verdicts:
        if v.status == Status.VIOLATED:
            return Picked(v.property, "counterexample", v.trace, v.loop_start, v.message)
    witnessed = [v for v in verdicts if v.witness is not None]
    if not witnessed:
        return None
    v = max(witnessed, key=lambda v: len(v.witness))
    return Picked(v.property, "witness", v.witness, None, v.witness_text)


def describe(o: Outcome, picked: Picked, lang: str) -> str:
    variant = say("page.variant", lang, variant=o.variant.name) if o.variant else ""
    return say(f"page.{picked.kind}", lang, run=f"{o.scenario.name} ({o.config.name}{variant})",
               property=picked.property, steps=len(picked.trace) - 1)


def page(o: Outcome, picked: Picked, told: Told, lesson: Lesson | None = None,
         heading: str | None = None) -> str:
    """The step-through page of `told`, the narration of `picked`; explain gives its topic's
    `heading` and `lesson`."""
    title = describe(o, picked, told.lang)
    context = {"scenario": o.scenario.name, "configuration": o.config.name,
               "variant": o.variant.name if o.variant else None, "status": o.status,
               "property": picked.property, "kind": picked.kind, "message": picked.message}
    page_title = say("page.lesson", told.lang, what=heading) if heading else say("page.title", told.lang, what=title)
    return step_through(told, context, page_title,
                        violation(picked.message, told.lang),
                        words("page", WORDS, told.lang), errors(told.lang),
                        state_diagram_svg(graph_view(o.system.machine.graph), diagram_words(told.lang)), sequence_svg(chart(told), title),
                        lesson)
