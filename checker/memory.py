"""Peak memory of this process, where the platform tells it (resource is POSIX only)."""

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
