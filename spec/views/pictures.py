"""Pictures without graphviz: the state diagram and message sequence charts as SVG and Mermaid.

The SVG is written by hand, with fixed coordinates and rounded numbers, so the
same graph or trace always gives the same bytes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from ..tcp.states import (CLOSE_WAIT, CLOSED, CLOSING, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, LAST_ACK, LISTEN,
                          SYN_RECEIVED, SYN_SENT, TIME_WAIT)
from ..world.system import PEER
from .geometry import Point, Polygon, arrowhead, bounds, grow, inside, overlap, quad, rect, text_box, text_width
from .graph import FIGURE5, EdgeView, GraphView, ends, exceptional, figure5
from .steps import LOSE, TraceStep, Told

# The words of the pictures, given in the reader's language (spec/teaching/messages.py, picture.*):
# the state diagram's title, legend, "(and {n} more)" and Figure 5's words, beside which it is
# given the events' names (call.*, event.*); the sequence chart's (Told.words).
DIAGRAM_WORDS = ("title", "legend", "legend-2", "more", *FIGURE5)
CHART_WORDS = ("loop", "forever", "lost", "towards", "in-flight", "old", "legend", "network", "net-lose",
               "net-duplicate", "net-old", "net-forge")

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
# How far an edge bows to the left of its direction, as a share of its length: tried first for
# a few edges (to keep clear of ESTABLISHED), then BENDS in turn, until the curve passes under
# no other box.
BEND = {(SYN_RECEIVED, CLOSE_WAIT): -0.2, (SYN_SENT, SYN_RECEIVED): -0.1,
        (SYN_RECEIVED, ESTABLISHED): -0.12}
BENDS = (0.12, -0.12, 0.06, -0.06, 0.22, -0.22, 0.32, -0.32, 0.45, -0.45, 0.6, -0.6, 0.8, -0.8)
CLOSED_END = (750, 600)
BOX_W, BOX_H = 156, 32  # wide enough for the A and B markers inside, beside the name
LABEL_SIZE_D, LINE_H = 10, 12  # an edge label's font size and line height
A_COLOUR, B_COLOUR = "#1f6feb", "#d9480f"


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, Noto Sans CJK SC, '
            f'WenQuanYi Micro Hei, sans-serif">')
    defs = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
            'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="context-stroke"/></marker></defs>')
    return "\n".join([head, f"<title>{escape(title)}</title>", defs,
                      f'<rect width="{width}" height="{height}" fill="white"/>', *body, "</svg>"]) + "\n"


# ------------------------------------------------------------------ the state diagram

def _clip(cx: float, cy: float, tx: float, ty: float) -> Point:
    """Where the ray from a box's centre towards (tx, ty) leaves the box."""
    dx, dy = tx - cx, ty - cy
    if dx == 0 and dy == 0:
        return cx, cy
    t = min((BOX_W / 2 + 3) / abs(dx) if dx else math.inf, (BOX_H / 2 + 3) / abs(dy) if dy else math.inf)
    return cx + dx * t, cy + dy * t


def _position(u: str, v: str) -> tuple[Point, Point]:
    return LAYOUT[u], CLOSED_END if ends(u, v) else LAYOUT[v]


def _box(x: float, y: float) -> Polygon:
    return rect(x - BOX_W / 2, y - BOX_H / 2, BOX_W, BOX_H)


@dataclass
class Curve:
    """One drawn edge between two boxes: every edge of the graph between them."""

    edges: list[EdgeView]
    start: Point
    control: Point
    end: Point

    def points(self, n: int = 24) -> list[Point]:
        return quad(self.start, self.control, self.end, n)


def _route(u: str, v: str, boxes: list[Polygon], drawn: list[Curve]) -> tuple[Point, Point, Point]:
    """The curve from u's box to v's: the first bow (BEND's, then BENDS in turn) that passes
    under no other box and keeps apart from the curves already drawn; else the bow that passes
    under the fewest points of boxes."""
    (x1, y1), (x2, y2) = _position(u, v)
    length = math.hypot(x2 - x1, y2 - y1)
    px, py = (y2 - y1) / length, -(x2 - x1) / length  # to the left of the direction of travel
    others = [grow(b, 3) for b in boxes if not inside((x1, y1), b) and not inside((x2, y2), b)]
    tried = []
    for share in (BEND.get((u, v), BENDS[0]), *BENDS):
        control = (x1 + x2) / 2 + px * share * length, (y1 + y2) / 2 + py * share * length
        curve = (_clip(x1, y1, *control), control, _clip(x2, y2, *control))
        pts = quad(*curve, 40)
        under = sum(inside(p, b) for p in pts for b in others)
        if under == 0 and all(math.dist(pts[20], c.points(40)[20]) >= 16 for c in drawn):
            return curve
        tried.append((under, len(tried), curve))
    return min(tried)[2]


def state_diagram_svg(g: GraphView, words: dict[str, str]) -> str:
    """The endpoint state machine, laid out like RFC 9293 Figure 5: the states an endpoint can
    reach, and the edges between them labelled "rcv X / snd Y" (the rule on hover). Each state
    is a group with data-state (and data-end for the CLOSED where connections end), holding
    hidden A and B markers that a trace page shows; each curve names its edges in data-edges."""
    reach = g.reachable()
    pairs: dict[tuple[str, str], list[EdgeView]] = {}
    for e in g.changes():
        if e.source in reach:
            pairs.setdefault((e.source, e.target), []).append(e)
    places = [(s, *LAYOUT[s], False) for s in g.states if s in reach]
    if any(_position(u, v)[1] == CLOSED_END for u, v in pairs):
        places.append((CLOSED, *CLOSED_END, True))
    boxes = [_box(x, y) for _, x, y, _ in places]
    legend = [text_box(10, 665, words["legend"], 11), text_box(10, 680, words["legend-2"], 11)]
    curves: list[Curve] = []
    for (u, v), edges in pairs.items():
        curves.append(Curve(edges, *_route(u, v, boxes + legend, curves)))
    heads = [arrowhead(c.end, c.control) for c in curves]
    hard = boxes + heads + legend
    blocks = [_lines(g, c, words) for c in curves]
    labelled = [(c, b) for c, b in zip(curves, blocks) if b]
    spots = _place([_block_spots(c, b) for c, b in labelled], hard,
                   [[seg for d in curves if d is not c for seg in _segments(d)] for c, _ in labelled])
    body = []
    for c in curves:
        solid = any(not exceptional(e) for e in c.edges)
        style = 'stroke="#333" stroke-width="1.4"' if solid else \
            'stroke="#aaa" stroke-width="1" stroke-dasharray="4 3"'
        (sx, sy), (cx, cy), (ex, ey) = c.start, c.control, c.end
        body.append(f'<path class="edge" data-edges="{" ".join(e.name for e in c.edges)}" '
                    f'd="M{_num(sx)},{_num(sy)} Q{_num(cx)},{_num(cy)} {_num(ex)},{_num(ey)}" '
                    f'fill="none" {style} marker-end="url(#arrow)"/>')
    for (c, block), (x, top, _) in zip(labelled, spots):
        body.append(_label(x, top, block))
    for state, x, y, end in places:
        body.append(_state_box(state, x, y, end))
    body.append(f'<text x="10" y="665" font-size="11" fill="#666">{escape(words["legend"])}</text>'
                f'<text x="10" y="680" font-size="11" fill="#666">{escape(words["legend-2"])}</text>')
    return _svg(900, 700, body, words["title"])


def _lines(g: GraphView, c: Curve, words: dict[str, str]) -> list[tuple[str, str]]:
    """A curve's label, one line per distinct Figure 5 label of its edges that Figure 5 draws,
    each with the rules it stands for; at most three lines."""
    rules: dict[str, list[str]] = {}
    for e in c.edges:
        if not exceptional(e):
            rules.setdefault(figure5(g, e, words), []).append(e.name)
    lines = [(text, ", ".join(names)) for text, names in rules.items()]
    if len(lines) > 3:
        rest = lines[2:]
        lines = lines[:2] + [(words["more"].format(n=len(rest)), ", ".join(r for _, r in rest))]
    return lines


def _block_size(block: list[tuple[str, str]]) -> tuple[float, float]:
    return max(text_width(t, LABEL_SIZE_D, False) for t, _ in block) + 6, LINE_H * len(block) + 3


def _block_spots(c: Curve, block: list[tuple[str, str]]) -> list[tuple[float, float, Polygon]]:
    """Where a curve's label may go, best first: beside the curve near its middle, on the side
    it bows to, then on the other side, then astride it; each (centre x, top, box)."""
    w, h = _block_size(block)
    pts = c.points(20)
    mx, my = (c.start[0] + c.end[0]) / 2, (c.start[1] + c.end[1]) / 2
    d = math.hypot(c.control[0] - mx, c.control[1] - my) or 1.0
    nx, ny = (c.control[0] - mx) / d, (c.control[1] - my) / d  # towards the outside of the bow
    reach = abs(nx) * w / 2 + abs(ny) * h / 2 + 3
    out = []
    for side in (1, -1, 0):
        for k in (10, 8, 12, 6, 14, 4, 16):
            cx, cy = pts[k][0] + side * nx * reach, pts[k][1] + side * ny * reach
            if 0 <= cx - w / 2 and cx + w / 2 <= 900 and 0 <= cy - h / 2 and cy + h / 2 <= 650:
                out.append((cx, cy - h / 2, rect(cx - w / 2, cy - h / 2, w, h)))
    x, y = pts[10]
    return out or [(x, y - h / 2, rect(x - w / 2, y - h / 2, w, h))]


def _segments(c: Curve) -> list[Polygon]:
    pts = c.points(12)
    return [(a, b) for a, b in zip(pts, pts[1:])]


def _label(x: float, top: float, block: list[tuple[str, str]]) -> str:
    """A curve's label: its lines on a white ground, each with its rules as a tooltip."""
    w, h = _block_size(block)
    out = [f'<rect x="{_num(x - w / 2)}" y="{_num(top)}" width="{_num(w)}" height="{_num(h)}" '
           f'fill="white" fill-opacity="0.85"/>']
    for i, (line, rules) in enumerate(block):
        out.append(f'<g class="label"><title>{escape(rules)}</title><text x="{_num(x)}" '
                   f'y="{_num(top + 11 + LINE_H * i)}" font-size="{LABEL_SIZE_D}" text-anchor="middle" '
                   f'fill="#222">{escape(line)}</text></g>')
    return "\n".join(out)


def _state_box(state: str, x: int, y: int, end: bool) -> str:
    left, top = x - BOX_W / 2, y - BOX_H / 2
    tags = []
    for who, colour, tx in (("a", A_COLOUR, left + 13), ("b", B_COLOUR, left + BOX_W - 13)):
        tags.append(f'<g class="tag tag-{who}" visibility="hidden"><circle cx="{_num(tx)}" '
                    f'cy="{y}" r="9" fill="{colour}"/><text x="{_num(tx)}" y="{y + 4}" '
                    f'font-size="11" font-weight="bold" text-anchor="middle" fill="white">'
                    f'{who.upper()}</text></g>')
    role = ' data-end="1"' if end else ""
    return (f'<g class="state" data-state="{state}"{role}><rect x="{_num(left)}" '
            f'y="{_num(top)}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="#f4f4f4" stroke="#333" '
            f'stroke-width="1.4"/><text x="{x}" y="{y + 5}" font-size="14" text-anchor="middle" '
            f'fill="#111">{state}</text>{"".join(tags)}</g>')


# ------------------------------------------------------------------ message sequence charts

@dataclass
class Message:
    """One segment on the chart: who sent it (or "net"), where it went, when, and its fate."""

    sender: str  # "A", "B", or "net" (an old duplicate or a copy made by the network)
    to: str
    text: str
    sent: int  # the step that put it on the wire (0 for one already in flight at the start)
    end: int | None = None  # the step that delivered or lost it; None: still in flight
    lost: bool = False
    old: bool = False  # an old duplicate of an earlier incarnation


@dataclass
class Chart:
    steps: tuple[TraceStep, ...]
    words: dict[str, str]  # CHART_WORDS in the told trace's language
    messages: list[Message] = field(default_factory=list)
    loop_start: int | None = None


def chart(told: Told) -> Chart:
    """Match every segment sent in a told trace, or in flight at its start, with its delivery or loss."""
    c = Chart(told.steps, told.words, loop_start=told.loop_start)
    pending: dict[str, list[Message]] = {"A": [], "B": []}

    def put(m: Message) -> None:
        c.messages.append(m)
        pending[m.to].append(m)

    def take(to: str, text: str, n: int, lost: bool) -> None:
        for m in pending[to]:
            if m.text == text:
                m.end, m.lost = n, lost
                pending[to].remove(m)
                return

    first = told.steps[0]
    for sender, channel in zip(("A", "B"), first.in_flight or ((), ())):
        for g in channel:  # a scenario may start with segments on the wire (simultaneous open)
            put(Message(sender, PEER[sender], str(g), first.step, old=g.old))
    for s in told.steps:
        if s.kind == LOSE:
            take(s.to, str(s.segment), s.step, True)
        elif s.actor == "net":
            put(Message("net", s.to, str(s.segment), s.step, old=s.segment.old))
        else:
            if s.segment is not None:
                take(s.actor, str(s.segment), s.step, False)
            for g in s.sent:
                put(Message(s.actor, PEER[s.actor], str(g), s.step))
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
    return " ".join(parts)


def _segment_label(c: Chart, m: Message) -> str:
    """A segment as the Mermaid chart labels it: compact, an old duplicate marked in the chart's words."""
    return compact(m.text) + (f" ({c.words['old']})" if m.old else "")


NET = "N"  # the Mermaid participant that old duplicates and copies come from


def sequence_mermaid(c: Chart) -> str:
    """A Mermaid sequenceDiagram. Mermaid draws every message level, so each segment is drawn
    when it is sent, numbered "sent→arrived" (crossing segments stay visibly concurrent), and
    its arrival is the receiver's numbered step; what the network made comes from a network
    participant."""
    net = any(m.sender == "net" for m in c.messages)
    lines = ["sequenceDiagram", "    participant A",
             *([f"    participant {NET} as {c.words['network']}"] if net else []), "    participant B"]
    changes: dict[int, list[tuple[str, str]]] = {}
    for n, x, state in _changes(c):
        changes.setdefault(n, []).append((x, state))
    sent: dict[int, list[Message]] = {}
    for m in c.messages:
        sent.setdefault(m.sent, []).append(m)
    for s in c.steps:
        n = s.step
        if c.loop_start is not None and n == c.loop_start + 1:
            lines.append(f"    loop {c.words['forever']}")
        if s.actor in PEER:
            lines.append(f"    Note over {s.actor}: {n}. {s.action}")
        elif s.actor == "net":
            lines.append(f"    Note over A,B: {n}. {_net(c, s)} {c.words['towards'].format(actor=s.to)}")
        for m in sent.get(n, []):
            src = NET if m.sender == "net" else m.sender
            if m.end is None:
                lines.append(f"    {src}-){m.to}: {n}. {_segment_label(c, m)} ({c.words['in-flight']})")
            else:
                arrow = "-x" if m.lost else ("-->>" if m.sender == "net" else "->>")
                note = f" ({c.words['lost']})" if m.lost else ""
                lines.append(f"    {src}{arrow}{m.to}: {n}\u2192{m.end}. {_segment_label(c, m)}{note}")
        for x, state in changes.get(n, []):
            lines.append(f"    Note over {x}: {state}")
    if c.loop_start is not None:
        lines.append("    end")
    return "\n".join(lines)


ROW, HEAD = 44, 70
X = {"A": 230, "B": 570}
STATE_X = {"A": 95, "B": 705}
WIDTH = 820
LABEL_SIZE = 11  # the font size of a segment's label (monospace)
GAP = 1.5  # the least room left between a placed label and what it must not cover


def sequence_svg(c: Chart, title: str) -> str:
    """A message sequence chart: one row per step, segments as arrows from the step that sent
    them to the step that delivered (or lost) them, each label placed where it overlaps no other
    text and no arrowhead. Rows and arrows carry data-step attributes for the trace page."""
    last = c.steps[-1].step
    height = HEAD + ROW * (last + 1) + 30
    y = lambda n: HEAD + ROW * n + ROW / 2  # noqa: E731
    taken: list[Polygon] = []  # what a segment's label must not cover

    def text(x: float, ty: float, words: str, size: float, anchor: str = "start", extra: str = "",
             angle: float = 0) -> str:
        taken.append(text_box(x, ty, words, size, anchor, angle=angle))
        turn = f' transform="rotate({_num(angle)} {_num(x)} {_num(ty)})"' if angle else ""
        return (f'<text x="{_num(x)}" y="{_num(ty)}" font-size="{_num(size)}" text-anchor="{anchor}" '
                f'{extra}{turn}>{escape(words)}</text>')

    body = [text(WIDTH / 2, 22, title, 14, "middle", 'fill="#111"')]
    for n in range(last + 1):
        body.append(f'<rect class="row" data-step="{n}" x="0" y="{_num(y(n) - ROW / 2)}" width="{WIDTH}" '
                    f'height="{ROW}" fill="{"#fafafa" if n % 2 else "white"}"/>')
    for x, colour in (("A", A_COLOUR), ("B", B_COLOUR)):
        body.append(text(X[x], 55, x, 16, "middle", f'font-weight="bold" fill="{colour}"'))
        body.append(f'<line x1="{X[x]}" y1="62" x2="{X[x]}" y2="{height - 20}" stroke="{colour}" '
                    f'stroke-width="2"/>')
    for s in c.steps:
        n = s.step
        body.append(text(12, y(n) + 4, str(n), 11, extra='fill="#666"'))
        if s.actor in PEER:
            body.append(text(STATE_X[s.actor], y(n) + 17, s.action, 9, "middle", 'fill="#555"'))
        elif s.actor == "net":
            # above the row's middle: a segment the network injects leaves from the middle downwards
            body.append(text(WIDTH / 2, y(n) - 8, _net(c, s), 9, "middle", 'fill="#555" font-style="italic"'))
    for n, x, state in _changes(c):
        colour = A_COLOUR if x == "A" else B_COLOUR
        taken.append(rect(STATE_X[x] - 60, y(n) - 10, 120, 18))
        body.append(f'<rect x="{STATE_X[x] - 60}" y="{_num(y(n) - 10)}" width="120" height="18" '
                    f'rx="5" fill="white" stroke="{colour}"/>'
                    + text(STATE_X[x], y(n) + 3, state, 11, "middle", 'fill="#111"'))
    arrows = [_line(m, y, last) for m in c.messages]
    taken += [_head(*a) for a in arrows]
    words = [compact(m.text) for m in c.messages]
    lines = [((a[0], a[1]), (a[2], a[3])) for a in arrows]
    spots = _place([_spots(*a[:4], w) for a, w in zip(arrows, words)], taken,
                   [[t for j, t in enumerate(lines) if j != i] for i in range(len(lines))])
    for m, a, w, spot in zip(c.messages, arrows, words, spots):
        body.append(_arrow(m, *a, w, spot))
    if c.loop_start is not None:
        top, bottom = y(c.loop_start), y(last)
        body.append(f'<path d="M790,{_num(top)} h8 V{_num(bottom)} h-8" fill="none" stroke="#888"/>'
                    + text(810, (top + bottom) / 2, c.words["loop"], 10, "middle", 'fill="#888"', 90))
    body.append(text(12, height - 6, c.words["legend"], 10, extra='fill="#666"'))
    return _svg(WIDTH, int(height), body, title)


Line = tuple[float, float, float, float, bool]  # x0, y0, x1, y1, lost


def _line(m: Message, y, last: int) -> Line:
    """Where a segment's arrow starts and ends: at the receiver when delivered, seven tenths of
    the way when lost or still in flight."""
    sign = 1 if m.to == "B" else -1
    x0 = WIDTH / 2 - sign * 100 if m.sender == "net" else X[PEER[m.to]]
    y0 = y(m.sent)
    if m.end is None:
        return x0, y0, x0 + 0.7 * (X[m.to] - x0), y(last) + ROW / 2, False
    if m.lost:
        return x0, y0, x0 + 0.7 * (X[m.to] - x0), y(m.end), True
    return x0, y0, X[m.to], y(m.end), False


def _head(x0: float, y0: float, x1: float, y1: float, lost: bool) -> Polygon:
    """The arrowhead, or the cross of a lost segment."""
    return rect(x1 - 7, y1 - 7, 14, 14) if lost else arrowhead((x1, y1), (x0, y0))


Spot = tuple[float, float, float, float, str, Polygon]  # x, y, angle, baseline offset, anchor, box


def _spots(x0: float, y0: float, x1: float, y1: float, words: str) -> list[Spot]:
    """Where a segment's label may go, best first: along its arrow, reading from the sender's
    end, above the line, then below it; where arrows cross, level at the sender's end (two
    labels that both run along crossing arrows through the crossing must overlap there)."""
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    if angle > 90 or angle < -90:
        angle += 180
    anchor = "start" if x1 >= x0 else "end"
    room = length - text_width(words, LABEL_SIZE, True) - 24
    out = []
    for dy in (-4, LABEL_SIZE + 1):
        for d in [12 + k * 12 for k in range(max(int(room // 12), 0) + 1)]:
            lx, ly = x0 + d * ux, y0 + d * uy
            out.append((lx, ly, angle, dy, anchor,
                        text_box(lx, ly + dy, words, LABEL_SIZE, anchor, True, angle, (lx, ly))))
    side = 1 if x1 >= x0 else -1
    for dy in (-5, LABEL_SIZE + 3, -5 - LABEL_SIZE - 2):
        for d in (8, 20, 32):
            lx = x0 + side * d
            out.append((lx, y0, 0.0, dy, anchor, text_box(lx, y0 + dy, words, LABEL_SIZE, anchor, True)))
    return out


def _place(spots: list[list[tuple]], taken: list[Polygon], soft: list[list[Polygon]]) -> list[tuple]:
    """One spot per label (a spot's last element is its box), each covering as few other labels
    and as little of `taken` as can be, then as little of its own `soft` list (the lines it
    should not cross): every label in turn moves to its best spot given the others, until none
    moves (ties go to the spot listed first)."""
    choice = [0] * len(spots)
    for _ in range(8):
        moved = False
        for i, own in enumerate(spots):
            others = taken + [spots[j][k][-1] for j, k in enumerate(choice) if j != i]
            near = [t for t in others if _near(t, own)]
            crossing = [t for t in soft[i] if _near(t, own)]
            best = min(range(len(own)), key=lambda k: (sum(overlap(own[k][-1], t, GAP) for t in near),
                                                       sum(overlap(own[k][-1], t) for t in crossing), k))
            moved |= best != choice[i]
            choice[i] = best
        if not moved:
            break
    return [own[k] for own, k in zip(spots, choice)]


def _near(t: Polygon, spots: list[Spot]) -> bool:
    """Whether t's bounding box meets that of any of the spots (a quick filter before overlap)."""
    x0, y0, x1, y1 = bounds(t)
    for s in spots:
        a0, b0, a1, b1 = bounds(s[-1])
        if a0 < x1 + GAP and x0 < a1 + GAP and b0 < y1 + GAP and y0 < b1 + GAP:
            return True
    return False


def _arrow(m: Message, x0: float, y0: float, x1: float, y1: float, lost: bool, words: str, spot: Spot) -> str:
    dash = ' stroke-dasharray="5 3"' if m.sender == "net" or m.end is None else ""
    colour = A_COLOUR if PEER[m.to] == "A" else B_COLOUR
    marker = "" if lost else ' marker-end="url(#arrow)"'
    out = [f'<g class="msg" data-sent="{m.sent}" data-end="{"" if m.end is None else m.end}">',
           f'<line x1="{_num(x0)}" y1="{_num(y0)}" x2="{_num(x1)}" y2="{_num(y1)}" stroke="{colour}" '
           f'stroke-width="1.6"{dash}{marker}/>']
    if lost:
        out.append(f'<path d="M{_num(x1 - 6)},{_num(y1 - 6)} l12,12 m0,-12 l-12,12" stroke="#c00" '
                   f'stroke-width="2.5"/>')
    lx, ly, angle, dy, anchor, _ = spot
    turn = f' transform="rotate({_num(angle)} {_num(lx)} {_num(ly)})"' if angle else ""
    out.append(f'<text x="{_num(lx)}" y="{_num(ly + dy)}" text-anchor="{anchor}" '
               f'font-family="DejaVu Sans Mono, monospace" fill="#111" font-size="{LABEL_SIZE}" '
               f'stroke="white" stroke-width="3" stroke-opacity="0.8" paint-order="stroke"{turn}>'
               f'{escape(words)}</text>')
    out.append("</g>")
    return "".join(out)
