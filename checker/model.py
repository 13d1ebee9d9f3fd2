"""What the engine needs from a model (in the spirit of stateright's Model trait)."""

from __future__ import annotations

from typing import Hashable, Iterable, Protocol, Sequence, TypeVar

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
