"""Comparisons over two bases decided without Z3, by intervals of their difference.

Every literal over bases p and q (CONST, whose value is 0, counts as a base) says that the
difference e = q - p (mod 2^32) lies in a set of at most two intervals: x < y is
(y - x) mod 2^32 in [1, 2^31 - 1] (RFC 1982 3.2, RFC 9293 3.4), x = y is y - x = 0, and
y - x is e or -e plus the offsets' difference. When a comparison and the literals it depends
on speak of one pair of bases only, intersecting these sets answers what Z3 would, exactly.
"""

from __future__ import annotations

from .seq import HALF, MOD, SeqVal

Intervals = list[tuple[int, int]]  # disjoint, sorted, inclusive, within [0, MOD)
EVERYTHING: Intervals = [(0, MOD - 1)]


def _wrapped(lo: int, hi: int) -> Intervals:
    """[lo, hi] taken mod 2^32 (hi - lo < MOD): one interval, or two where it wraps."""
    lo, hi = lo % MOD, hi % MOD
    return [(lo, hi)] if lo <= hi else [(0, hi), (lo, MOD - 1)]


def _complement(s: Intervals) -> Intervals:
    out, at = [], 0
    for lo, hi in s:
        if lo > at:
            out.append((at, lo - 1))
        at = hi + 1
    if at < MOD:
        out.append((at, MOD - 1))
    return out


def _intersect(s: Intervals, t: Intervals) -> Intervals:
    out, i, j = [], 0, 0
    while i < len(s) and j < len(t):
        lo, hi = max(s[i][0], t[j][0]), min(s[i][1], t[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if s[i][1] < t[j][1]:
            i += 1
        else:
            j += 1
    return out


def _sorted(s: Intervals) -> Intervals:
    """Sorted, with touching pieces joined."""
    out: Intervals = []
    for lo, hi in sorted(s):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _allowed(rel: str, holds: bool) -> Intervals:
    """The values of (y - x) mod 2^32 for which the literal (rel, x, y, holds) holds."""
    s = [(1, HALF - 1)] if rel == "lt" else [(0, 0)]
    return s if holds else _complement(s)


def constraint(rel: str, x: SeqVal, y: SeqVal, holds: bool, pair: tuple[str, str]) -> Intervals:
    """The values of e = pair[1] - pair[0] (mod 2^32) for which the literal holds."""
    c = y.off - x.off
    if (x.base, y.base) == pair:  # y - x = e + c: e in T - c
        pieces = [p for lo, hi in _allowed(rel, holds) for p in _wrapped(lo - c, hi - c)]
    else:  # y - x = -e + c: e in c - T
        pieces = [p for lo, hi in _allowed(rel, holds) for p in _wrapped(c - hi, c - lo)]
    return _sorted(pieces)


def decide(literals, rel: str, x: SeqVal, y: SeqVal, axiom: Intervals) -> tuple[bool, bool] | None:
    """(can the literal hold, can it fail) given ``literals``, when they and x, y speak of one
    pair of bases; None otherwise. ``axiom``: what e is known to lie in beforehand."""
    pair = tuple(sorted((x.base, y.base)))
    if any(tuple(sorted((a.base, b.base))) != pair for _, a, b, _ in literals):
        return None
    e = axiom
    for r, a, b, h in literals:
        e = _intersect(e, constraint(r, a, b, h, pair))
    return (bool(_intersect(e, constraint(rel, x, y, True, pair))),
            bool(_intersect(e, constraint(rel, x, y, False, pair))))

