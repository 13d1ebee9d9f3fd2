"""Interning: each distinct value stored once and named by a small int, so that a state built
of such ints hashes and compares in O(1) and shares its parts with every other state."""

from __future__ import annotations

from .fingerprint import stable_hash


class Table:
    """``table(value)`` is value's id (0, 1, ...: in order of first meeting), ``table[i]`` the
    value; after ``catch_up()``, ``table.hashes[i]`` is its hash that every process computes
    alike (checker.fingerprint.stable_hash, or ``hash_of``: the same, computed from parts
    hashed before)."""

    __slots__ = ("ids", "values", "hashes", "hash_of")

    def __init__(self, hash_of=stable_hash):
        self.hash_of = hash_of
        self.ids: dict = {}
        self.values: list = []
        self.hashes: list[int] = []

    def __call__(self, value) -> int:
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.values)
            self.values.append(value)
        return i

    def __getitem__(self, i: int):
        return self.values[i]

    def __len__(self) -> int:
        return len(self.values)

    def catch_up(self) -> None:
        """Hash the values met since the last call."""
        self.hashes.extend(map(self.hash_of, self.values[len(self.hashes):]))
