"""Traces and the state graph as text, JSON, DOT and Mermaid."""

from __future__ import annotations

import json
from collections import Counter

import networkx as nx

from ..tcp.tcb import SEQ_FIELDS, Tcb
from ..world.system import PEER, World

TCB_FIELDS = ("state", *SEQ_FIELDS, "error")


def tcb_dict(t: Tcb) -> dict:
    return {f: (str(getattr(t, f)) if getattr(t, f) is not None else None) for f in TCB_FIELDS}


def sent_by(before: World, after: World, actor: str) -> list:
    """Segments the actor put on the wire in this step."""
    if actor not in PEER:
        return []
    new = Counter(after.channel_to(PEER[actor])) - Counter(before.channel_to(PEER[actor]))
    out = []
    for s in after.channel_to(PEER[actor]):
        if new[s] > 0:
            out.append(s)
            new[s] -= 1
    return out


def trace_steps(outcome, trace) -> list[dict]:
    """The steps of a trace as plain data: what happened and both TCBs after it."""
    steps = []
    prev = None
    for n, (label, i) in enumerate(trace):
        w = outcome.state(i)
        step = {"step": n, "a": tcb_dict(w.a), "b": tcb_dict(w.b),
                "in_flight": {"A->B": [str(s) for s in w.ab], "B->A": [str(s) for s in w.ba]}}
        if label is None:
            step.update(actor=None, action="Init", event=None, segment=None, to=None, sent=[])
        else:
            step.update(actor=label.actor, action=label.name, event=label.event,
                        segment=str(label.segment) if label.segment is not None else None,
                        to=label.to or None,
                        sent=[str(s) for s in sent_by(prev, w, label.actor)])
        steps.append(step)
        prev = w
    return steps


def format_trace(outcome, verdict) -> str:
    lines = []
    steps = trace_steps(outcome, verdict.trace)
    for s in steps:
        loop = "  <- the loop starts here" if verdict.loop_start == s["step"] else ""
        if s["actor"] is None:
            head = "initial state"
        elif s["actor"] == "net":
            head = f"net: {s['action']} {PEER[s['to']]}->{s['to']} {s['segment']}"
        else:
            head = f"{s['actor']}: {s['action']}"
            if s["segment"]:
                head += f"  receives {s['segment']}"
            elif s["event"]:
                head += f"  on {s['event']}"
        if s["sent"]:
            head += f"  sends {', '.join(s['sent'])}"
        lines.append(f"{s['step']:3d}. {head}{loop}")
        for x in ("a", "b"):
            lines.append(f"       {x.upper()} {_tcb_line(s[x])}")
    if verdict.loop_start is not None:
        lines.append(f"       ... and back to step {verdict.loop_start}, for ever")
    last = outcome.state(verdict.trace[-1][1])
    if last.pc:
        lines.append("  under the path condition: " + " and ".join(_literal(l) for l in sorted(last.pc)))
        model = outcome.system.decider.model(last.pc)
        if model:
            lines.append("  for example: " + ", ".join(f"{k}=0x{v:08x}" for k, v in model.items()))
    return "\n".join(lines)


def _tcb_line(d: dict) -> str:
    parts = [d["state"]]
    parts += [f"{k.upper().replace('_', '.')}={v}" for k, v in d.items()
              if k not in ("state", "error", "fin_seq") and v is not None]
    if d["error"]:
        parts.append(f'(told "{d["error"]}")')
    return " ".join(parts)


def _literal(lit) -> str:
    rel, x, y, holds = lit
    op = {("lt", True): "<", ("lt", False): "not <", ("eq", True): "=", ("eq", False): "!="}[rel, holds]
    return f"{x} {op} {y}"


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
