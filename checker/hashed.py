"""Rows -> numbers in a hash table of their packed keys, for the small indexes a search asks
a block at a time: the properties' memos and the model's templates (checker.rows.KeyIndex
keeps the states met, sorted: 12 or 16 bytes a key, where a table at most half full takes 32
to 64). A lookup here is a few gathers of a block's keys, where the sorted keys cost a sort
of the block and two binary searches."""

from __future__ import annotations

import numpy as np

from .rows import INT, Numbering

_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)  # 2^64 / the golden ratio: spreads keys that differ in low bits
_EMPTY = -1  # a slot's number while no key is in it
# A new table's slots (16 KiB): a table grown from fewer, doubling, was put again at each size,
# which cost the stale suite's many small searches more than their lookups.
_FIRST_SIZE = 1 << 10


class HashIndex(Numbering):
    """Numbering by open addressing with linear probing, the table never more than half full:
    the keys that collide step to the next slot together, a numpy step for all of them at once."""

    def __init__(self, width: int, dtype=INT):
        super().__init__(width, dtype)
        self._make(_FIRST_SIZE)

    def fit(self, rows: np.ndarray) -> list[int] | None:
        old = self.packing.fit(rows) if len(rows) else None
        if old is not None and self.count:  # every key packed anew, so hashed anew
            keys, values = self._entries()
            self._make(len(self._slot_keys))
            self._put(self.packing.repack(keys, old), values)
        return old

    def found(self, keys: np.ndarray) -> np.ndarray:
        """The number of each key added, -1 for the others. Every key's first slot is read at
        once (most keys end there: a third of the time of stepping all of them through index
        arrays); the keys whose slot holds another key step on."""
        slot = self._slot(keys)
        number = self._slot_values[slot]
        hit = self._slot_keys[slot] == keys
        out = np.where(hit, number, _EMPTY).astype(INT, copy=False)
        pending = np.flatnonzero(~hit & (number != _EMPTY))  # (a key not added ends at an empty slot)
        while len(pending):
            slot[pending] = (slot[pending] + 1) & self._mask
            at = slot[pending]
            number = self._slot_values[at]
            hit = self._slot_keys[at] == keys[pending]
            out[pending[hit]] = number[hit]
            pending = pending[~hit & (number != _EMPTY)]
        return out

    def add(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add distinct keys not added before, with their numbers."""
        if 2 * (self.count + len(keys)) > len(self._slot_keys):
            old_keys, old_values = self._entries()
            size = len(self._slot_keys)
            while 2 * (self.count + len(keys)) > size:
                size *= 2
            self._make(size)
            keys, values = np.concatenate([old_keys, keys]), np.concatenate([old_values, values])
        self._put(keys, values)

    def _put(self, keys: np.ndarray, values: np.ndarray) -> None:
        """keys (distinct, none in the table, which has room) into their slots: of the keys that
        reach one empty slot at once, one takes it (the one whose key the slot holds once all
        are written there) and the others step on."""
        slot = self._slot(keys)
        pending = np.arange(len(keys))
        while len(pending):
            at = slot[pending]
            free = np.flatnonzero(self._slot_values[at] == _EMPTY)
            taken, tried = at[free], pending[free]
            self._slot_keys[taken] = keys[tried]
            won = self._slot_keys[taken] == keys[tried]
            self._slot_values[taken[won]] = values[tried[won]]
            placed = np.zeros(len(pending), bool)
            placed[free[won]] = True
            pending = pending[~placed]
            slot[pending] = (slot[pending] + 1) & self._mask
        self.count += len(keys)

    def _entries(self) -> tuple[np.ndarray, np.ndarray]:
        used = self._slot_values != _EMPTY
        return self._slot_keys[used], self._slot_values[used]

    def _make(self, size: int) -> None:
        """An empty table of size slots (a power of 2): count is 0 until _put fills it."""
        self._slot_keys = np.zeros(size, INT)
        self._slot_values = np.full(size, _EMPTY, self._dtype)
        self._mask = size - 1
        self._shift = np.uint64(64 - (size.bit_length() - 1))
        self.count = 0

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        """Each key's first slot: the top bits of the key times 2^64 / the golden ratio."""
        slot = keys.astype(np.uint64)
        slot *= _FIBONACCI
        slot >>= self._shift
        return slot.view(INT)
