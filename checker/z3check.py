"""Z3's check, with Ctrl-C kept: Z3 catches SIGINT itself while it searches, cancels the query
and answers unknown, so Python never sees the interrupt. Every long query goes through check(),
which turns that answer back into KeyboardInterrupt: an interrupted proof is never UNKNOWN.

The checker's Z3 modules (this one, proofs, bmc) import z3 where they use it, not at their
top: every command's parser imports them, and loading Z3 took 6.6 MiB and 13 ms of each
command's start-up, `check`'s too, which asks Z3 nothing in the default configurations."""

from __future__ import annotations

from . import interrupt

INTERRUPTED = "interrupted from keyboard"  # Z3's reason_unknown() after a SIGINT


def check(solver, *assumptions):
    """solver.check(*assumptions), raising KeyboardInterrupt where Ctrl-C cancelled it (or came
    before, and was lost in a finalizer)."""
    import z3

    interrupt.check()
    result = solver.check(*assumptions)
    if result == z3.unknown and solver.reason_unknown() == INTERRUPTED:
        interrupt.caught()
        raise KeyboardInterrupt
    return result
