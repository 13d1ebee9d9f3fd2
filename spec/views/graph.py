"""The endpoint's state graph as a typed record (GraphView), and as JSON, DOT and Mermaid.
pictures.state_diagram_svg draws the same record."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import networkx as nx

from ..tcp.machine import ABORT, CRASH, RTO, SEGMENT
from ..tcp.states import CLOSED, LISTEN, SYN_RECEIVED, SYN_SENT


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

    def reachable(self) -> tuple[str, ...]:
        """The states an endpoint can reach from CLOSED along the edges (a variant may leave some
        unreachable: no-time-wait's TIME-WAIT)."""
        seen, todo = {CLOSED}, [CLOSED]
        while todo:
            s = todo.pop()
            for e in self.edges:
                if e.source == s and e.target not in seen:
                    seen.add(e.target)
                    todo.append(e.target)
        return tuple(s for s in self.states if s in seen)

    def self_loops(self) -> list[str]:
        """One line per state: the edges that leave it where it is."""
        stays: dict[str, list[str]] = {}
        for e in self.edges:
            if e.source == e.target:
                stays.setdefault(e.source, []).append(e.name)
        return [f"{n} stays {n} on: {', '.join(stays[n])}" for n in self.states if n in stays]


# RFC 9293 Figure 5 labels an edge "event / action": "rcv SYN / snd SYN,ACK", "CLOSE / snd FIN".
FLAGS = ("SYN", "FIN", "RST", "ACK")  # in the order spec.tcp.segment prints them
# Figure 5's words; a picture in another language is given its own (spec/teaching/messages.py
# diagram.*, and the events' names, call.* and event.*; a test checks these against the en ones).
FIGURE5 = {"rcv": "rcv {flags}", "snd": "snd {flags}", "ack-of-fin": "ACK of FIN"}


def received(g: GraphView, e: EdgeView, words: dict[str, str] = FIGURE5) -> str:
    """The event of a Figure 5 label: a user call or timer by its name; a segment as "rcv" and
    the flags its guard requires, with ACK also where an earlier edge of the same state drops a
    segment without one (RFC 9293 3.10.7.4, fifth check)."""
    if e.event != SEGMENT:
        return words.get(e.event, e.event)
    guard = e.guard.split(" and ") if e.guard else []
    flags = [f for f in FLAGS if f in guard]
    earlier = g.edges[:g.edges.index(e)]
    if any(d.source == e.source and d.event == SEGMENT and d.guard == "not ACK" for d in earlier) \
            and "ACK" not in flags:
        flags.append("ACK")
    text = ",".join(flags)
    if "acks_fin" in guard:
        text = ",".join(f for f in flags if f != "ACK")
        text = f"{text}, {words['ack-of-fin']}" if text else words["ack-of-fin"]
    return words["rcv"].format(flags=text)


def sends(e: EdgeView) -> str:
    """The flags of the segment an edge sends, from its action's text: its <CTL=...>, or the
    ACK of what it takes ("ACK them") where that is a FIN, which occupies a sequence number
    (RFC 9293 3.10.7.4, eighth check); then the flags a variant's rewrite sets ("but the segment
    has FIN=True, ACK=None", spec.tcp.variants.rewrite_sent); "" if it sends nothing."""
    found = re.search(r"<CTL=([A-Z,]+)>", e.action)
    flags = set(found[1].split(",")) if found else \
        {"ACK"} if "ACK them" in e.action and "FIN" in e.guard.split(" and ") else set()
    rewrite = re.search(r"; but the segment has (.*)$", e.action)
    if flags and rewrite:
        for flag, value in re.findall(r"\b(SYN|FIN|RST|ACK)=(\w+)", rewrite[1]):
            flags = flags - {flag} if value in ("None", "False") else flags | {flag}
    return ",".join(f for f in FLAGS if f in flags)


def exceptional(e: EdgeView) -> bool:
    """Aborts, resets, host crashes and giving up, which Figure 5 leaves out (RFC 9293 3.5.1,
    3.8.3, 3.10.5, 3.10.7)."""
    return e.event in (ABORT, RTO, CRASH) or "RST" in e.guard or "RST" in sends(e)


# Figure 5 draws CLOSED twice: where connections start (and where one not yet synchronized
# falls back to), and where they end.
STARTING = (CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED)


def ends(u: str, v: str) -> bool:
    """Whether an edge from u to v leads to the CLOSED where connections end."""
    return v == CLOSED and u not in STARTING


def figure5(g: GraphView, e: EdgeView, words: dict[str, str] = FIGURE5) -> str:
    """An edge's label as RFC 9293 Figure 5 writes it: "rcv SYN / snd SYN,ACK"."""
    out = sends(e)
    got = received(g, e, words)
    return f"{got} / {words['snd'].format(flags=out)}" if out else got


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
    """A Mermaid stateDiagram of the states an endpoint can reach, one arc per pair of states
    labelled as Figure 5 labels it; CLOSED drawn twice as in Figure 5, and the arcs of ABORT, RST
    and giving up that lead to CLOSED gathered in one note. Every edge is named in a comment."""
    reach = g.reachable()
    ident = {n: n.replace("-", "_") for n in g.states}
    pairs: dict[tuple[str, str], list[EdgeView]] = {}
    for e in g.changes():
        if e.source in reach:
            pairs.setdefault((e.source, e.target), []).append(e)

    def node(u: str, v: str) -> str:
        return "CLOSED_END" if ends(u, v) else ident[v]

    lines = ["stateDiagram-v2", f"    [*] --> {ident[CLOSED]}"]
    end = "CLOSED_END" if any(ends(u, v) for u, v in pairs) else ident[CLOSED]
    if end != ident[CLOSED]:
        lines.append(f'    state "CLOSED" as {end}')
    aborts = []
    for (u, v), edges in pairs.items():
        shown = list(dict.fromkeys(figure5(g, e) for e in edges if not exceptional(e)))
        if shown or v != CLOSED:
            lines.append(f"    {ident[u]} --> {node(u, v)}: {' | '.join(shown)}".rstrip(": "))
        if len(shown) < len(edges) and v == CLOSED:
            aborts.append(u)
    if aborts:
        rows = [", ".join(aborts[k:k + 3]) for k in range(0, len(aborts), 3)]  # a narrow note
        lines.append(f"    note left of {end}: ABORT, RST, a crash or giving up, from<br/>{',<br/>'.join(rows)}")
    lines += [f"    %% {u} -> {v}: {', '.join(e.name for e in edges)}" for (u, v), edges in pairs.items()]
    lines += [f"    %% {line}" for line in g.self_loops()]
    return "\n".join(lines)
