"""Told traces as text (check, reports, JUnit, explain), and the state graph as JSON, DOT and
Mermaid."""

from __future__ import annotations

import json

import networkx as nx

from ..tcp.tcb import Tcb
from .steps import Told, tcb_dict


def format_trace(told: Told) -> str:
    """Each step in one line with both TCBs below it, then the path condition and its least model."""
    lines = []
    for s in told.steps:
        loop = f"  <- {told.loop}" if told.loop_start == s.step else ""
        lines.append(f"{s.step:3d}. {s.head}{loop}")
        lines += [f"       {x} {_tcb_line(t)}" for x, t in (("A", s.a), ("B", s.b))]
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


def _tcb_line(t: Tcb) -> str:
    d = tcb_dict(t)
    parts = [d["state"]]
    parts += [f"{k.upper().replace('_', '.')}={v}" for k, v in d.items()
              if k not in ("state", "error", "fin_seq") and v is not None]
    if d["error"]:
        parts.append(f'(told "{d["error"]}")')
    return " ".join(parts)


# ------------------------------------------------------------------ the graph

def graph_json(g: nx.MultiDiGraph) -> str:
    edges = [{"name": k, "source": u, "target": v, "event": d["event"], "guard": d["guard"],
              "action": (d["action"].__doc__ or d["action"].__name__).strip(), "rfc": d["rfc"]}
             for u, v, k, d in _ranked(g)]
    return json.dumps({"states": list(g.nodes), "fin_len": g.graph["fin_len"], "edges": edges},
                      indent=2)


def _ranked(g: nx.MultiDiGraph):
    return sorted(g.edges(keys=True, data=True), key=lambda e: e[3]["rank"])


def _state_changes(g: nx.MultiDiGraph):
    """Edges between distinct states, in rank order (self-loops are listed, not drawn)."""
    return [(u, v, k, d) for u, v, k, d in _ranked(g) if u != v]


def _self_loops(g: nx.MultiDiGraph) -> list[str]:
    """One line per state: the edges that leave it where it is, in rank order."""
    stays: dict[str, list[str]] = {}
    for u, v, k, _ in _ranked(g):
        if u == v:
            stays.setdefault(u, []).append(k)
    return [f"{n} stays {n} on: {', '.join(stays[n])}" for n in g.nodes if n in stays]


def graph_dot(g: nx.MultiDiGraph) -> str:
    lines = ["digraph tcp {", "  rankdir=TB;", "  node [shape=box, style=rounded];"]
    lines += [f'  "{n}";' for n in g.nodes]
    for u, v, k, d in _state_changes(g):
        lines.append(f'  "{u}" -> "{v}" [label="{k}\\n{d["guard"] or d["event"]}"];')
    lines += [f"  // {line}" for line in _self_loops(g)]
    lines.append("}")
    return "\n".join(lines)


def graph_mermaid(g: nx.MultiDiGraph) -> str:
    ident = {n: n.replace("-", "_") for n in g.nodes}
    lines = ["stateDiagram-v2", f"    [*] --> {ident['CLOSED']}"]
    for u, v, k, d in _state_changes(g):
        lines.append(f"    {ident[u]} --> {ident[v]}: {k}")
    lines += [f"    %% {line}" for line in _self_loops(g)]
    return "\n".join(lines)
