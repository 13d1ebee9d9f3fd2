"""Told traces as text: check, the reports, JUnit, explain."""

from __future__ import annotations

from ..tcp.tcb import Tcb
from .steps import Told, tcb_dict


def format_trace(told: Told) -> str:
    """Each step in one line with both TCBs below it, then the path condition and its least model."""
    lines = []
    for s in told.steps:
        loop = f"  <- {told.loop}" if told.loop_start == s.step else ""
        lines.append(f"{s.step:3d}. {s.head}{loop}")
        lines += [f"       {x} {_tcb_line(t, told.errors)}" for x, t in (("A", s.a), ("B", s.b))]
    if told.back:
        lines.append(f"       {told.back}")
    lines += [f"  {line}" for line in (told.condition, told.model) if line]
    return "\n".join(lines)


def story(told: Told) -> list[str]:
    """Each step in words, numbered (tcpverify explain)."""
    out = []
    for s in told.steps:
        loop = f"   <- {told.loop}" if told.loop_start == s.step else ""
        out.append(f"{s.step:3d}. {s.told[0]}{loop}")
        out += [f"       {line}" for line in s.told[1:]]
    if told.back:
        out.append(f"     {told.back}")
    if told.example:
        out += ["", told.example]
    return out


def _tcb_line(t: Tcb, errors: dict[str, str]) -> str:
    """The TCB in one line; `errors` tells what the user was told, in the reader's words."""
    d = tcb_dict(t)
    parts = [d["state"]]
    parts += [f"{k.upper().replace('_', '.')}={v}" for k, v in d.items()
              if k not in ("state", "error", "fin_seq") and v is not None]
    if d["error"]:
        parts.append(errors.get(d["error"], d["error"]))
    return " ".join(parts)
