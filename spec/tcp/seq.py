"""Sequence-number arithmetic, RFC 9293 section 3.4 (RFC 1982 serial numbers).

The comparisons are written once over a small backend interface and are
evaluated on Python ints (``INT``) or on Z3 32-bit bit-vectors (``BITVEC``).

Model values are ``SeqVal(base, off)``: a symbolic base (an ISN, or the
arbitrary number an old duplicate carries) plus a small offset. ``CONST`` is
the base whose value is 0, so ``SeqVal(CONST, n)`` is the concrete number n.
"""

from __future__ import annotations

from typing import NamedTuple

from .z3lazy import z3

BITS = 32
MOD = 1 << BITS
HALF = 1 << (BITS - 1)
CONST = "#"
# Offsets of one base are compared as integers; the lemma "b+i < b+j iff i < j"
# holds for every base b when |i - j| < 2^31 (proved in tests/test_seq.py).
OFFSET_BOUND = 1 << 16


class IntOps:
    """Concrete backend: Python ints modulo 2^32."""

    @staticmethod
    def const(v):
        return v % MOD

    @staticmethod
    def sub(a, b):
        return (a - b) % MOD

    @staticmethod
    def add(a, b):
        return (a + b) % MOD

    @staticmethod
    def ult(a, b):
        return a < b

    @staticmethod
    def eq(a, b):
        return a == b

    @staticmethod
    def and_(a, b):
        return a and b

    @staticmethod
    def or_(a, b):
        return a or b


class BitVecOps:
    """Symbolic backend: Z3 bit-vectors of width 32 (wrapping arithmetic)."""

    @staticmethod
    def const(v):
        return z3.BitVecVal(v % MOD, BITS)

    @staticmethod
    def sub(a, b):
        return a - b

    @staticmethod
    def add(a, b):
        return a + b

    @staticmethod
    def ult(a, b):
        return z3.ULT(a, b)

    @staticmethod
    def eq(a, b):
        return a == b

    @staticmethod
    def and_(a, b):
        return z3.And(a, b)

    @staticmethod
    def or_(a, b):
        return z3.Or(a, b)


INT = IntOps()
BITVEC = BitVecOps()


def lt(a, b, ops=INT):
    """a < b in sequence space: 0 < (b - a) mod 2^32 < 2^31 (RFC 1982 3.2)."""
    d = ops.sub(b, a)
    return ops.and_(ops.ult(ops.const(0), d), ops.ult(d, ops.const(HALF)))


def le(a, b, ops=INT):
    """a =< b in sequence space."""
    return ops.or_(ops.eq(a, b), lt(a, b, ops))


_new = tuple.__new__  # builds a SeqVal without the Python-level NamedTuple constructor


class SeqVal(NamedTuple):
    """A 32-bit sequence number written as symbolic base + small offset."""

    base: str
    off: int

    def __add__(self, n: int) -> "SeqVal":
        if self.base == CONST:
            return _new(SeqVal, (CONST, (self.off + n) % MOD))
        return _new(SeqVal, (self.base, self.off + n))

    def __str__(self) -> str:
        if self.base == CONST:
            return str(self.off)
        if self.off == 0:
            return self.base
        return f"{self.base}{self.off:+d}"

    def value(self, env: dict[str, int]) -> int:
        """The concrete number, given a value for every symbolic base."""
        base = 0 if self.base == CONST else env[self.base]
        return (base + self.off) % MOD

    def term(self):
        """The Z3 bit-vector term for this value."""
        if self.base == CONST:
            return BITVEC.const(self.off)
        return z3.BitVec(self.base, BITS) + BITVEC.const(self.off)


def distance(a: SeqVal, b: SeqVal) -> int:
    """b - a as a signed integer, for two values of one base."""
    d = b.off - a.off
    if a.base == CONST:
        d %= MOD
        if d >= HALF:
            d -= MOD
    return d


def concrete(n: int) -> SeqVal:
    return SeqVal(CONST, n % MOD)
