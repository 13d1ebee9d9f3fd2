"""The pictures read back as a viewer sees them: every text's box (from its font size and
character count, spec.views.geometry) and every arrowhead, in every generated SVG; no two
overlap, no edge runs under a state's box, and what is drawn is what the graph or trace holds."""

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import pytest

from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.facts import firings
from tcpverify.spec.tcp.machine import Machine, build_graph
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.teaching.messages import LANGS, MESSAGES, diagram_words
from tcpverify.spec.teaching.narrator import narrate
from tcpverify.spec.teaching.pages import pick
from tcpverify.spec.teaching.topics import TOPICS, show
from tcpverify.spec.views.geometry import arrowhead, inside, overlap, quad, rect, text_box
from tcpverify.spec.views.graph import FIGURE5, exceptional, graph_mermaid, graph_view, sends
from tcpverify.spec.views.pictures import chart, sequence_mermaid, sequence_svg, state_diagram_svg
from tcpverify.spec.world.config import SCENARIOS, Config

from tiers import sampled

REPORTS = Path(__file__).parents[2] / "reports"
SVG = "{http://www.w3.org/2000/svg}"
ROTATE = re.compile(r"rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)")


def texts(root: ET.Element) -> list[tuple[str, tuple]]:
    """(words, box) of every text, as the renderer computes a box; font family inherited."""
    out = []

    def walk(e: ET.Element, family: str) -> None:
        family = e.get("font-family", family)
        if e.tag == f"{SVG}text":
            words = e.text or ""
            turn = ROTATE.fullmatch(e.get("transform", ""))
            angle, about = (float(turn[1]), (float(turn[2]), float(turn[3]))) if turn else (0.0, None)
            out.append((words, text_box(float(e.get("x")), float(e.get("y")), words, float(e.get("font-size")),
                                        e.get("text-anchor", "start"), "Mono" in family, angle, about)))
        for child in e:
            walk(child, family)

    walk(root, root.get("font-family", ""))
    return out


def points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"([-\d.]+),([-\d.]+)", d)]


def arrowheads(root: ET.Element) -> list[tuple]:
    """The arrowhead at the end of every line and path that has one."""
    out = []
    for e in root.iter():
        if e.get("marker-end") is None:
            continue
        if e.tag == f"{SVG}line":
            tail, tip = (float(e.get("x1")), float(e.get("y1"))), (float(e.get("x2")), float(e.get("y2")))
        else:
            *_, tail, tip = points(e.get("d"))
        out.append(arrowhead(tip, tail))
    return out


def clashes(svg: str) -> list[str]:
    """Every pair of texts whose boxes overlap, and every text over an arrowhead."""
    root = ET.fromstring(svg)
    boxes, heads = texts(root), arrowheads(root)
    found = [f"{a!r} over {b!r}" for i, (a, p) in enumerate(boxes) for b, q in boxes[i + 1:] if overlap(p, q)]
    found += [f"{a!r} over an arrowhead" for a, p in boxes for h in heads if overlap(p, h)]
    return found


@lru_cache(maxsize=None)
def told(scenario: str, lang: str = "en", **config):
    """The run a trace page of the scenario shows."""
    o = check_scenario(SCENARIOS[scenario], Config(**config))
    p = pick(o)
    return narrate(o, p.trace, p.loop_start, lang)


@lru_cache(maxsize=None)
def topic(name: str, lang: str = "en"):
    """The run `tcpverify explain NAME` shows."""
    s = show(TOPICS[name])
    return narrate(s.outcome, s.trace, s.loop_start, lang)


def test_the_overlap_test_sees_an_overlap():
    # two labels at one spot, and one on an arrowhead: what the old charts drew at crossings
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans"><text x="10" y="20" font-size="11">'
           'SYN SEQ=ISS_A</text><text x="60" y="24" font-size="11">ACK</text>'
           '<line x1="0" y1="0" x2="200" y2="40" marker-end="url(#arrow)"/>'
           '<text x="190" y="38" font-size="11" font-family="DejaVu Sans Mono">FIN</text></svg>')
    assert len(clashes(svg)) == 2


@pytest.mark.parametrize("name", sorted(p.relative_to(REPORTS).as_posix() for p in REPORTS.rglob("*.svg")))
def test_no_two_labels_overlap_in_a_committed_picture(name):
    assert clashes((REPORTS / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("scenario, lang", [("simultaneous-open", "en"), ("half-close", "zh")])
def test_no_two_labels_overlap_in_a_sequence_chart(scenario, lang):
    assert clashes(sequence_svg(chart(told(scenario, lang)), scenario)) == []


def test_no_two_labels_overlap_in_a_chinese_sequence_chart_of_an_old_duplicate():
    assert clashes(sequence_svg(chart(topic("why-three-way-handshake", "zh")), "zh")) == []


def test_no_two_labels_overlap_in_the_loop_of_the_two_way_handshake():
    o = show(TOPICS["why-three-way-handshake"]).outcome
    v = next(v for v in o.result.verdicts if v.loop_start is not None)  # close-completion's lasso
    for lang in LANGS:
        c = chart(narrate(o, v.trace, v.loop_start, lang))
        assert c.loop_start is not None and clashes(sequence_svg(c, "lasso")) == []


def test_the_simultaneous_open_chart_draws_both_syns_in_flight_at_the_start():
    t = told("simultaneous-open")
    c = chart(t)
    first = [m for m in c.messages if m.sent == 0]
    assert sorted((m.sender, m.to) for m in first) == [("A", "B"), ("B", "A")]
    assert all("CTL=SYN>" in m.text and m.end is not None for m in first)
    root = ET.fromstring(sequence_svg(c, "simultaneous-open"))
    assert len([g for g in root.iter(f"{SVG}g") if g.get("data-sent") == "0"]) == 2
    assert "A->>B: 0\u2192" in sequence_mermaid(c) and "B->>A: 0\u2192" in sequence_mermaid(c)


def test_mermaid_draws_a_segment_when_it_is_sent():
    c = chart(topic("simultaneous-close"))
    mer = sequence_mermaid(c)
    fins = re.findall(r"^    (A|B)->>(?:A|B): (\d+)\u2192(\d+)\. FIN", mer, re.M)
    assert len(fins) == 2
    (_, sent1, got1), (_, sent2, got2) = fins
    assert int(sent2) < int(got1)  # the second FIN leaves before the first arrives: they cross
    lines = mer.splitlines()
    assert lines.index(next(x for x in lines if re.match(rf"    \w+->>\w+: {sent2}\u2192", x))) \
        < lines.index(next(x for x in lines if x.startswith(f"    Note over") and f": {got1}. " in x))


def test_mermaid_shows_an_old_duplicate_coming_from_the_network():
    c = chart(topic("why-three-way-handshake"))
    mer = sequence_mermaid(c)
    assert "participant N as network" in mer
    old = [m for m in c.messages if m.sender == "net"]
    assert old and all(re.search(rf"^    N-->>{m.to}: {m.sent}\u2192", mer, re.M) for m in old)
    assert not re.search(r"^    A-->>", mer, re.M)



@pytest.mark.parametrize("lang", LANGS)
def test_mermaid_marks_an_old_duplicate_in_the_charts_own_words(lang):
    c = chart(topic("why-three-way-handshake", lang))
    mark = f" ({MESSAGES['chart.old'][lang]})"
    old = [m for m in c.messages if m.old]
    labels = [line for line in sequence_mermaid(c).splitlines() if line.startswith("    N-->>")]
    assert old and len(labels) == len(old) and all(line.endswith(mark) for line in labels)
    assert lang == "en" or "(old duplicate)" not in sequence_mermaid(c)


def boxes_and_curves(svg: str):
    """Every state's box, and every drawn edge as (its edges' names, points along its curve)."""
    root = ET.fromstring(svg)
    boxes = [(g.get("data-state"), next(g.iter(f"{SVG}rect"))) for g in root.iter(f"{SVG}g")
             if g.get("class") == "state"]
    boxes = [(s, rect(*(float(r.get(k)) for k in ("x", "y", "width", "height")))) for s, r in boxes]
    curves = [(p.get("data-edges").split(), quad(*points(p.get("d")), 60)) for p in root.iter(f"{SVG}path")
              if p.get("class") == "edge"]
    return boxes, curves


def under_boxes(svg: str) -> list[str]:
    boxes, curves = boxes_and_curves(svg)
    return [f"{names[0]} under {s}" for names, pts in curves for s, b in boxes if any(inside(p, b) for p in pts)]


def test_the_box_test_sees_an_edge_under_a_box():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><g class="state" data-state="CLOSING"><rect x="100" y="0" '
           'width="50" height="20"/></g><path class="edge" data-edges="X" d="M0,10 Q125,10 250,10"/></svg>')
    assert under_boxes(svg) == ["X under CLOSING"]


def diagram(variant: str | None = None, lang: str = "en") -> str:
    g = build_graph() if variant is None else VARIANTS[variant].apply(build_graph())
    return state_diagram_svg(graph_view(g), diagram_words(lang))


# The RFC model's diagram and one variant's in the fast tier (each takes a second or two per language).
@pytest.mark.parametrize("variant", sampled([None, *VARIANTS], lambda v: v in (None, "no-time-wait")))
def test_no_label_overlaps_and_no_edge_runs_under_a_box_in_any_variants_diagram(variant):
    for lang in LANGS:
        svg = diagram(variant, lang)
        assert clashes(svg) == [] and under_boxes(svg) == []


def test_a_variant_draws_only_what_an_endpoint_can_reach():
    root = ET.fromstring(diagram("no-time-wait"))
    states = {g.get("data-state") for g in root.iter(f"{SVG}g") if g.get("class") == "state"}
    assert "TIME-WAIT" not in states and {"FIN-WAIT-2", "CLOSING", "CLOSED"} <= states
    drawn = " ".join(p.get("data-edges") for p in root.iter(f"{SVG}path") if p.get("class") == "edge").split()
    assert "TimeoutInTimeWait" not in drawn and "RcvFinInFinWait2" in drawn


def labels(svg: str) -> dict[str, str]:
    """Each rule's label line on the diagram, from the hover titles."""
    root = ET.fromstring(svg)
    return {rule: g.find(f"{SVG}text").text for g in root.iter(f"{SVG}g") if g.get("class") == "label"
            for rule in g.find(f"{SVG}title").text.split(", ")}


def test_edges_are_labelled_as_figure_5_labels_them_with_the_rule_on_hover():
    shown = labels(diagram())
    assert shown["RcvSynInListen"] == "rcv SYN / snd SYN,ACK"
    assert shown["RcvSynAckInSynSent"] == "rcv SYN,ACK / snd ACK"
    assert shown["CloseInEstablished"] == "CLOSE / snd FIN,ACK"
    assert shown["RcvAckOfFinInFinWait1"] == "rcv ACK of FIN"
    assert shown["TimeoutInTimeWait"] == "2MSL timeout"
    # computed from the edge's action, not listed: a variant that changes what is sent changes the label
    assert labels(diagram("fin-without-ack"))["CloseInEstablished"] == "CLOSE / snd FIN"


@pytest.mark.slow
@pytest.mark.parametrize("variant", [None, "fin-without-ack", "fin-on-final-ack"])
def test_what_a_label_says_is_sent_is_what_firing_the_edge_sends(variant):
    graph = build_graph() if variant is None else VARIANTS[variant].apply(build_graph())
    sent = {}
    for f in firings(Machine(graph)):
        sent.setdefault(f.edge, set()).add(",".join(s.flags for s in f.sent))
    for e in graph_view(graph).changes():
        if not exceptional(e) and e.name in sent:
            assert sends(e) in sent[e.name], (e.name, sends(e), sent[e.name])


def test_the_mermaid_state_diagram_has_one_arc_per_pair_and_gathers_the_aborts():
    g = graph_view(build_graph())
    mer = graph_mermaid(g)
    arcs = re.findall(r"^    (\w+) --> (\w+)", mer, re.M)
    assert len(arcs) == len(set(arcs)) < len({(e.source, e.target) for e in g.changes()})
    into = [v for _, v in arcs]
    assert max(into.count(v) for v in set(into)) <= 3  # not some thirty arcs into one CLOSED
    note = next(line for line in mer.splitlines() if line.startswith("    note left of CLOSED_END: ABORT"))
    assert all(len(row) < 50 for row in note.split("<br/>")[1:])  # narrow: states three to a line


def test_figure_5s_words_are_the_catalogues_english_and_a_chinese_diagram_has_its_own():
    assert FIGURE5 == {k: MESSAGES[f"diagram.{k}"]["en"] for k in FIGURE5}
    shown = labels(diagram(lang="zh"))
    assert shown["RcvSynInListen"] == "收到 SYN / 发送 SYN,ACK"
    assert shown["PassiveOpenInClosed"] == MESSAGES["call.OPEN (passive)"]["zh"]
