"""The fast tier (`pytest -m "not slow"`) keeps a sample of a long parametrization; the whole
suite runs every case."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest


def sampled(cases: Iterable, fast: Callable[[object], bool],
            name: Callable[[object], str] | None = None) -> list:
    """Each case as a pytest param (a tuple case unpacked, its id `name(case)` if given), marked
    `slow` unless `fast(case)`."""
    return [pytest.param(*(c if isinstance(c, tuple) else (c,)), id=name and name(c),
                         marks=() if fast(c) else pytest.mark.slow) for c in cases]
