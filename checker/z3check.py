"""Z3's check, with Ctrl-C kept: Z3 catches SIGINT itself while it searches, cancels the query
and answers unknown, so Python never sees the interrupt. Every long query goes through check(),
which turns that answer back into KeyboardInterrupt: an interrupted proof is never UNKNOWN."""

from __future__ import annotations

import z3

from . import interrupt

INTERRUPTED = "interrupted from keyboard"  # Z3's reason_unknown() after a SIGINT


def check(solver, *assumptions):
    """solver.check(*assumptions), raising KeyboardInterrupt where Ctrl-C cancelled it (or came
    before, and was lost in a finalizer)."""
    interrupt.check()
    result = solver.check(*assumptions)
    if result == z3.unknown and solver.reason_unknown() == INTERRUPTED:
        interrupt.caught()
        raise KeyboardInterrupt
    return result
