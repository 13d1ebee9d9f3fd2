"""The invariants' verdicts on the states a search meets, each check computed once per value
of the fields of the state it reads (Invariant.reads)."""

from __future__ import annotations

from operator import attrgetter
from typing import Callable, Hashable, Sequence

from .properties import Invariant

_UNSEEN = object()


class Invariants:
    """``invariants(state)``: (name, message) of each invariant that state violates.

    The invariants that read the same fields share one memo, keyed on ``project(fields)(state)``
    when the model gives it (checker.model.Compact: a compact state's ids, so a key is hashed
    as a few ints and keeps nothing decoded alive), else on the fields' values; ``decode``
    gives what the checks read from what is keyed, on a miss only."""

    def __init__(self, invariants: Sequence[Invariant],
                 project: Callable[[tuple[str, ...]], Callable[[object], Hashable]] | None = None,
                 decode: Callable[[object], object] | None = None):
        groups: dict[tuple[str, ...], list[Invariant]] = {}
        for p in invariants:
            groups.setdefault(p.reads, []).append(p)
        project = project or (lambda fields: attrgetter(*fields))
        self.groups = [(project(reads) if reads else None, {}, tuple(ps)) for reads, ps in groups.items()]
        self.decode = decode or (lambda state: state)

    def __call__(self, state) -> list[tuple[str, str]]:
        out: list = []
        for key_of, memo, props in self.groups:
            if key_of is None:
                found = self._checked(props, state)
            else:
                key = key_of(state)
                found = memo.get(key, _UNSEEN)
                if found is _UNSEEN:
                    found = memo[key] = self._checked(props, state)
            if found:
                out += found
        return out

    def _checked(self, props: tuple[Invariant, ...], state) -> tuple | None:
        """(name, message) per invariant violated, None for none."""
        w = self.decode(state)
        return tuple((p.name, msg) for p in props if (msg := p.check(w)) is not None) or None
