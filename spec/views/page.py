"""The step-through page: one self-contained HTML file that steps through a told trace on the
state diagram and the message sequence chart. Its HTML, CSS and script are the package file
templates/step-through.html (with the shared head.html); the page receives the narrated steps as JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .steps import Told, tcb_heads
from .template import template

TEMPLATE = template("step-through.html")
# the page's own words, besides the narrator's; "state" and "error" head the TCB table's rows
WORDS = ("prev", "next", "keys", "step", "tcb", "state", "error")


@dataclass(frozen=True)
class Lesson:
    """The text a run is shown for (tcpverify explain): plain text, `code` in backquotes."""

    question: str
    before: tuple[str, ...]  # paragraphs above the run: what it sets out to show
    after: tuple[str, ...]  # paragraphs below it: what the run showed


def step_through(told: Told, context: dict, title: str, message: str, words: dict[str, str],
                 errors: dict[str, str], diagram: str, chart: str, lesson: Lesson | None = None) -> str:
    """The page: `context` names the run (embedded as data beside the steps), `words` gives the
    text of each of WORDS, `errors` what each error a TCB holds says (spec/tcp/rules.py), `diagram`
    and `chart` are the two SVG pictures, `lesson` the text around the run, if any (also embedded
    as data). Every text the page's script draws is in the data: the narrator's words, the TCB
    table's row heads (the RFC's names of the sequence variables, and `words`) and `errors`."""
    data = dict(context, loop_start=told.loop_start, loop=told.loop, back=told.back, fields=tcb_heads(words),
                errors=errors, steps=[dict(s.as_dict(), told=s.told) for s in told.steps])
    if lesson is not None:
        data["lesson"] = {"question": lesson.question, "before": lesson.before, "after": lesson.after}
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    before = [f'<p class="question">{_html(lesson.question)}</p>', *map(_para, lesson.before)] if lesson else []
    return TEMPLATE.substitute(lang=told.lang, title=escape(title), message=escape(message),
                               example=escape(told.example or ""), diagram=diagram, chart=chart,
                               data=text, lesson=_section(before),
                               lesson_after=_section([_para(p) for p in lesson.after] if lesson else []),
                               **{k: escape(words[k]) for k in WORDS})


def _section(paragraphs: list[str]) -> str:
    return "\n".join(['<section class="lesson">', *paragraphs, "</section>"]) if paragraphs else ""


def _html(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _para(text: str) -> str:
    return f"<p>{_html(text)}</p>"
