"""States as rows of small ints in numpy arrays: what the level-at-a-time search
(checker.levels) and a model's ``expand`` share. A row packs into one int64 key, its
columns most significant first, so that sorting keys sorts rows lexicographically."""

from __future__ import annotations

import numpy as np

INT = np.int64
ROW = np.int32  # a state's ids: a row of a block of states
# Fewer rows than this are cheaper one at a time in Python than through numpy, whose every
# call costs microseconds whatever its size (the small searches and a search's first levels).
SMALL = 48


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[k], starts[k] + 1, ..., starts[k] + counts[k] - 1 for each k, in order."""
    return np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))


def _packed(rows: np.ndarray, bits: list[int]) -> np.ndarray:
    """Each row's columns side by side in one int64, column j in bits[j] bits, the first most
    significant."""
    key = np.zeros(len(rows), INT)
    for j, b in enumerate(bits):
        key <<= b
        key |= rows[:, j]
    return key


class TooWide(Exception):
    """The rows' ids no longer fit one 63-bit key."""


def distinct(cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) of a 2-D array of non-negative ints: the position of each distinct
    row's first occurrence, and for each row the number of its distinct row (into first)."""
    if cols.shape[1] == 1:
        key = cols[:, 0]
    else:
        widths = [int(m).bit_length() for m in cols.max(axis=0, initial=0)]
        if sum(widths) > 63:
            _, first, inverse = np.unique(cols, axis=0, return_index=True, return_inverse=True)
            return first, inverse.reshape(-1)
        key = _packed(cols, widths)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


class Packing:
    """A row's key: its columns side by side in as many bits as each has needed so far.
    Widths only grow (``fit``); packing keeps the lexicographic order of rows at any width,
    so keys sorted under the old widths stay sorted once repacked under the new ones."""

    def __init__(self, width: int):
        self.bits = [1] * width

    def fit(self, rows: np.ndarray) -> list[int] | None:
        """Widen the columns rows need more bits for: the widths before, None if none was
        widened. TooWide past 63 bits."""
        need = [int(m).bit_length() for m in rows.max(axis=0, initial=0)]
        if all(n <= b for n, b in zip(need, self.bits)):
            return None
        old, self.bits = self.bits, [max(b, n) for b, n in zip(self.bits, need)]
        if sum(self.bits) > 63:
            self.bits = old
            raise TooWide(f"{sum(b for b in need)} bits")
        return old

    def repack(self, keys: np.ndarray, old: list[int]) -> np.ndarray:
        """Keys packed under the widths old, packed under the current ones."""
        now, self.bits = self.bits, old
        rows = self.unpack(keys)
        self.bits = now
        return self.pack(rows)

    def pack(self, rows: np.ndarray) -> np.ndarray:
        return _packed(rows, self.bits)

    def unpack(self, keys: np.ndarray) -> np.ndarray:
        rows = np.empty((len(keys), len(self.bits)), INT)
        keys = keys.copy()
        for j in range(len(self.bits) - 1, -1, -1):
            b = self.bits[j]
            rows[:, j] = keys & ((1 << b) - 1)
            keys >>= b
        return rows


class KeyIndex:
    """Rows -> a number each (-1: not added), over the sorted keys of the rows added."""

    def __init__(self, width: int, dtype=INT):
        self.packing = Packing(width)
        self.keys = np.empty(0, INT)
        self.values = np.empty(0, dtype)

    def fit(self, rows: np.ndarray) -> list[int] | None:
        """Widen the packing for rows (Packing.fit), repacking the keys added."""
        old = self.packing.fit(rows) if len(rows) else None
        if old is not None:
            self.keys = self.packing.repack(self.keys, old)
        return old

    def look_up(self, rows: np.ndarray) -> np.ndarray:
        self.fit(rows)
        return self.found(self.packing.pack(rows))

    def numbers(self, rows: np.ndarray, make) -> np.ndarray:
        """Each row's number, the rows not added yet numbered by ``make(first)`` and added:
        first is where each distinct one of them first occurs in rows, make returns their
        numbers in that order."""
        out = self.look_up(rows)
        miss = np.nonzero(out == -1)[0]
        if len(miss):
            first, inverse = distinct(rows[miss])
            made = np.asarray(make(miss[first]), self.values.dtype)
            self.add(self.packing.pack(rows[miss[first]]), made)
            out[miss] = made[inverse]
        return out

    def found(self, keys: np.ndarray) -> np.ndarray:
        """The number of each key added, -1 for the others."""
        out = np.full(len(keys), -1, INT)
        if len(self.keys) and len(keys):
            ranked = np.argsort(keys)  # sorted needles: a binary search starts where the last ended
            p = np.empty(len(keys), INT)
            p[ranked] = np.searchsorted(self.keys, keys[ranked])
            np.minimum(p, len(self.keys) - 1, out=p)
            hit = self.keys[p] == keys
            out[hit] = self.values[p[hit]]
        return out

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add distinct keys not added before, with their numbers."""
        ranked = np.argsort(keys)
        where = np.searchsorted(self.keys, keys[ranked])
        self.keys = np.insert(self.keys, where, keys[ranked])
        self.values = np.insert(self.values, where, values[ranked])


class Growing:
    """A 2-D int array appended to in blocks, its capacity doubled as it fills."""

    def __init__(self, width: int, dtype=INT):
        self._a = np.empty((64, width), dtype)
        self.n = 0

    def extend(self, rows) -> None:
        rows = np.asarray(rows, self._a.dtype).reshape(-1, self._a.shape[1])
        need = self.n + len(rows)
        if need > len(self._a):
            bigger = np.empty((max(need, 2 * len(self._a)), self._a.shape[1]), self._a.dtype)
            bigger[:self.n] = self._a[:self.n]
            self._a = bigger
        self._a[self.n:need] = rows
        self.n = need

    @property
    def rows(self) -> np.ndarray:
        return self._a[:self.n]
