"""The geometry of the hand-written SVG pictures: a text's box computed from its font size and
character count (the pictures place their labels with it; the tests read every text of an SVG
back and check that no two boxes overlap), convex polygons, and the points of an edge's curve."""

from __future__ import annotations

import math

Point = tuple[float, float]
Polygon = tuple[Point, ...]  # convex, its corners in order

MONO, SANS = 0.61, 0.64  # advance per character in em: DejaVu Sans Mono; DejaVu Sans (upper bound of capitals)
WIDE = 1.0  # a CJK character
ASCENT, DESCENT = 0.78, 0.24  # em above and below the baseline


def text_width(text: str, size: float, mono: bool) -> float:
    narrow = MONO if mono else SANS
    return size * sum(WIDE if ord(ch) >= 0x2E80 else narrow for ch in text)


def rotate(p: Point, angle: float, about: Point) -> Point:
    """p turned by angle degrees about a point, as SVG's rotate(angle cx cy) turns it."""
    a = math.radians(angle)
    dx, dy = p[0] - about[0], p[1] - about[1]
    return (about[0] + dx * math.cos(a) - dy * math.sin(a), about[1] + dx * math.sin(a) + dy * math.cos(a))


def rect(x: float, y: float, w: float, h: float) -> Polygon:
    return ((x, y), (x + w, y), (x + w, y + h), (x, y + h))


def grow(r: Polygon, by: float) -> Polygon:
    """An axis-aligned rectangle made larger by `by` on every side."""
    x0, y0, x1, y1 = bounds(r)
    return rect(x0 - by, y0 - by, x1 - x0 + 2 * by, y1 - y0 + 2 * by)


def text_box(x: float, y: float, text: str, size: float, anchor: str = "start", mono: bool = False,
             angle: float = 0.0, about: Point | None = None) -> Polygon:
    """The box of a text drawn at (x, y) (its baseline), turned by angle degrees about `about`."""
    w = text_width(text, size, mono)
    left = x - {"start": 0.0, "middle": w / 2, "end": w}[anchor]
    box = rect(left, y - ASCENT * size, w, (ASCENT + DESCENT) * size)
    if angle:
        box = tuple(rotate(p, angle, about or (x, y)) for p in box)
    return box


def bounds(p: Polygon) -> tuple[float, float, float, float]:
    xs, ys = [q[0] for q in p], [q[1] for q in p]
    return min(xs), min(ys), max(xs), max(ys)


def overlap(p: Polygon, q: Polygon, gap: float = 0.0) -> bool:
    """Whether two convex polygons share an area (touching edges do not count), or come closer
    than gap: no axis of either separates them by gap."""
    for poly in (p, q):
        for i in range(len(poly)):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % len(poly)]
            norm = math.hypot(x2 - x1, y2 - y1) or 1.0
            nx, ny = (y1 - y2) / norm, (x2 - x1) / norm
            a = [nx * x + ny * y for x, y in p]
            b = [nx * x + ny * y for x, y in q]
            if max(a) + gap <= min(b) + 1e-6 or max(b) + gap <= min(a) + 1e-6:
                return False
    return True


def inside(pt: Point, r: Polygon) -> bool:
    """Whether a point lies strictly inside an axis-aligned rectangle."""
    x0, y0, x1, y1 = bounds(r)
    return x0 < pt[0] < x1 and y0 < pt[1] < y1


def quad(p0: Point, c: Point, p1: Point, n: int = 40) -> list[Point]:
    """Points along the quadratic Bezier curve from p0 to p1 with control point c."""
    return [tuple((1 - t) ** 2 * a + 2 * t * (1 - t) * b + t * t * d for a, b, d in zip(p0, c, p1))
            for t in (k / n for k in range(n + 1))]


def arrowhead(tip: Point, tail: Point, size: float = 9.0) -> Polygon:
    """The area of the arrowhead a line from tail to tip ends in (the pictures' marker: size
    long and size wide, its point at the tip)."""
    length = math.hypot(tip[0] - tail[0], tip[1] - tail[1]) or 1.0
    ux, uy = (tip[0] - tail[0]) / length, (tip[1] - tail[1]) / length
    bx, by = tip[0] - ux * size, tip[1] - uy * size
    h = size / 2
    return ((tip[0] + ux, tip[1] + uy), (bx - uy * h, by + ux * h), (bx + uy * h, by - ux * h))
