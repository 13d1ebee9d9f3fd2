"""The words a verdict is given in: one enumeration, spelled as the outputs print them.

A member is a str, so JSON, text and comparisons with the printed word are unchanged.
"""

from __future__ import annotations

from enum import Enum


class _Word(str, Enum):
    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__


class Status(_Word):
    # a property, a run, a suite (checker.verdict)
    VERIFIED = "VERIFIED"
    VIOLATED = "VIOLATED"
    INCOMPLETE = "INCOMPLETE"  # a limit was hit, or Z3 gave up: never "verified"
    VACUOUS = "VACUOUS"  # nothing it speaks of was reached, or its goal held from the start
    # a Z3 obligation (checker.proofs)
    PROVED = "PROVED"
    REFUTED = "REFUTED"
    UNKNOWN = "UNKNOWN"  # Z3 gave up or timed out: never proved
    # a bad-state query of bounded model checking (checker.bmc)
    FOUND = "FOUND"
    NOT_FOUND = "NOT_FOUND"  # unreachable within the bound searched


class Expect(_Word):
    """What an obligation is meant to come out as."""

    HOLDS = "holds"  # the formula is meant to be valid
    FAILS = "fails"  # a teaching counterexample: the formula is meant to be refuted

