"""Z3, loaded where it is first used, not where it is imported: `tcpverify check` asks Z3 only
about comparisons over three ISN bases or more (spec/tcp/symbolic.py; the default
configurations never do), and loading it took 6.6 MiB and 13 ms of every command's start-up.
Every module of the TCP model and of the proofs that uses Z3 takes it from here (the checker's
import it where they use it: checker.z3check), as every command's parser imports them all."""

from __future__ import annotations

import importlib.util
import sys


def _lazy(name: str):
    """The module name, executed at its first attribute's use (importlib's LazyLoader)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


z3 = _lazy("z3")
