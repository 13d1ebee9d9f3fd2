"""The endpoint's state graph as a typed record (GraphView), and as JSON, DOT and Mermaid.
pictures.state_diagram_svg draws the same record."""

from __future__ import annotations

import json
from dataclasses import dataclass

import networkx as nx


@dataclass(frozen=True)
class EdgeView:
    name: str
    source: str
    target: str
    event: str
    guard: str
    action: str  # what the action does: its docstring (or name)
    rfc: str  # the RFC 9293 section of the rule


@dataclass(frozen=True)
class GraphView:
    states: tuple[str, ...]
    fin_len: int  # the sequence numbers a FIN occupies (1 in RFC 9293 3.4)
    edges: tuple[EdgeView, ...]  # in rank order: the first whose guard holds is taken

    def changes(self) -> list[EdgeView]:
        """Edges between distinct states (self-loops are listed, not drawn)."""
        return [e for e in self.edges if e.source != e.target]

    def self_loops(self) -> list[str]:
        """One line per state: the edges that leave it where it is."""
        stays: dict[str, list[str]] = {}
        for e in self.edges:
            if e.source == e.target:
                stays.setdefault(e.source, []).append(e.name)
        return [f"{n} stays {n} on: {', '.join(stays[n])}" for n in self.states if n in stays]


def graph_view(g: nx.MultiDiGraph) -> GraphView:
    ranked = sorted(g.edges(keys=True, data=True), key=lambda e: e[3]["rank"])
    return GraphView(tuple(g.nodes), g.graph["fin_len"], tuple(
        EdgeView(k, u, v, d["event"], d["guard"], (d["action"].__doc__ or d["action"].__name__).strip(),
                 d["rfc"]) for u, v, k, d in ranked))


def graph_json(g: GraphView) -> str:
    edges = [{"name": e.name, "source": e.source, "target": e.target, "event": e.event, "guard": e.guard,
              "action": e.action, "rfc": e.rfc} for e in g.edges]
    return json.dumps({"states": list(g.states), "fin_len": g.fin_len, "edges": edges}, indent=2)


def graph_dot(g: GraphView) -> str:
    lines = ["digraph tcp {", "  rankdir=TB;", "  node [shape=box, style=rounded];"]
    lines += [f'  "{n}";' for n in g.states]
    lines += [f'  "{e.source}" -> "{e.target}" [label="{e.name}\\n{e.guard or e.event}"];' for e in g.changes()]
    lines += [f"  // {line}" for line in g.self_loops()]
    lines.append("}")
    return "\n".join(lines)


def graph_mermaid(g: GraphView) -> str:
    ident = {n: n.replace("-", "_") for n in g.states}
    lines = ["stateDiagram-v2", f"    [*] --> {ident['CLOSED']}"]
    lines += [f"    {ident[e.source]} --> {ident[e.target]}: {e.name}" for e in g.changes()]
    lines += [f"    %% {line}" for line in g.self_loops()]
    return "\n".join(lines)
