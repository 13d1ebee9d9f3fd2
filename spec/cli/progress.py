"""Progress of a long run on a terminal: one line, redrawn in place.

The engine calls back every so many states (checker.explore.Progress); the meter
draws at most ten times a second, and only on a terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
import time

REDRAW_SECONDS = 0.1


class Meter:
    def __init__(self, stream):
        self.stream = stream
        self.label = ""
        self.drawn = float("-inf")

    def start(self, label: str) -> None:
        self.label = label
        self.drawn = float("-inf")
        self._draw(label)

    def __call__(self, states: int, transitions: int, queue: int, seconds: float) -> None:
        now = time.monotonic()
        if now - self.drawn < REDRAW_SECONDS:
            return
        self.drawn = now
        rate = states / seconds if seconds > 0 else 0.0
        figures = f": {states:,} states, {rate:,.0f} states/s, queue {queue:,}"
        room = self._columns() - 1 - len(figures)  # the last column would wrap some terminals
        label = self.label if len(self.label) <= room else self.label[:max(room - 1, 0)] + "…"
        self._draw(label + figures)

    def close(self) -> None:
        self._draw("")

    def _draw(self, text: str) -> None:
        text = text[:self._columns() - 1]
        self.stream.write("\r\x1b[K" + text)  # back to the line's start, clear it
        self.stream.flush()

    def _columns(self) -> int:
        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, ValueError, OSError):  # no terminal behind it: $COLUMNS, else 80
            return shutil.get_terminal_size().columns


def meter(quiet: bool, stream=None) -> Meter | None:
    """A Meter on stderr when it is a terminal and quiet was not asked for; else None."""
    stream = stream or sys.stderr
    return None if quiet or not stream.isatty() else Meter(stream)


def add_quiet(parser) -> None:
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line (it is shown only when stderr is a terminal)")
