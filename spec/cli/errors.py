"""How a command ends other than with a verdict: bad input (exit 2), an internal error, Ctrl-C.
Kept free of the model's imports, so that main() handles them while the model loads too."""

USAGE_EXIT = 2  # beside the verdicts' 0, 1, 3 (tcpverify.checker.verdict.EXIT_CODES)
INTERNAL_EXIT = 4  # a bug in tcpverify, never a verdict: CI tells it from a violation (1)
INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report a process that Ctrl-C ended
OUT_OF_MEMORY_EXIT = 3  # nothing decided: a limit hit, as an INCOMPLETE verdict's


class UsageError(Exception):
    """Bad usage or input: reported as one line, exit code 2."""
