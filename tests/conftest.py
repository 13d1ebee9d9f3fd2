"""Fixtures several test folders share."""

from __future__ import annotations

import pytest

from tcpverify.checker import partitioned_levels


@pytest.fixture
def split_at(monkeypatch):
    """split_at(n): forked ranks start at the first level of n states (SPLIT_AT): 0, at once."""
    return lambda n: monkeypatch.setattr(partitioned_levels, "SPLIT_AT", n)


@pytest.fixture
def forked_at_once(split_at):
    """Forked ranks from the first level: a small run's partitioned search, which would
    otherwise run on rank 0 alone."""
    split_at(0)
