"""A 64-bit hash of a state that every process computes alike, whatever its PYTHONHASHSEED
or memory layout (Python's own hash of a str is salted per process, of None its address):
which worker owns a state, and the fingerprints of hash compaction."""

from __future__ import annotations

from hashlib import blake2b

import numpy as np

MASK = (1 << 64) - 1
_TUPLE, _PRIME = 0x84222325CBF29CE4, 0x100000001B3  # a tuple's start (plus its length); FNV's prime
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB  # splitmix64's finalizer (mix)


class Fingerprints:
    """stable_hash(state) for nested tuples, frozensets, str, int, bool and None; the parts of
    a state (its first-level items) are hashed once each and remembered."""

    def __init__(self):
        self._parts: dict = {}

    def __call__(self, state) -> int:
        h = 0x9E3779B97F4A7C15
        parts = self._parts
        for x in state:
            v = parts.get(x)
            if v is None:
                v = parts[x] = stable_hash(x)
            h = ((h ^ v) * _PRIME) & MASK
        return mix(h)


def stable_hash(x) -> int:
    if isinstance(x, tuple):
        return tuple_hash([stable_hash(y) for y in x])
    if isinstance(x, frozenset):  # order-free: the sum of the elements' hashes
        return mix((sum(stable_hash(y) for y in x) + 0x2545F4914F6CDD1D) & MASK)
    if isinstance(x, str):
        return int.from_bytes(blake2b(x.encode(), digest_size=8).digest(), "little")
    if x is None:
        return 0x5BD1E995
    if isinstance(x, int):  # bool too
        return mix(x & MASK ^ 1 << 62)
    raise TypeError(f"no stable hash for {type(x).__name__}")


def tuple_hash(hashes: list[int]) -> int:
    """stable_hash of a tuple whose items' stable hashes are these (for items hashed before)."""
    h = _TUPLE + len(hashes)
    for v in hashes:
        h = ((h ^ v) * _PRIME) & MASK
    return mix(h)


def tuple_hashes(columns: list[np.ndarray]) -> np.ndarray:
    """tuple_hash of each row of these columns of items' hashes (uint64, wrapping as MASK
    does), for many tuples at once."""
    n = len(columns[0]) if columns else 0
    h = np.full(n, _TUPLE + len(columns), np.uint64)
    for v in columns:
        h ^= v
        h *= np.uint64(_PRIME)
    h ^= h >> np.uint64(30)  # mix, on uint64
    h *= np.uint64(_M1)
    h ^= h >> np.uint64(27)
    h *= np.uint64(_M2)
    return h ^ (h >> np.uint64(31))


def mix(h: int) -> int:
    """splitmix64's finalizer: every input bit moves every output bit."""
    h = ((h ^ (h >> 30)) * _M1) & MASK
    h = ((h ^ (h >> 27)) * _M2) & MASK
    return h ^ (h >> 31)


class RowFingerprints:
    """Hash compaction's fingerprints of rows of a Batched model's ids (checker.levels): the
    tuple_hash of the stable hashes of a row's parts (``hashes(j, n)``: those of the ids 0 to
    n - 1 at position j, as the model's ``stable`` hashes them), its low ``bits`` bits, as the
    int64 keys the search's index sorts."""

    def __init__(self, hashes, width: int, bits: int):
        self.hashes, self.mask = hashes, np.uint64((1 << bits) - 1)
        self.known = [np.empty(0, np.uint64) for _ in range(width)]  # per position: its ids' hashes so far

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        columns = []
        for j, known in enumerate(self.known):
            ids = rows[:, j]
            n = int(ids.max(initial=-1)) + 1
            if n > len(known):  # ids met since the last block
                known = self.known[j] = np.concatenate([known, np.asarray(self.hashes(j, n)[len(known):], np.uint64)])
            columns.append(known[ids])
        return (tuple_hashes(columns) & self.mask).view(np.int64)

    def of(self, state: tuple) -> int | None:
        """One state's fingerprint; None where it has an id the model never gave (no state met
        has it)."""
        row = np.asarray([state], np.int64)
        if (row < 0).any():
            return None
        try:
            return int(self(row)[0])
        except IndexError:  # (an id past those hashes() knows)
            return None
