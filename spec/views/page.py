"""The step-through page: one self-contained HTML file that steps through a told trace on the
state diagram and the message sequence chart. Its HTML, CSS and script are the package file
templates/step-through.html; the page receives the narrated steps as JSON."""

from __future__ import annotations

import json
from importlib.resources import files
from string import Template
from xml.sax.saxutils import escape

from .steps import TCB_FIELDS, Told

TEMPLATE = Template(files(__package__).joinpath("templates/step-through.html").read_text(encoding="utf-8"))
WORDS = ("prev", "next", "keys", "step", "tcb")  # the page's own words, besides the narrator's


def step_through(told: Told, context: dict, title: str, message: str, words: dict[str, str],
                 diagram: str, chart: str) -> str:
    """The page: `context` names the run (embedded as data beside the steps), `words` gives the
    text of each of WORDS, `diagram` and `chart` are the two SVG pictures."""
    data = dict(context, loop_start=told.loop_start, loop=told.loop, back=told.back, fields=TCB_FIELDS,
                steps=[dict(s.as_dict(), told=s.told) for s in told.steps])
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    return TEMPLATE.substitute(lang=told.lang, title=escape(title), message=escape(message),
                               example=escape(told.example or ""), diagram=diagram, chart=chart,
                               data=text, **{k: escape(words[k]) for k in WORDS})
