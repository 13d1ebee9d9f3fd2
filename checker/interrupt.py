"""Ctrl-C kept as a flag as well as raised: Python ignores (and prints) an exception raised
inside a finalizer (a __del__, as Z3's objects run by the thousand), so a KeyboardInterrupt
landing there would be lost and the run would go on to a verdict. install() makes SIGINT set
the flag, and raise unless a finalizer is running; the engine, each Z3 query and the writers
call check()."""

from __future__ import annotations

import signal
import threading

_caught = threading.Event()


def _on_sigint(signum, frame):
    _caught.set()
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return  # the next check() raises it
        frame = frame.f_back
    raise KeyboardInterrupt


def install() -> None:
    """SIGINT sets the flag and raises KeyboardInterrupt (from the main thread only)."""
    _caught.clear()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_sigint)


def caught() -> None:
    """Record an interrupt seen some other way (Z3 cancelling its query)."""
    _caught.set()


def pending() -> bool:
    """Whether a Ctrl-C came since install(), wherever its exception went (ctypes, say, turns it
    into an ArgumentError)."""
    return _caught.is_set()


def check() -> None:
    """Raise KeyboardInterrupt if a Ctrl-C came."""
    if pending():
        raise KeyboardInterrupt
