"""The explorer page (tcpverify explore): one self-contained HTML file, no network and no
external script, that lets a student play a run over its explored state graph. Its HTML, CSS
and script are the package file templates/explorer.html; the states arrive as JSON, all of them
embedded, or (data without "graph") asked one at a time of the local server of --serve."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from .template import template

TEMPLATE = template("explorer.html")


def explorer_page(data: dict) -> str:
    """The page of `data` (spec.teaching.explorer.Explorer's meta, with or without the graph)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return TEMPLATE.substitute(lang=data["lang"], title=escape(data["title"]), data=text,
                               **{k: escape(v) for k, v in data["words"].items()})
