"""What the engine needs from a model (in the spirit of stateright's Model trait)."""

from __future__ import annotations

from typing import Callable, Hashable, Iterable, Protocol, Sequence, TypeVar

S = TypeVar("S", bound=Hashable)
L = TypeVar("L", bound=Hashable)


class Model(Protocol[S, L]):
    """States are immutable, hashable and canonical; labels name the step taken."""

    def init_states(self) -> Sequence[S]:
        ...

    def successors(self, state: S) -> Iterable[tuple[L, S]]:
        """Every step enabled in ``state``, in a fixed order."""
        ...

    def limits_hit(self) -> list[str]:
        """Bounds the model met while stepping (each makes the verdict INCOMPLETE)."""
        ...

    # Optional: ``doubtful(state) -> bool``, true when the state is reached, or judged, only
    # through a decision the model could not make (a solver's unknown); a violation there is
    # INCOMPLETE, not VIOLATED.

class PartitionedModel(Model[S, L], Protocol):
    """A model whose successor function keeps tallies (statistics, bounds met) that a
    partitioned search gathers from every worker's copy into rank 0's."""

    def tallies(self) -> object:
        """This copy's tallies, picklable."""
        ...

    def absorb(self, tallies: object) -> None:
        """Add another copy's tallies to this one's."""
        ...

    def restart_tallies(self) -> None:
        """Count from zero: this copy was forked from one that keeps what was counted so far
        (checker.partitioned_levels forks its ranks when a level grows large)."""
        ...


class Compact(Model[S, L], Protocol):
    """A model searched on compact states: a state is a tuple of ids of interned parts, each
    process's own. Properties, traces and reports see states decoded; ``stable`` hashes a
    state alike in every process (which worker owns it; hash compaction's fingerprints);
    ``project`` keys a memo on ids; ``part`` and ``intern`` carry a part from one process's
    ids to another's."""

    def decode(self, state: S) -> object:
        ...

    def encode(self, readable: object) -> S:
        ...

    def stable(self, state: S) -> int:
        ...

    def project(self, fields: tuple[str, ...]) -> Callable[[S], Hashable]:
        """state -> the ids its decoded state's ``fields`` are stored under (a memo's key)."""
        ...

    def part(self, j: int, i: int) -> object:
        """The value of id i at position j of a state."""
        ...

    def intern(self, j: int, values: list) -> list[int]:
        """The ids of values at position j of a state, in this process (values that arrived
        together, which may share their parts)."""
        ...


class Batched(Compact[S, L], Protocol):
    """A compact model whose successors a search can compute for a block of states at once
    (checker.levels): a state is a row of ``width`` non-negative ids, and a block of them a
    numpy array of rows of int32. ``expand(rows)`` is (owner, labels, targets): every
    successor of every row, in the order of ``successors`` for each row and of the rows,
    with its row's position and its label's number in ``labels``. ``columns(fields)``: the
    positions that hold these fields of a decoded state (as ``project``); ``hashes(j, n)``: the
    stable hashes (as ``stable``'s) of the ids 0 to n - 1 at position j (hash compaction)."""

    width: int
    labels: Sequence[L]

    def expand(self, rows: "numpy.ndarray") -> tuple["numpy.ndarray", "numpy.ndarray", "numpy.ndarray"]:
        ...

    def columns(self, fields: tuple[str, ...]) -> tuple[int, ...]:
        ...

    def hashes(self, j: int, n: int) -> Sequence[int]:
        ...
