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


def take(rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """rows[at] for a 2-D array: the rows numbered at (or where the mask at is true), each
    copied whole. numpy indexes a 2-D array with an array an element at a time: 3 to 7 times
    as slow as np.take and np.compress on a block's successors (rows of 6 to 12 ints)."""
    if at.dtype == np.bool_:
        return np.compress(at, rows, axis=0)
    return np.take(rows, at, axis=0)


def put(rows: np.ndarray, at: np.ndarray, values: np.ndarray) -> None:
    """rows[at] = values for a C-contiguous 2-D array, each row written as one item of its
    bytes (3 times as fast as numpy's element at a time)."""
    item = np.dtype((np.void, rows.shape[1] * rows.itemsize))
    rows.view(item).reshape(-1)[at] = np.ascontiguousarray(values, rows.dtype).view(item).reshape(-1)


def column_max(rows: np.ndarray, initial: int) -> list[int]:
    """Each column's largest value, or initial where rows have none larger (or none). A column
    at a time for rows of up to 48 bytes: numpy's max over axis 0 of narrow rows is slow
    (300,000 rows of 6 int32 columns: 5.5 ms, against 0.63 a column at a time; of 12 int64
    columns, 5.7 against 8.4)."""
    if rows.shape[1] * rows.itemsize > 48:
        return rows.max(axis=0, initial=initial).tolist()
    return [int(rows[:, j].max(initial=initial)) for j in range(rows.shape[1])]


def grown(a: np.ndarray, most: int, fill) -> np.ndarray:
    """a, long enough to be indexed by ids up to most: doubled, the new entries fill."""
    if most < len(a):
        return a
    out = np.full(max(int(most) + 1, 2 * len(a)), fill, a.dtype)
    out[:len(a)] = a
    return out


def _packed(rows: np.ndarray, bits: list[int]) -> np.ndarray:
    """Each row's columns side by side in one int64, column j in bits[j] bits, the first most
    significant."""
    key = np.zeros(len(rows), INT)
    for j, b in enumerate(bits):
        key <<= b
        key |= rows[:, j]
    return key


_REPACKED = 1 << 16  # keys of an index repacked or moved at once


class TooWide(Exception):
    """The rows' ids no longer fit one 63-bit key."""


def firsts(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) of a 1-D int array, as np.unique's return_index and return_inverse
    give them (the position of each distinct value's first occurrence, in increasing value;
    each element's number among the distinct values), from one quicksort: np.unique sorts
    stably for return_index, half as fast on a block's keys."""
    order = np.argsort(key)
    ranked = key[order]
    head = np.ones(len(key), bool)
    np.not_equal(ranked[1:], ranked[:-1], out=head[1:])
    first = np.minimum.reduceat(order, np.flatnonzero(head)) if len(key) else order
    inverse = np.empty(len(key), np.intp)
    inverse[order] = np.cumsum(head) - 1
    return first, inverse


def distinct(cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) of a 2-D array of non-negative ints: the position of each distinct
    row's first occurrence, and for each row the number of its distinct row (into first)."""
    if cols.shape[1] == 1:
        key = cols[:, 0]
    else:
        widths = [m.bit_length() for m in column_max(cols, 0)]
        if sum(widths) > 63:
            _, first, inverse = np.unique(cols, axis=0, return_index=True, return_inverse=True)
            return first, inverse.reshape(-1)
        key = _packed(cols, widths)
    return firsts(key)


class Packing:
    """A row's key: its columns side by side in as many bits as each has needed so far.
    Widths only grow (``fit``); packing keeps the lexicographic order of rows at any width,
    so keys sorted under the old widths stay sorted once repacked under the new ones."""

    def __init__(self, width: int):
        self.bits = [1] * width

    def fit(self, rows: np.ndarray) -> list[int] | None:
        """Widen the columns rows need more bits for: the widths before, None if none was
        widened. TooWide past 63 bits."""
        need = [m.bit_length() for m in column_max(rows, 0)]
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


class Numbering:
    """Rows -> a number each (-1: not added), through their packed keys: look_up and numbers
    over an index's fit (widen the packing for rows), found (the numbers of keys) and add (new
    keys with their numbers), which KeyIndex and checker.hashed.HashIndex give."""

    def __init__(self, width: int, dtype=INT):
        self.packing = Packing(width)
        self._dtype = dtype  # the numbers'

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
            first, inverse = distinct(take(rows, miss))
            made = np.asarray(make(miss[first]), self._dtype)
            self.add(self.packing.pack(take(rows, miss[first])), made)
            out[miss] = made[inverse]
        return out


class KeyIndex(Numbering):
    """Numbering over the sorted keys of the rows added. The keys
    added last wait in a small sorted part, where an insertion moves only its own keys, until
    it holds an eighth as many as the large part; it is then merged into the large part in
    place, which grows by realloc: the large part's keys are never held twice at once (an
    insertion into one array of them all copied it whole, block after block)."""

    def __init__(self, width: int, dtype=INT):
        super().__init__(width, dtype)
        self._keys, self._values = np.empty(0, INT), np.empty(0, dtype)  # the large part
        self._new_keys, self._new_values = np.empty(0, INT), np.empty(0, dtype)  # the small part

    @property
    def keys(self) -> np.ndarray:
        """Every key added, sorted (not to be kept across add: the array grows in place)."""
        self._merge()
        return self._keys

    @property
    def values(self) -> np.ndarray:
        """The number of each of keys."""
        self._merge()
        return self._values

    def fit(self, rows: np.ndarray) -> list[int] | None:
        """Widen the packing for rows (Packing.fit), repacking the keys added."""
        old = self.packing.fit(rows) if len(rows) else None
        if old is not None:  # in place, a block at a time: unpacked, a key takes 8 bytes a column
            for keys in (self._keys, self._new_keys):
                for lo in range(0, len(keys), _REPACKED):
                    keys[lo:lo + _REPACKED] = self.packing.repack(keys[lo:lo + _REPACKED], old)
        return old

    def found(self, keys: np.ndarray) -> np.ndarray:
        """The number of each key added, -1 for the others: each distinct key looked up once."""
        first, inverse = firsts(keys)
        return self.found_sorted(keys[first])[inverse]

    def found_sorted(self, needles: np.ndarray) -> np.ndarray:
        """found of keys that are sorted and distinct (a binary search starts where the last
        ended; a block's successors on the large benchmark case are 38% distinct)."""
        number = np.full(len(needles), -1, INT)
        for part, numbers in ((self._keys, self._values), (self._new_keys, self._new_values)):
            if len(part):
                p = np.searchsorted(part, needles)
                np.minimum(p, len(part) - 1, out=p)
                hit = part[p] == needles
                number[hit] = numbers[p[hit]]
        return number

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add distinct keys not added before, with their numbers."""
        ranked = np.argsort(keys)
        keys = keys[ranked]
        where = np.searchsorted(self._new_keys, keys)
        self._new_keys = np.insert(self._new_keys, where, keys)
        self._new_values = np.insert(self._new_values, where, values[ranked])
        if 8 * len(self._new_keys) > len(self._keys):
            self._merge()

    def _merge(self) -> None:
        """The small part into the large one: each large key moves right by the number of
        small keys below it, a block at a time from the end (a block's places are all to the
        right of the keys not moved yet), then the small keys go into the places left."""
        m, n = len(self._new_keys), len(self._keys)
        if not m:
            return
        below = np.searchsorted(self._keys, self._new_keys)  # each small key's large keys below it
        self._grow("_keys", n + m)
        self._grow("_values", n + m)
        keys, values = self._keys, self._values
        for hi in range(n, 0, -_REPACKED):
            lo = max(hi - _REPACKED, 0)
            a, b = np.searchsorted(below, [lo, hi])  # (a large key's shift: the small keys below it)
            if b == 0:
                break  # (nor any to its left)
            shift = a + np.cumsum(np.bincount(below[a:b] - lo, minlength=hi - lo))
            at = np.arange(lo, hi) + shift
            keys[at], values[at] = keys[lo:hi].copy(), values[lo:hi].copy()
        placed = below + np.arange(m)
        keys[placed], values[placed] = self._new_keys, self._new_values
        self._new_keys, self._new_values = np.empty(0, INT), np.empty(0, self._dtype)

    def _grow(self, part: str, n: int) -> None:
        """The array named part grown to n entries: by realloc, in place, where numpy sees no
        other reference to it (no view is kept across add; it is named, as a local holding it
        would be one); under a profiler, a coverage tracer or a debugger (sys.setprofile,
        sys.settrace), which hold one, by a copy."""
        try:
            getattr(self, part).resize(n)
        except ValueError:
            old = getattr(self, part)
            setattr(self, part, np.concatenate([old, np.empty(n - len(old), old.dtype)]))


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
