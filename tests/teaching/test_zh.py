"""Chinese outputs are Chinese: a test that fails on an English phrase left in any zh output
(explain's text and page, the explorer page, the seed audit). Names stay as they are: states,
rules, segments, scenario, variant, property, topic and configuration names, and commands."""

import json
import re
from html.parser import HTMLParser

import pytest
from browser import needs_node, page_looks
from tiers import sampled

from tcpverify.spec.cli import main
from tcpverify.spec.tcp.machine import USER_CALLS
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.teaching.audit import AUDIT_CONFIGS, audit_md, default_audit
from tcpverify.spec.teaching.messages import MESSAGES, VIOLATIONS, described, errors, violation
from tcpverify.spec.teaching.topics import TOPICS
from tcpverify.spec.world.config import CHECKABLE, DEFAULT_CONFIGS, GAP_SCENARIOS
from tcpverify.spec.world.properties import every_property
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.tcb import SEQ_FIELDS

# a word of English prose: lower case after an optional capital, maybe in brackets or before a comma
WORD = re.compile(r"^[(\[\"']?[A-Za-z]?[a-z]+(?:'s)?[,.;:)\]\"']*$")
NAMES = sorted({*CHECKABLE, *VARIANTS, *TOPICS, *(p.name for p in every_property(Decider())),
                *(c.name for c in (*DEFAULT_CONFIGS, *AUDIT_CONFIGS, *(t.config for t in TOPICS.values())))},
               key=len, reverse=True)
PROPER = ("Linux", "Billington", "Han")  # proper nouns a zh text names as they are
MERMAID = re.compile(r"^\s*(sequenceDiagram|participant \w+ as|participant|Note over|loop|end)\b",
                     re.M)  # its keywords
COMMAND = re.compile(r"tcpverify [^\u3000-\u9fff\uff00-\uffef`]*")


def english(text: str, names=()) -> list[str]:
    """The English words of a text, a phrase of them in a row as one; ``names`` are more names."""
    for name in sorted({*NAMES, *PROPER, *names}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    text = COMMAND.sub(" ", text)
    text = MERMAID.sub(" ", text)
    found = []
    for line in text.splitlines():
        run = []
        for token in line.split() + [""]:
            if WORD.match(token) and len(token.strip("()[],.;:'\"")) > 1:
                run.append(token)
                continue
            if run:
                found.append(" ".join(run))
            run = []
    return found


class Visible(HTMLParser):
    """A page's text as a reader sees it (SVG text included, script and style left out)."""

    def __init__(self):
        super().__init__()
        self.text, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def visible(html: str) -> str:
    v = Visible()
    v.feed(html)
    return "\n".join(v.text)


def test_the_detector_finds_english_and_passes_names():
    assert english("性质 graceful 被违反：A sent <SEQ=ISS_A+2><CTL=RST>") == ["sent"]
    assert english("应用程序调用 OPEN (active)") == ["(active)"]
    assert english("the loop starts here") == ["the loop starts here"]
    assert english("运行 `tcpverify check normal --loss 1` 可以看到") == []
    assert english("RcvFinInTimeWait（RFC 9293 第 3.10.7.4 节） A TIME-WAIT -> CLOSED，loss 2, retries 3") == []


def test_every_violation_sentence_and_call_has_its_chinese():
    assert {f"call.{c}" for c in USER_CALLS} <= set(MESSAGES)
    for en, zh in VIOLATIONS:
        example = en.format_map({k: "X" for k in re.findall(r"\{(\w+)\}", en)})
        assert violation(example, "zh") != example and not english(violation(example, "zh")), en


@pytest.mark.parametrize("topic", sampled(sorted(TOPICS), lambda topic: topic in ("lost-final-ack", "why-time-wait-reuse")))
def test_explain_in_zh_is_chinese(topic, tmp_path, capsys):
    page = tmp_path / "p.html"
    assert main(["explain", topic, "--lang", "zh", "--html", str(page)]) == 0
    assert english(capsys.readouterr().out) == []
    assert english(visible(page.read_text(encoding="utf-8"))) == []


def test_the_explorer_page_in_zh_is_chinese(tmp_path):
    page = tmp_path / "p.html"
    assert main(["explore", "normal", "--loss", "1", "--variant", "no-time-wait", "--lang", "zh", "--quiet",
                 "--html", str(page)]) == 1 or page.exists()
    text = page.read_text(encoding="utf-8")
    assert english(visible(text)) == []
    data = text.split('type="application/json">')[1].split("</script>")[0]
    words = re.findall(r'"(?:label|message)":"([^"]*)"', data) + re.findall(r'"words":\{([^}]*)\}', data)
    props = re.findall(r'"props":\{([^}]*)\}', data)
    assert english("\n".join(words + props)) == []
    # what its script draws in the TCB table: the row heads and what an application was told
    doc = json.loads(data)
    heads = [head for _, head in doc["fields"]]
    assert english("\n".join(heads + list(doc["errors"].values()))) == []
    assert {"状态", "错误"} <= set(heads) and doc["errors"]["connection reset"] == "连接被复位"


@needs_node
def test_what_the_step_through_pages_script_draws_in_zh_is_chinese(tmp_path):
    """The page's script draws each step's words and the TCB table (their row heads, what an
    application was told): what it shows at every step is Chinese or the RFC's names."""
    page = tmp_path / "p.html"
    main(["trace", "connect-to-closed-port", "--lang", "zh", "--quiet", "--html", str(page)])
    looks = page_looks(page.read_text(encoding="utf-8"))
    cells = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", look["tcb"]) for look in looks]
    told = {text for row in cells for text in row if text in errors("zh").values()}
    assert told == {errors("zh")["connection reset"]}
    assert english("\n".join([look["what"] for look in looks] + [" ".join(row) for row in cells])) == []
    names = {"", "A", "B", *(f.upper().replace("_", ".") for f in SEQ_FIELDS)}
    heads = {re.findall(r"<th[^>]*>([^<]*)</th>", look["tcb"])[k] for look in looks for k in range(3)}
    rows = {h for look in looks for h in re.findall(r"<tr><th>([^<]*)</th>", look["tcb"])}
    assert heads <= names and all(h in names or re.search(r"[\u4e00-\u9fff]", h) for h in rows)
    assert rows - names == {MESSAGES["page.state"]["zh"], MESSAGES["page.error"]["zh"]}


@pytest.mark.slow
def test_the_seed_audit_in_zh_is_chinese():
    assert english(audit_md(default_audit(), "zh")) == []


def test_the_rfc_gaps_report_in_zh_is_chinese():
    from tcpverify.spec.reports.rfc_gaps import RFC1337, rfc_gaps_md, runs
    zh, en = rfc_gaps_md("zh"), rfc_gaps_md("en")
    assert english(zh, {o.config.name for o in runs().values()}) == []
    # the same traces and tables as the English report: as many lines of each, the same TCBs
    shape = lambda text: [(line.count("|"), line.count("ISS_")) for line in text.splitlines()  # noqa: E731
                          if line.startswith(("|", "       A ", "       B "))]
    assert shape(zh) == shape(en) and zh.count("```") == en.count("```") > 6
    # the scenarios and the variant it describes, in the words of the one table
    for description in (*(s.description for s in GAP_SCENARIOS.values() if s.name != "reconnect"),
                        RFC1337.description):
        assert description in en and described(description, "zh") in zh


def test_every_scenario_description_has_its_chinese():
    for s in CHECKABLE.values():
        zh = described(s.description, "zh")
        assert zh != s.description and english(zh) == [], s.name
    with pytest.raises(KeyError):
        described("a description no table has", "zh")


def test_every_error_an_application_is_told_has_its_words():
    import tcpverify.spec.tcp
    from pathlib import Path
    tcp = Path(tcpverify.spec.tcp.__file__).parent
    source = "".join(p.read_text(encoding="utf-8") for p in tcp.glob("*.py"))
    assert not re.findall(r'error="', source)  # the rules name spec/tcp/tcb.py's constants
    told = {getattr(tcpverify.spec.tcp.tcb, name) for name in re.findall(r"error=([A-Z_]+)", source)}
    assert len(told) == 5 and told <= {k.removeprefix("error.") for k in MESSAGES if k.startswith("error.")}


def test_the_exercises_in_zh_are_chinese(tmp_path, capsys):
    from tcpverify.spec.teaching.exercises import EXERCISES
    mine = tmp_path / "mine.py"
    mine.write_text("from tcpverify.spec.tcp.variants import VARIANTS\n"
                    "def transform(g):\n    VARIANTS['ack-not-incremented'].transform(g)\n", encoding="utf-8")
    runs = [["exercise"], *(["exercise", name] for name in EXERCISES),
            ["exercise", "break-the-handshake", "--answer", str(mine)],
            ["exercise", "time-wait-saves", "--answer", "99"],
            ["exercise", "predict-the-states", "--answer", "CLOSED,CLOSED"]]
    for argv in runs:
        main([*argv, "--lang", "zh"])
        assert english(capsys.readouterr().out) == [], argv
