"""The pages' templates, package data under templates/: each a string.Template whose $head is
replaced by the head the pages share (templates/head.html: charset, title, the common style)."""

from __future__ import annotations

from importlib.resources import files
from string import Template


def template(name: str) -> Template:
    folder = files(__package__).joinpath("templates")
    head = folder.joinpath("head.html").read_text(encoding="utf-8").rstrip("\n")
    return Template(folder.joinpath(name).read_text(encoding="utf-8").replace("$head", head, 1))
