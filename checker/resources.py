"""What the platform tells of this process: its peak memory, how many files it may open
(Python's resource module is POSIX only)."""

from __future__ import annotations

import sys

try:
    import resource
except ImportError:  # Windows
    resource = None


def peak_rss_mib() -> float | None:
    """The peak resident set size in MiB, or None where the platform has no getrusage."""
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def open_files_allowed() -> int:
    """RLIMIT_NOFILE's soft limit (ulimit -n); sys.maxsize where it is unlimited or untold."""
    if resource is None:
        return sys.maxsize
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft >= 0 else sys.maxsize  # (unlimited: -1 on Linux, sys.maxsize on macOS)
