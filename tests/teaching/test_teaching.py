"""explain, the message catalogue, the pictures and the trace page, on runs the checker computes."""

import json
import re
import string
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser

import pytest

from tcpverify.checker.explore import explore
from tcpverify.checker.reach import path_through
from tcpverify.spec.cli import main
from tcpverify.spec.reports.build import verification_md
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.machine import build_graph
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.teaching.figures import report_pictures
from tcpverify.spec.teaching.messages import LANGS, MESSAGES, diagram_words
from tcpverify.spec.teaching.narrator import narrate
from tcpverify.spec.teaching.topics import TOPICS, lesson, show
from tcpverify.spec.views.graph import graph_view
from tcpverify.spec.views.pictures import LAYOUT, chart, sequence_mermaid, sequence_svg, state_diagram_svg
from tcpverify.spec.tcp.seq import SeqVal
from tcpverify.spec.world.config import SCENARIOS, Config
from tcpverify.spec.world.system import completes_on_old_segment

from tiers import sampled

DIAGRAM = diagram_words("en")

SVG = "{http://www.w3.org/2000/svg}"


@lru_cache(maxsize=None)
def shown(name):
    s = show(TOPICS[name])
    assert s is not None, f"the checker no longer finds the run of {name}"
    return s


@pytest.fixture
def cached_runs(monkeypatch):
    """Commands that run a topic get the run this module computed once (the checker is slow)."""
    import tcpverify.spec.cli.explain
    import tcpverify.spec.teaching.figures

    for module in (tcpverify.spec.cli.explain, tcpverify.spec.teaching.figures):
        monkeypatch.setattr(module, "show", lambda topic: shown(topic.name))


def told(name):
    s = shown(name)
    return narrate(s.outcome, s.trace, s.loop_start)


def steps(name):
    return [s.as_dict() for s in told(name).steps]


def page_steps(o, trace, lang="en"):
    """The steps a page embeds: each step's data and the narrator's words for it."""
    return [dict(s.as_dict(), told=list(s.told)) for s in narrate(o, trace, lang=lang).steps]


def states(st, x):
    return [s[x]["state"] for s in st]


def actions(st, actor):
    return [s["action"] for s in st if s["actor"] == actor]


# ------------------------------------------------------------------ each topic's computed run

def test_why_three_way_handshake_listen_established_on_old_syn():
    s = shown("why-three-way-handshake")
    st = steps("why-three-way-handshake")
    assert s.topic.property == "synchronization" and "OLDSEQ1" in s.message
    assert len(st) - 1 == 2
    assert st[1]["actor"] == "net" and st[1]["action"] == "OldDuplicateArrives(SYN)"
    assert st[2]["action"] == "RcvSynInListen"
    assert (st[-1]["a"]["state"], st[-1]["b"]["state"]) == ("CLOSED", "ESTABLISHED")
    assert st[-1]["b"]["irs"] == "OLDSEQ1"


def test_why_time_wait_lost_final_ack_answered_by_rst():
    st = steps("why-time-wait")
    assert shown("why-time-wait").topic.property == "graceful" and len(st) - 1 == 12
    assert "TIME-WAIT" not in states(st, "a")
    assert "FIN-WAIT-2" in states(st, "a") and "LAST-ACK" in states(st, "b")
    lost = [s for s in st if s["action"] == "Lose"]
    assert len(lost) == 1 and lost[0]["to"] == "B" and "CTL=ACK>" in lost[0]["segment"]
    assert "RetransmitInLastAck" in actions(st, "B")
    assert st[-1]["action"] == "RcvSegmentInClosed" and "RST" in st[-1]["sent"][0]


def test_why_time_wait_reuse_a_late_copy_of_the_old_syn_ack_completes_the_new_connection():
    s = shown("why-time-wait-reuse")
    st = steps("why-time-wait-reuse")
    assert s.topic.property == "synchronization" and len(st) - 1 == 17
    assert s.message == "A is ESTABLISHED with IRS=ISS_B, but B has chosen no ISS"
    # A's third ACK lost, B retransmits its SYN,ACK, the network copies it
    lost, dup = ([x for x in st if x["action"] == a] for a in ("Lose", "Duplicate"))
    assert len(lost) == 1 and lost[0]["to"] == "B" and "CTL=ACK>" in lost[0]["segment"]
    assert "RetransmitInSynReceived" in actions(st, "B")
    assert len(dup) == 1 and dup[0]["to"] == "A" and "CTL=SYN,ACK>" in dup[0]["segment"]
    # A closes without TIME-WAIT and connects again: a second ISN
    assert "TIME-WAIT" not in states(st, "a") and actions(st, "A").count("ActiveOpenInClosed") == 2
    last = st[-1]
    assert last["action"] == "RcvSynAckInSynSent" and last["segment"] == dup[0]["segment"]
    assert last["a"]["state"] == "ESTABLISHED" and last["a"]["iss"] == "ISS_A2" and last["b"]["state"] == "LISTEN"
    # ... taken only where the new ISN is the old one
    o, (_, end) = s.outcome, s.trace[-1]
    assert o.system.decider.valid(o.state(end).pc, "eq", SeqVal("ISS_A2", 0), SeqVal("ISS_A", 0))
    # the variant takes such transitions, the RFC graph under the same faults none
    assert o.transitions(completes_on_old_segment) and not s.rfc.transitions(completes_on_old_segment)
    assert s.rfc.variant is None and s.rfc.config == s.topic.config
    lesson_text = " ".join(lesson(s, "en").after)
    assert f"explores {s.rfc.result.exploration.stats.states} states" in lesson_text
    assert "counts 0 transitions" in lesson_text
    # what the variant breaks there and the RFC graph keeps
    for p in ("synchronization", "no-deadlock", "no-half-open"):
        assert o.verdict(p).status == "VIOLATED" and s.rfc.verdict(p).status == "VERIFIED"
    assert "it verifies synchronization, no-deadlock and no-half-open." in lesson_text


def test_a_hazard_topic_shows_nothing_when_its_counterexample_does_not_end_in_the_hazard():
    t = TOPICS["why-time-wait-reuse"]
    assert show(replace(t, hazard=lambda w, label, after: False)) is None


def test_why_fin_wait_2_time_wait_expires_before_the_peer_closes():
    st = steps("why-fin-wait-2")
    assert len(st) - 1 == 10
    assert "FIN-WAIT-2" not in states(st, "a")
    a = actions(st, "A")
    assert a.index("RcvAckOfFinInFinWait1") < a.index("TimeoutInTimeWait") < a.index("RcvSegmentInClosed")
    assert "CloseInCloseWait" in actions(st, "B")
    assert "RST" in st[-1]["sent"][0]


def test_simultaneous_close_both_through_closing_to_time_wait():
    st = steps("simultaneous-close")
    assert len(st) - 1 == 10
    assert any(s["a"]["state"] == s["b"]["state"] == "CLOSING" for s in st)
    assert st[-1]["a"]["state"] == st[-1]["b"]["state"] == "TIME-WAIT"
    for x in ("A", "B"):
        assert actions(st, x).count("RcvFinInFinWait1") == 1
        assert actions(st, x).count("RcvAckOfFinInClosing") == 1


def test_lost_final_ack_retransmitted_fin_reacknowledged_in_time_wait():
    st = steps("lost-final-ack")
    assert len(st) - 1 == 14
    lost = [s for s in st if s["action"] == "Lose"]
    assert len(lost) == 1 and lost[0]["a"]["state"] == "TIME-WAIT" and lost[0]["to"] == "B"
    b, a = actions(st, "B"), actions(st, "A")
    assert "RetransmitInLastAck" in b and "RcvFinInTimeWait" in a
    assert b.index("RcvAckOfFinInLastAck") == len(b) - 1
    assert st[-1]["action"] == "TimeoutInTimeWait"
    assert st[-1]["a"]["state"] == st[-1]["b"]["state"] == "CLOSED"


# ------------------------------------------------------------------ explain on the command line

@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_explain_prints_every_step_with_rule_and_numbers(topic, lang, capsys, cached_runs):
    assert main(["explain", topic, "--lang", lang]) == 0
    out = capsys.readouterr().out
    s = shown(topic)
    assert MESSAGES[f"topic.{topic}.title"][lang] in out
    assert MESSAGES[f"topic.{topic}.outro"][lang] in out
    numbered = re.findall(r"^ *(\d+)\. ", out, re.M)
    assert [int(n) for n in numbered] == list(range(len(s.trace)))
    rfc = {k: d["rfc"] for _, _, k, d in s.outcome.system.machine.graph.edges(keys=True, data=True)}
    for label, _ in s.trace[1:]:
        if label.actor != "net":
            assert f"{label.name}" in out and rfc[label.name] in out
    assert re.search(r"=ISS_\w+(\+\d+)? \(0x[0-9a-f]{8}\)", out)
    if lang == "zh":
        assert "序列号" in out and "确认号" in out
    for state in {t for st in (steps(topic)) for t in (st["a"]["state"], st["b"]["state"])}:
        assert state in out  # state names stay in English in both languages


def test_explain_hex_values_satisfy_the_path_condition(capsys, cached_runs):
    main(["explain", "why-three-way-handshake"])
    out = capsys.readouterr().out
    values = dict(re.findall(r"(\w+)=0x([0-9a-f]{8})", out.splitlines()[-3]))
    old, iss = int(values["OLDSEQ1"], 16), int(values["ISS_B"], 16)
    assert 1 << 16 <= (old - iss) % (1 << 32) <= (1 << 32) - (1 << 16)  # RFC 9293 3.4.1 distance
    assert f"SEQ=OLDSEQ1 (0x{old:08x})" in out and f"ACK=OLDSEQ1+1 (0x{old + 1:08x})" in out


def test_explain_without_topic_lists_them(capsys):
    assert main(["explain", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    for name in TOPICS:
        assert name in out and MESSAGES[f"topic.{name}.title"]["zh"] in out


def test_explain_unknown_topic_is_a_usage_error(capsys):
    assert main(["explain", "why-udp"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "why-udp" in err


# ------------------------------------------------------------------ the catalogue

def test_every_message_exists_in_both_languages_with_the_same_fields():
    fields = lambda text: sorted(f for _, f, _, _ in string.Formatter().parse(text) if f)  # noqa: E731
    for key, texts in MESSAGES.items():
        assert sorted(texts) == sorted(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
        assert fields(texts["en"]) == fields(texts["zh"]), key


def test_every_topic_has_its_texts():
    for name in TOPICS:
        for part in ("title", "intro", "outro"):
            assert f"topic.{name}.{part}" in MESSAGES


def test_chinese_uses_the_textbook_terms():
    zh = " ".join(t["zh"] for t in MESSAGES.values())
    for term in ("三次握手", "四次挥手", "半关闭", "同时关闭", "序列号", "确认号"):
        assert term in zh
    for state in ("TIME-WAIT", "FIN-WAIT-2", "LAST-ACK", "CLOSING", "ESTABLISHED", "LISTEN"):
        assert state in zh


# ------------------------------------------------------------------ the engine's waypoint search

class Counter:
    """0 -> 1 -> ... -> 5 and 0 -> 10: a model with nothing of TCP in it."""

    def init_states(self):
        return [0]

    def successors(self, n):
        out = [("inc", n + 1)] if n < 5 else []
        return out + ([("jump", 10)] if n == 0 else [])

    def limits_hit(self):
        return []


def test_path_through_meets_waypoints_in_order_on_a_shortest_path():
    g = explore(Counter(), []).graph
    path = path_through(g, [lambda n: n == 2, lambda n: n == 4])
    assert [g.states[i] for _, i in path] == [0, 1, 2, 3, 4]
    assert path_through(g, [lambda n: n == 4, lambda n: n == 2]) is None
    assert [g.states[i] for _, i in path_through(g, [lambda n: n == 10])] == [0, 10]


def test_path_through_needs_edges():
    with pytest.raises(ValueError):
        path_through(explore(Counter(), [], keep_edges=False).graph, [lambda n: True])


# ------------------------------------------------------------------ pictures

def test_state_diagram_svg_is_well_formed_and_laid_out_like_figure_5():
    g = build_graph()
    root = ET.fromstring(state_diagram_svg(graph_view(g), DIAGRAM))
    boxes = [e.get("data-state") for e in root.iter(f"{SVG}g") if e.get("class") == "state"]
    assert sorted(boxes) == sorted(list(g.nodes) + ["CLOSED"])  # CLOSED at the top and the end
    pairs = {(u, v) for u, v in g.edges() if u != v}
    drawn = [e for e in root.iter(f"{SVG}path") if e.get("class") == "edge"]
    assert len(drawn) == len(pairs)
    names = " ".join(e.get("data-edges") for e in drawn).split()
    assert sorted(names) == sorted(k for u, v, k in g.edges(keys=True) if u != v)
    y = {s: LAYOUT[s][1] for s in LAYOUT}
    assert y["CLOSED"] < y["LISTEN"] < y["SYN-SENT"] < y["ESTABLISHED"] < y["FIN-WAIT-1"] \
        < y["FIN-WAIT-2"] < y["TIME-WAIT"]


def test_state_diagram_follows_a_variant():
    g = VARIANTS["two-way-handshake"].apply(build_graph())
    text = state_diagram_svg(graph_view(g), DIAGRAM)
    assert re.search(r'data-edges="[^"]*RcvSynInListen', text)
    assert text != state_diagram_svg(graph_view(build_graph()), DIAGRAM)


def _generate_in_fresh_process(seed: str) -> str:
    code = ("from tcpverify.spec.tcp.machine import build_graph\n"
            "from tcpverify.spec.views.graph import graph_view\n"
            "from tcpverify.spec.views.pictures import state_diagram_svg, chart, sequence_svg\n"
            "from tcpverify.spec.teaching.narrator import narrate\n"
            "from tcpverify.spec.teaching.topics import TOPICS, show\n"
            "from tcpverify.spec.teaching.messages import diagram_words\n"
            "DIAGRAM = diagram_words('en')\n"
            "s = show(TOPICS['why-time-wait'])\n"
            "print(state_diagram_svg(graph_view(build_graph()), DIAGRAM))\n"
            "print(sequence_svg(chart(narrate(s.outcome, s.trace)), 't'))\n")
    return subprocess.run([sys.executable, "-c", code], env={"PYTHONHASHSEED": seed},
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.slow  # two fresh interpreters, each checking a run and drawing
def test_svg_bytes_do_not_depend_on_the_hash_seed():
    assert _generate_in_fresh_process("1") == _generate_in_fresh_process("2")


def test_sequence_chart_draws_every_segment_with_its_fate():
    st = steps("why-time-wait")
    c = chart(told("why-time-wait"))
    sent = sum(len(s["sent"]) for s in st)
    assert len(c.messages) == sent
    lost = [m for m in c.messages if m.lost]
    assert len(lost) == 1 and lost[0].end == next(s["step"] for s in st if s["action"] == "Lose")
    in_flight = [m for m in c.messages if m.end is None]
    assert [m.text for m in in_flight] == st[-1]["sent"]  # the RST nobody receives
    root = ET.fromstring(sequence_svg(c, "why-time-wait"))
    msgs = [e for e in root.iter(f"{SVG}g") if e.get("class") == "msg"]
    assert len(msgs) == sent
    rows = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "row"]
    assert [int(r.get("data-step")) for r in rows] == list(range(len(st)))


def test_sequence_chart_of_an_old_duplicate_and_a_loop():
    s = shown("why-three-way-handshake")
    o = s.outcome
    v = next(v for v in o.result.verdicts if v.loop_start is not None)  # close-completion's lasso
    c = chart(narrate(o, v.trace, v.loop_start))
    assert [m.sender for m in c.messages].count("net") == 1
    mer = sequence_mermaid(c)
    assert "loop for ever" in mer and mer.count("\n    end") == 1
    ET.fromstring(sequence_svg(c, "lasso"))


def test_mermaid_sequence_shows_the_loss():
    mer = sequence_mermaid(chart(told("why-time-wait")))
    assert mer.startswith("sequenceDiagram\n")
    assert len(re.findall(r"^    A-xB: 9\u219210\. .*\(lost\)$", mer, re.M)) == 1  # sent at 9, lost at 10
    assert "Note over A: CLOSED" in mer and "<" not in mer


def test_verification_report_has_the_mermaid_state_machine():
    o = check_scenario(SCENARIOS["normal"], Config(), VARIANTS["no-fin-wait-2"])
    md = verification_md([o], o.status, build_graph())
    assert "```mermaid\nstateDiagram-v2\n" in md
    assert md.count("```mermaid\nsequenceDiagram\n") == sum(v.status == "VIOLATED" for v in o.result.verdicts)


def test_report_pictures_are_what_is_committed(cached_runs):
    from pathlib import Path

    reports = Path(__file__).parents[2] / "reports"
    files = report_pictures()
    assert set(files) == {"state-diagram.svg", "teaching.md"} | {f"teaching/{t}.svg" for t in TOPICS}
    for name, text in files.items():
        assert (reports / name).read_text(encoding="utf-8") == text, name
        if name.endswith(".svg"):
            ET.fromstring(text)


# ------------------------------------------------------------------ the trace page

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.scripts, self._in = [], {}, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids[a["id"]] = tag
        if tag == "script":
            self._in = a
            self.scripts.append([a, ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            self.scripts[-1][1] += data


def _page(tmp_path, *args):
    out = tmp_path / "t.html"
    code = main(["trace", *args, "--html", str(out)])
    p = Page()
    text = out.read_text(encoding="utf-8")
    p.feed(text)
    return code, text, p


def test_trace_page_embeds_the_checkers_counterexample(tmp_path):
    code, text, p = _page(tmp_path, "normal", "--loss", "1", "--variant", "no-time-wait")
    assert code == 1
    data = [s for a, s in p.scripts if a.get("id") == "trace"]
    assert len(data) == 1
    doc = json.loads(data[0])
    o = check_scenario(SCENARIOS["normal"], Config(loss=1), VARIANTS["no-time-wait"])
    v = o.verdict("graceful")
    assert doc["kind"] == "counterexample" and doc["property"] == "graceful"
    assert doc["steps"] == page_steps(o, v.trace)
    rfc = {k: d["rfc"] for _, _, k, d in o.system.machine.graph.edges(keys=True, data=True)}
    for s in doc["steps"]:
        if s["actor"] in ("A", "B"):
            assert f"{s['action']} (RFC 9293 {rfc[s['action']]})" in s["told"][1]
    assert re.search(r'<div id="example">[^<]*ISS_A=0x[0-9a-f]{8}, ISS_B=0x[0-9a-f]{8}</div>', text)
    for ident in ("prev", "next", "what", "diagram", "chart", "tcb", "trace"):
        assert ident in p.ids
    assert [t for t, _ in p.tags if t == "svg"] == ["svg", "svg"]
    sent = sum(len(s["sent"]) for s in doc["steps"])
    # no-time-wait: TIME-WAIT cannot be reached, so it is not drawn; CLOSED is drawn twice
    assert text.count('class="state"') == 11 and text.count('class="msg"') == sent
    assert "ArrowLeft" in text and "ArrowRight" in text and "#step=" in text


def test_trace_page_is_self_contained(tmp_path):
    _, text, p = _page(tmp_path, "simultaneous-close")
    assert all("src" not in a for t, a in p.tags if t in ("script", "img", "iframe"))
    assert not [t for t, a in p.tags if t == "link"]
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in text


def test_trace_of_a_verified_run_shows_the_longest_witness(tmp_path):
    code, _, p = _page(tmp_path, "simultaneous-close")
    doc = json.loads(next(s for a, s in p.scripts if a.get("id") == "trace"))
    o = check_scenario(SCENARIOS["simultaneous-close"], Config())
    longest = max((v for v in o.result.verdicts if v.witness), key=lambda v: len(v.witness))
    assert code == 0 and doc["kind"] == "witness" and doc["property"] == longest.property
    assert doc["steps"] == page_steps(o, longest.witness)


def test_trace_svg_and_mermaid(tmp_path, capsys):
    svg = tmp_path / "c.svg"
    assert main(["trace", "normal", "--variant", "no-fin-wait-2", "--property", "time-wait-role",
                 "--svg", str(svg), "--mermaid"]) == 1
    assert capsys.readouterr().out.startswith("sequenceDiagram")
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert "time-wait-role" in root.find(f"{SVG}title").text


@pytest.mark.parametrize("args", [["normal"], ["normal", "--mermaid", "--property", "nonsense"],
                                  ["nowhere", "--mermaid"]])
def test_trace_usage_errors(args, capsys):
    assert main(["trace", *args]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def page_text(html: str) -> str:
    """What a reader sees of a page: its text without tags, scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


# Each page runs the checker twice (explain, then trace): one topic in each language in the fast tier.
@pytest.mark.parametrize("topic, lang", sampled(
    [(t, lang) for t in sorted(TOPICS) for lang in LANGS],
    lambda case: case in {("lost-final-ack", "en"), ("why-three-way-handshake", "zh")}))
def test_the_explain_page_carries_the_lesson(topic, lang, tmp_path, capsys, cached_runs):
    lesson, trace = tmp_path / "lesson.html", tmp_path / "trace.html"
    assert main(["explain", topic, "--lang", lang, "--html", str(lesson)]) == 0
    text = page_text(lesson.read_text(encoding="utf-8"))
    for part in ("title", "question", "intro", "outro"):
        assert " ".join(MESSAGES[f"topic.{topic}.{part}"][lang].replace("`", "").split()) in text, part
    t = TOPICS[topic]
    assert t.command() in text
    # the lesson is the topic's: a trace page of the same run has none of it
    args = [t.scenario, *t.command().split()[3:], "--lang", lang, "--html", str(trace)]
    if t.property:
        args += ["--property", t.property]
    main(["trace", *args])
    assert MESSAGES[f"topic.{topic}.question"][lang] not in trace.read_text(encoding="utf-8")


def test_explain_writes_the_page(tmp_path, capsys, cached_runs):
    out = tmp_path / "e.html"
    assert main(["explain", "lost-final-ack", "--lang", "zh", "--html", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert 'lang="zh"' in text and "上一步" in text
    doc = json.loads(re.search(r'id="trace">\n(.*?)\n</script>', text, re.S).group(1))
    s = shown("lost-final-ack")
    assert doc["steps"] == page_steps(s.outcome, s.trace, "zh")
