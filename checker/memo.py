"""What a search computes of every state it meets (invariants' verdicts, liveness goals), each
computed once per value of the fields of the state it reads."""

from __future__ import annotations

from functools import partial
from operator import attrgetter
from typing import Callable, Hashable, Sequence

from .properties import Eventually, Invariant, Property

Project = Callable[[tuple[str, ...]], Callable[[object], Hashable]]
_UNSEEN = object()


def memoized(fn: Callable, reads: tuple[str, ...], project: Project | None = None,
             decode: Callable | None = None) -> Callable:
    """state -> fn(decode(state)), computed once per value of the fields fn reads (every time
    when ``reads`` is empty). The memo is keyed on ``project(reads)(state)`` when the model
    gives it (checker.model.Compact: a compact state's ids, so a key is hashed as a few ints
    and keeps nothing decoded alive), else on the fields' values; a state is decoded on a miss
    only."""
    decode = decode or (lambda state: state)
    if not reads:
        return lambda state: fn(decode(state))
    key_of = (project or (lambda fields: attrgetter(*fields)))(reads)
    memo: dict = {}

    def cached(state):
        key = key_of(state)
        found = memo.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = memo[key] = fn(decode(state))
        return found

    return cached


class Invariants:
    """``invariants(state)``: (name, message) of each invariant that state violates; the parts
    of invariants that read the same fields share one memo (memoized)."""

    def __init__(self, invariants: Sequence[Invariant], project: Project | None = None,
                 decode: Callable | None = None):
        self.groups = [memoized(fn, reads, project, decode) for reads, fn in grouped(invariants)]

    def __call__(self, state) -> list[tuple[str, str]]:
        found: list = []
        for violated in self.groups:
            found += violated(state) or ()
        return first_messages(found)


def grouped(invariants: Sequence[Invariant]) -> list[tuple[tuple[str, ...], Callable]]:
    """(fields read, state -> violated(those parts, state)) per group of the invariants' parts
    (Invariant.pieces) that read the same fields: one memo serves a group."""
    groups: dict[tuple[str, ...], list] = {}
    for p in invariants:
        for k, (reads, check) in enumerate(p.pieces()):
            groups.setdefault(reads, []).append((p.name, k, check))
    return [(reads, partial(violated, tuple(parts))) for reads, parts in groups.items()]


def violated(parts: tuple, w) -> tuple | None:
    """(name, part number, message) per part violated in w, None for none."""
    return tuple((name, k, msg) for name, k, check in parts if (msg := check(w)) is not None) or None


def first_messages(found) -> list[tuple[str, str]]:
    """(name, message) per invariant, from the (name, part number, message) of its parts
    violated in one state: the first part's, as the invariant's check says."""
    first: dict = {}
    for name, k, msg in sorted(found, key=lambda f: f[1]):
        first.setdefault(name, msg)
    return list(first.items())


class Goals:
    """For each Eventually property, whether each state met is not its goal (``bad[name]``, a
    flag per state in the order met: what liveness reads), the goal memoized as above."""

    def __init__(self, properties: Sequence[Property], project: Project | None = None,
                 decode: Callable | None = None):
        eventually = [p for p in properties if isinstance(p, Eventually)]
        self.bad = {p.name: bytearray() for p in eventually}
        self._goals = [(self.bad[p.name], memoized(p.goal, p.reads, project, decode)) for p in eventually]

    def __call__(self, state) -> None:
        for bad, goal in self._goals:
            bad.append(not goal(state))


class Witnesses:
    """``witnesses(state)``: the names of the properties whose witness state is, each named the
    first time only; a state is decoded only while a witness is still sought."""

    def __init__(self, properties: Sequence[Property], decode: Callable | None = None):
        self.sought = [p for p in properties if p.witness is not None]
        self.decode = decode

    def __call__(self, state) -> list[str]:
        if not self.sought:
            return []
        w = state if self.decode is None else self.decode(state)
        found = [p.name for p in self.sought if p.witness(w)]
        if found:
            self.sought = [p for p in self.sought if p.name not in found]
        return found
