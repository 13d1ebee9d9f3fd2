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
