"""Pictures without graphviz: the state diagram and message sequence charts as SVG and Mermaid.

The SVG is written by hand, with fixed coordinates and rounded numbers, so the
same graph or trace always gives the same bytes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from ..tcp.machine import ABORT, RTO
from ..tcp.states import (CLOSE_WAIT, CLOSED, CLOSING, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, LAST_ACK, LISTEN,
                          SYN_RECEIVED, SYN_SENT, TIME_WAIT)
from ..world.system import PEER
from .graph import EdgeView, GraphView
from .steps import LOSE, TraceStep, Told

# The words of the pictures, given in the reader's language (spec/teaching/messages.py, picture.*):
# the state diagram's title, legend and "(and {n} more)"; the sequence chart's (Told.words).
DIAGRAM_WORDS = ("title", "legend", "legend-2", "more")
CHART_WORDS = ("loop", "forever", "lost", "towards", "in-flight", "legend", "net-lose", "net-duplicate",
               "net-old", "net-forge")

# RFC 9293 3.3.2, Figure 5: the open at the top, ESTABLISHED in the middle, the close below.
# CLOSED is drawn twice, as in the figure: where connections start, and where they end.
LAYOUT = {
    CLOSED: (450, 40), LISTEN: (450, 125),
    SYN_RECEIVED: (150, 215), SYN_SENT: (750, 215),
    ESTABLISHED: (450, 305),
    FIN_WAIT_1: (150, 400), CLOSE_WAIT: (750, 400),
    FIN_WAIT_2: (150, 505), CLOSING: (450, 505), LAST_ACK: (750, 505),
    TIME_WAIT: (450, 600),
}
# How far an edge bows to the left of its direction, as a share of its length; a few edges
# bow the other way to keep clear of ESTABLISHED and of the handshake's labels.
BEND = {(SYN_RECEIVED, CLOSE_WAIT): -0.2, (SYN_SENT, SYN_RECEIVED): -0.1,
        (SYN_RECEIVED, ESTABLISHED): -0.12}
# Where along an edge its label sits (0 at the source, 1 at the target), where the middle is crowded.
LABEL_AT = {(SYN_RECEIVED, CLOSE_WAIT): 0.75, (LISTEN, SYN_SENT): 0.75}
CLOSED_END = (750, 600)
TOP = (CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED)
BOX_W, BOX_H = 124, 32
A_COLOUR, B_COLOUR = "#1f6feb", "#d9480f"


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">')
    defs = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="context-stroke"/></marker></defs>')
    return "\n".join([head, f"<title>{escape(title)}</title>", defs,
                      f'<rect width="{width}" height="{height}" fill="white"/>', *body, "</svg>"]) + "\n"


# ------------------------------------------------------------------ the state diagram

def _exceptional(e: EdgeView) -> bool:
    """Aborts, resets and giving up: drawn thin and unlabelled, as Figure 5 leaves them out."""
    return e.event in (ABORT, RTO) or "RST" in e.guard


def _clip(cx: float, cy: float, tx: float, ty: float) -> tuple[float, float]:
    """Where the ray from a box's centre towards (tx, ty) leaves the box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    t = min((BOX_W / 2 + 3) / abs(dx) if dx else math.inf, (BOX_H / 2 + 3) / abs(dy) if dy else math.inf)
    return cx + dx * t, cy + dy * t


def _position(u: str, v: str) -> tuple[tuple[int, int], tuple[int, int]]:
    end = CLOSED_END if v == CLOSED and u not in TOP else LAYOUT[v]
    return LAYOUT[u], end


def state_diagram_svg(g: GraphView, words: dict[str, str]) -> str:
    """The endpoint state machine, laid out like RFC 9293 Figure 5. Each state is a group
    with data-state, holding hidden A and B markers that a trace page shows."""
    pairs: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    for e in g.changes():
        pairs.setdefault((e.source, e.target), []).append((e.name, _exceptional(e)))
    body = []
    labels = []
    for (u, v), edges in pairs.items():
        (x1, y1), (x2, y2) = _position(u, v)
        names = [k for k, exc in edges if not exc]
        if len(names) > 3:
            names = names[:2] + [words["more"].format(n=len(names) - 2)]
        length = math.hypot(x2 - x1, y2 - y1)
        bend = BEND.get((u, v), 0.12) * length
        bend = math.copysign(max(abs(bend), 24), bend)
        px, py = (y2 - y1) / length, -(x2 - x1) / length  # to the left of the direction of travel
        cx, cy = (x1 + x2) / 2 + px * bend, (y1 + y2) / 2 + py * bend
        sx, sy = _clip(x1, y1, cx, cy)
        ex, ey = _clip(x2, y2, cx, cy)
        style = ('stroke="#333" stroke-width="1.4"' if names else
                 'stroke="#aaa" stroke-width="1" stroke-dasharray="4 3"')
        body.append(f'<path class="edge" data-edges="{" ".join(k for k, _ in edges)}" '
                    f'd="M{_num(sx)},{_num(sy)} Q{_num(cx)},{_num(cy)} {_num(ex)},{_num(ey)}" '
                    f'fill="none" {style} marker-end="url(#arrow)"/>')
        if names:
            t = LABEL_AT.get((u, v), 0.5)
            at = [(1 - t) ** 2 * a + 2 * t * (1 - t) * b + t * t * c
                  for a, b, c in ((sx, cx, ex), (sy, cy, ey))]
            labels.append(_label(*at,
                                 math.copysign(1, bend) * px, math.copysign(1, bend) * py, names))
    body += labels
    for state, (x, y) in LAYOUT.items():
        body.append(_state_box(state, x, y))
    body.append(_state_box(CLOSED, *CLOSED_END))
    body.append(f'<text x="10" y="665" font-size="11" fill="#666">{escape(words["legend"])}</text>'
                f'<text x="10" y="680" font-size="11" fill="#666">{escape(words["legend-2"])}</text>')
    return _svg(900, 700, body, words["title"])


def _label(x: float, y: float, ox: float, oy: float, names: list[str]) -> str:
    """Edge names beside the curve's midpoint (x, y), on the side (ox, oy) it bows to."""
    w = max(len(n) for n in names) * 6.0 + 6
    h = 12 * len(names) + 2
    x, y = x + ox * w / 2 * abs(ox), y + oy * h / 2 * abs(oy)
    top = y - h / 2
    out = [f'<rect x="{_num(x - w / 2)}" y="{_num(top)}" width="{_num(w)}" height="{_num(h)}" '
           f'fill="white" fill-opacity="0.85"/>']
    for i, n in enumerate(names):
        out.append(f'<text x="{_num(x)}" y="{_num(top + 11 + 12 * i)}" font-size="10" '
                   f'text-anchor="middle" fill="#222">{escape(n)}</text>')
    return "\n".join(out)


def _state_box(state: str, x: int, y: int) -> str:
    left, top = x - BOX_W / 2, y - BOX_H / 2
    tags = []
    for who, colour, tx in (("a", A_COLOUR, left - 11), ("b", B_COLOUR, left + BOX_W + 11)):
        tags.append(f'<g class="tag tag-{who}" visibility="hidden"><circle cx="{_num(tx)}" '
                    f'cy="{y}" r="10" fill="{colour}"/><text x="{_num(tx)}" y="{y + 4}" '
                    f'font-size="12" font-weight="bold" text-anchor="middle" fill="white">'
                    f'{who.upper()}</text></g>')
    return (f'<g class="state" data-state="{state}"><rect x="{_num(left)}" y="{_num(top)}" '
            f'width="{BOX_W}" height="{BOX_H}" rx="8" fill="#f4f4f4" stroke="#333" '
            f'stroke-width="1.4"/><text x="{x}" y="{y + 5}" font-size="14" text-anchor="middle" '
            f'fill="#111">{state}</text>{"".join(tags)}</g>')


# ------------------------------------------------------------------ message sequence charts

OLD_MARK = " (old duplicate)"  # how spec.segment prints an old duplicate


@dataclass
class Message:
    """One segment on the chart: who sent it (or "net"), where it went, when, and its fate."""

    sender: str  # "A", "B", or "net" (an old duplicate or a copy made by the network)
    to: str
    text: str
    sent: int  # the step that put it on the wire
    end: int | None = None  # the step that delivered or lost it; None: still in flight
    lost: bool = False


@dataclass
class Chart:
    steps: tuple[TraceStep, ...]
    words: dict[str, str]  # CHART_WORDS in the told trace's language
    messages: list[Message] = field(default_factory=list)
    loop_start: int | None = None


def chart(told: Told) -> Chart:
    """Match every segment sent in a told trace with its delivery or loss."""
    c = Chart(told.steps, told.words, loop_start=told.loop_start)
    pending: dict[str, list[Message]] = {"A": [], "B": []}

    def take(to: str, text: str, n: int, lost: bool) -> None:
        for m in pending[to]:
            if m.text == text:
                m.end, m.lost = n, lost
                pending[to].remove(m)
                return

    for s in told.steps:
        if s.kind == LOSE:
            take(s.to, str(s.segment), s.step, True)
        elif s.actor == "net":
            m = Message("net", s.to, str(s.segment), s.step)
            c.messages.append(m)
            pending[s.to].append(m)
        else:
            if s.segment is not None:
                take(s.actor, str(s.segment), s.step, False)
            for g in s.sent:
                m = Message(s.actor, PEER[s.actor], str(g), s.step)
                c.messages.append(m)
                pending[m.to].append(m)
    return c


def _net(c: Chart, s: TraceStep) -> str:
    """A step of the network, named in the chart's language."""
    return c.words[f"net-{s.kind}"].format(action=s.action)


def _changes(c: Chart):
    """(step, endpoint, state) wherever an endpoint's state changes, and at the start."""
    prev = {}
    for s in c.steps:
        for x, t in (("A", s.a), ("B", s.b)):
            if prev.get(x) != t.state:
                yield s.step, x, t.state
            prev[x] = t.state


def compact(text: str) -> str:
    """<SEQ=ISS_A+1><ACK=ISS_B+1><CTL=FIN,ACK> as FIN,ACK SEQ=ISS_A+1 ACK=ISS_B+1: short enough
    for a chart, and free of the angle brackets Mermaid reads as markup."""
    fields = dict(re.findall(r"<(\w+)=([^>]*)>", text))
    parts = [fields.get("CTL", "")] + [f"{k}={fields[k]}" for k in ("SEQ", "ACK", "DATA") if k in fields]
    return " ".join(parts) + (OLD_MARK if text.endswith(OLD_MARK) else "")


def sequence_mermaid(c: Chart) -> str:
    """A Mermaid sequenceDiagram: each segment appears when it is delivered or lost."""
    lines = ["sequenceDiagram", "    participant A", "    participant B"]
    changes: dict[int, list[tuple[str, str]]] = {}
    for n, x, state in _changes(c):
        changes.setdefault(n, []).append((x, state))
    ending = {}
    for m in c.messages:
        ending.setdefault(m.end, []).append(m)
    for s in c.steps:
        n = s.step
        if c.loop_start is not None and n == c.loop_start + 1:
            lines.append(f"    loop {c.words['forever']}")
        for m in ending.get(n, []) if n else []:
            src = PEER[m.to]
            arrow = "-x" if m.lost else ("-->>" if m.sender == "net" else "->>")
            note = f" ({c.words['lost']})" if m.lost else ""
            lines.append(f"    {src}{arrow}{m.to}: {n}. {compact(m.text)}{note}")
        if s.actor in PEER and s.segment is None:
            lines.append(f"    Note over {s.actor}: {n}. {s.action}")
        elif s.actor == "net" and s.kind != LOSE:
            lines.append(f"    Note over A,B: {n}. {_net(c, s)} {c.words['towards'].format(actor=s.to)}")
        for x, state in changes.get(n, []):
            lines.append(f"    Note over {x}: {state}")
    if c.loop_start is not None:
        lines.append("    end")
    for m in ending.get(None, []):
        lines.append(f"    {PEER[m.to]}-){m.to}: {compact(m.text)} ({c.words['in-flight']})")
    return "\n".join(lines)


ROW, HEAD = 44, 70
X = {"A": 230, "B": 570}
STATE_X = {"A": 95, "B": 705}


def sequence_svg(c: Chart, title: str) -> str:
    """A message sequence chart: one row per step, segments as arrows from the step that sent
    them to the step that delivered (or lost) them. Rows and arrows carry data-step attributes
    for the trace page."""
    last = c.steps[-1].step
    height = HEAD + ROW * (last + 1) + 30
    y = lambda n: HEAD + ROW * n + ROW / 2  # noqa: E731
    body = [f'<text x="400" y="22" font-size="14" text-anchor="middle" fill="#111">{escape(title)}</text>']
    for n in range(last + 1):
        body.append(f'<rect class="row" data-step="{n}" x="0" y="{_num(y(n) - ROW / 2)}" width="820" '
                    f'height="{ROW}" fill="{"#fafafa" if n % 2 else "white"}"/>')
    for x, colour in (("A", A_COLOUR), ("B", B_COLOUR)):
        body.append(f'<text x="{X[x]}" y="55" font-size="16" font-weight="bold" text-anchor="middle" '
                    f'fill="{colour}">{x}</text>')
        body.append(f'<line x1="{X[x]}" y1="62" x2="{X[x]}" y2="{height - 20}" stroke="{colour}" '
                    f'stroke-width="2"/>')
    for s in c.steps:
        n = s.step
        body.append(f'<text x="12" y="{_num(y(n) + 4)}" font-size="11" fill="#666">{n}</text>')
        if s.actor in PEER:
            body.append(f'<text x="{STATE_X[s.actor]}" y="{_num(y(n) + 17)}" font-size="9" '
                        f'text-anchor="middle" fill="#555">{escape(s.action)}</text>')
        elif s.actor == "net":
            body.append(f'<text x="400" y="{_num(y(n) + 17)}" font-size="9" text-anchor="middle" '
                        f'fill="#555" font-style="italic">{escape(_net(c, s))}</text>')
    for n, x, state in _changes(c):
        colour = A_COLOUR if x == "A" else B_COLOUR
        body.append(f'<rect x="{STATE_X[x] - 60}" y="{_num(y(n) - 10)}" width="120" height="18" '
                    f'rx="5" fill="white" stroke="{colour}"/><text x="{STATE_X[x]}" '
                    f'y="{_num(y(n) + 3)}" font-size="11" text-anchor="middle" fill="#111">{state}</text>')
    for m in c.messages:
        body.append(_arrow(m, y, last))
    if c.loop_start is not None:
        top, bottom = y(c.loop_start), y(last)
        body.append(f'<path d="M790,{_num(top)} h8 V{_num(bottom)} h-8" fill="none" stroke="#888"/>'
                    f'<text x="810" y="{_num((top + bottom) / 2)}" font-size="10" fill="#888" '
                    f'transform="rotate(90 810 {_num((top + bottom) / 2)})" text-anchor="middle">'
                    f'{escape(c.words["loop"])}</text>')
    body.append(f'<text x="12" y="{height - 6}" font-size="10" fill="#666">{escape(c.words["legend"])}</text>')
    return _svg(820, int(height), body, title)


def _arrow(m: Message, y, last: int) -> str:
    sign = 1 if m.to == "B" else -1
    x0 = 400 - sign * 100 if m.sender == "net" else X[PEER[m.to]]
    y0 = y(m.sent)
    if m.end is None:
        x1, y1 = x0 + 0.7 * (X[m.to] - x0), y(last) + ROW / 2
    elif m.lost:
        x1, y1 = x0 + 0.7 * (X[m.to] - x0), y(m.end)
    else:
        x1, y1 = X[m.to], y(m.end)
    dash = ' stroke-dasharray="5 3"' if m.sender == "net" or m.end is None else ""
    colour = A_COLOUR if PEER[m.to] == "A" else B_COLOUR
    marker = "" if m.lost else ' marker-end="url(#arrow)"'
    out = [f'<g class="msg" data-sent="{m.sent}" data-end="{"" if m.end is None else m.end}">',
           f'<line x1="{_num(x0)}" y1="{_num(y0)}" x2="{_num(x1)}" y2="{_num(y1)}" stroke="{colour}" '
           f'stroke-width="1.6"{dash}{marker}/>']
    if m.lost:
        out.append(f'<path d="M{_num(x1 - 6)},{_num(y1 - 6)} l12,12 m0,-12 l-12,12" stroke="#c00" '
                   f'stroke-width="2.5"/>')
    # The label starts at the sender's end, so that the labels of crossing segments part.
    length = math.hypot(x1 - x0, y1 - y0)
    lx, ly = x0 + 10 * (x1 - x0) / length, y0 + 10 * (y1 - y0) / length
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    if angle > 90 or angle < -90:
        angle += 180
    anchor = "start" if x1 >= x0 else "end"
    out.append(f'<text x="{_num(lx)}" y="{_num(ly - 4)}" text-anchor="{anchor}" '
               f'font-family="DejaVu Sans Mono, monospace" fill="#111" font-size="11" '
               f'stroke="white" stroke-width="3" stroke-opacity="0.8" paint-order="stroke" '
               f'transform="rotate({_num(angle)} {_num(lx)} {_num(ly)})">'
               f'{escape(compact(m.text).removesuffix(OLD_MARK))}</text>')
    out.append("</g>")
    return "".join(out)
