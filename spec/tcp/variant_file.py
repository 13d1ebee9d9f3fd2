"""A user's own variant, in a Python file (tcpverify check SCENARIO --variant-file FILE).

The file's contract: it defines either ``VARIANT``, a ``tcpverify.spec.tcp.variants.Variant``,
or a function ``transform(graph)`` that changes the state graph in place (then the
variant's name is the file's name, its description the module docstring). The helpers
of spec.variants (edge, retarget, remove, rewrite_sent) and the actions of spec.rules
are there to use.
"""

from __future__ import annotations

import importlib.util
from importlib.machinery import SourceFileLoader
from pathlib import Path

from .machine import Machine, build_graph
from .variants import Variant


class VariantFileError(Exception):
    """What is wrong with a variant file, in one line."""


def load_variant(path: str) -> Variant:
    file = Path(path)
    where = f"variant file '{path}'"
    if not file.is_file():
        raise VariantFileError(f"{where} not found")
    name = f"tcpverify_variant_{file.stem}"
    # the loader named: a file whose name does not end in .py is still read as Python
    spec = importlib.util.spec_from_file_location(name, file, loader=SourceFileLoader(name, str(file)))
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:  # a NUL byte, say, has no line
        at = f" at line {e.lineno}" if e.lineno is not None else ""
        raise VariantFileError(f"{where}: syntax error{at}: {e.msg}") from None
    except (Exception, SystemExit) as e:  # the user's code, sys.exit() included: one line
        why = f": {e}" if str(e) else ""
        raise VariantFileError(f"{where} raised {type(e).__name__} while loading{why}") from None
    variant = getattr(module, "VARIANT", None)
    if variant is None:
        transform = getattr(module, "transform", None)
        if not callable(transform):
            raise VariantFileError(f"{where} defines neither VARIANT = Variant(...) nor transform(graph)")
        doc = (module.__doc__ or "").strip().splitlines()
        variant = Variant(file.stem, doc[0] if doc else f"transform() of {file.name}", transform)
    if not isinstance(variant, Variant):
        raise VariantFileError(f"{where}: VARIANT is a {type(variant).__name__}, not a Variant")
    try:
        Machine(variant.apply(build_graph()))
    except (Exception, SystemExit) as e:  # as above: the user's transform
        raise VariantFileError(f"{where}: variant {variant.name} failed on the state graph: "
                               f"{type(e).__name__}: {e}") from None
    return variant
