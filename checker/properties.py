"""Property kinds: invariants, end-state conditions, and "eventually" under fairness.

Each property names the assumptions it holds under and may give a witness
predicate: the states it speaks of, which the checker must reach for the
verdict not to be vacuous.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Hashable


@dataclass(frozen=True, kw_only=True)
class Property:
    name: str
    description: str
    assumptions: str = ""
    witness: Callable[[object], bool] | None = field(default=None, compare=False)
    witness_text: str = ""


@dataclass(frozen=True, kw_only=True)
class Invariant(Property):
    """``check(state)`` returns None, or a sentence saying what is wrong, on every reachable state.
    ``reads``: the fields of the state (its attributes) the check reads, when not all: a search
    computes it once per their values (checker.memo)."""

    check: Callable[[object], str | None] = field(compare=False)
    reads: tuple[str, ...] = ()
    # check as a conjunction: (reads, check) per part, tried in order, the first message the
    # invariant's. A search memoizes each part on its own fields (fewer values than all of them).
    parts: tuple[tuple[tuple[str, ...], Callable[[object], str | None]], ...] = field(default=(), compare=False)

    @classmethod
    def conjunction(cls, parts: tuple, **common) -> "Invariant":
        """The invariant whose check is the parts' (reads, check) in order."""
        def check(state):
            for _, part in parts:
                msg = part(state)
                if msg is not None:
                    return msg
            return None
        reads = tuple(dict.fromkeys(f for fields, _ in parts for f in fields))
        return cls(check=check, reads=reads, parts=parts, **common)

    def pieces(self) -> tuple:
        """(reads, check) per part: the invariant whole when it has no parts."""
        return self.parts or ((self.reads, self.check),)


@dataclass(frozen=True, kw_only=True)
class EndState(Property):
    """``check(state)`` on every reachable state with no successor."""

    check: Callable[[object], str | None] = field(compare=False)


@dataclass(frozen=True, kw_only=True)
class Eventually(Property):
    """Every fair run reaches a ``goal`` state.

    ``fairness(label)`` gives the fairness class of a step, or None. Strong
    fairness: a class enabled infinitely often is taken infinitely often.
    """

    goal: Callable[[object], bool] = field(compare=False)
    reads: tuple[str, ...] = ()  # the fields of the state goal reads, when not all (as Invariant's)
    fairness: Callable[[Hashable], Hashable | None] = field(compare=False)
    fairness_text: str = ""
