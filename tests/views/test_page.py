"""The step-through page: its template ships as package data, no page is written inside Python,
and its script, run on a stand-in for the browser's DOM, shows the narrator's steps."""

import fnmatch
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from browser import Scripts, browser, needs_node, page_looks

import tcpverify.spec
from tcpverify.spec.cli import main
from tcpverify.spec.suite.run import check_scenario
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.teaching.messages import MESSAGES
from tcpverify.spec.teaching.narrator import narrate
from tcpverify.spec.teaching.pages import pick
from tcpverify.spec.world.config import SCENARIOS, Config

ROOT = Path(__file__).parents[2]
SPEC = Path(tcpverify.spec.__file__).parent


def test_the_template_ships_as_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    templates = SPEC / "views" / "templates"
    names = [p.name for p in templates.iterdir() if p.name != "__pycache__"]
    assert names and all(any(fnmatch.fnmatch(n, pat) for pat in patterns["tcpverify.spec.views.templates"])
                         for n in names)


def test_no_page_is_written_inside_python():
    found = [(p.name, w) for p in SPEC.rglob("*.py") for w in ("<!DOCTYPE", "<html", "<script", "<style")
             if w in p.read_text(encoding="utf-8")]
    assert found == []


@needs_node
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_script_steps_through_the_narrators_words(tmp_path, lang):
    out = tmp_path / "p.html"
    args = ["normal", "--variant", "fin-on-ack-of-fin", "--property", "close-completion"]
    assert main(["trace", *args, "--html", str(out), "--lang", lang]) == 1
    text = out.read_text(encoding="utf-8")
    edges = re.findall(r'class="edge" data-edges="([^"]+)"', text)
    seen = page_looks(text)

    o = check_scenario(SCENARIOS["normal"], Config(), VARIANTS["fin-on-ack-of-fin"])
    picked = pick(o, "close-completion")
    told = narrate(o, picked.trace, picked.loop_start, lang)
    assert told.loop_start is not None and told.back  # a lasso: the page marks its loop
    last = len(told.steps) - 1
    for s, look in zip(told.steps, seen):
        lines = [f"{s.step}. {s.told[0]}", *s.told[1:]]
        lines += [f"({told.loop})"] if s.step == told.loop_start else []
        lines += [told.back] if s.step == last else []
        assert look["what"] == "\n   ".join(lines)
        assert look["pos"] == f"{s.step} / {last}" and look["hash"] == f"#step={s.step}"
        for x, t, marked in (("A", s.a, look["a"]), ("B", s.b, look["b"])):
            # one box: a CLOSED endpoint is at the top CLOSED until it leaves it, at the end CLOSED after
            left = any(getattr(u, x.lower()).state != "CLOSED" for u in told.steps[:s.step + 1])
            assert marked == [[t.state, t.state == "CLOSED" and left]]
        assert f"<td>{s.a.state}</td>" in look["tcb"] or f"<td class=changed>{s.a.state}</td>" in look["tcb"]
        # the edge that fired is the one highlighted, when it is drawn (self-loops are not)
        assert look["fired"] == [e for e in edges if s.actor in ("A", "B") and s.action in e.split()]
        rows = re.findall(r"<tr><th>([^<]*)</th><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", look["tcb"])
        for k, t in ((1, s.a), (2, s.b)):  # a CLOSED endpoint has no TCB (RFC 9293 3.3.2)
            held = {r[0] for r in rows if r[k]} - {MESSAGES["page.state"][lang], MESSAGES["page.error"][lang]}
            assert held == set() or t.state != "CLOSED", (s.step, held)
    assert seen[-1]["pos"] == f"{last - 1} / {last}"  # the left arrow goes one step back
    assert any(look["flying"] for look in seen)


CLI = "import sys; from tcpverify.spec.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.slow
def test_the_page_does_not_depend_on_the_hash_seed(tmp_path):
    def page(seed: str) -> str:
        out = tmp_path / f"{seed}.html"
        run = subprocess.run([sys.executable, "-c", CLI, "trace", "normal", "--variant", "fin-on-ack-of-fin",
                              "--html", str(out), "--lang", "zh"], env=dict(os.environ, PYTHONHASHSEED=seed))
        assert run.returncode == 1  # close-completion is violated
        return out.read_text(encoding="utf-8")

    assert page("1") == page("2")


@pytest.mark.slow
def test_the_page_at_1024_by_768_in_a_real_browser(tmp_path):
    """no-time-wait's run: each picture drawn at (nearly) full size, the edge that fired
    highlighted, A's marker on the CLOSED where connections end once A has left CLOSED."""
    out = tmp_path / "p.html"
    main(["trace", "normal", "--variant", "no-time-wait", "--quiet", "--html", str(out)])
    p = Scripts()
    p.feed(out.read_text(encoding="utf-8"))
    steps = json.loads(next(s for a, s in p.scripts if a.get("id") == "trace"))["steps"]
    closing = next(s for s in steps if s["actor"] == "A" and s["a"]["state"] == "CLOSED" and s["step"])
    from selenium.webdriver.common.by import By
    d = browser()
    try:
        d.set_window_size(1024, 768)
        d.get(f"{out.as_uri()}#step={closing['step']}")
        for pane in ("#diagram svg", "#chart svg"):
            scale = d.execute_script("const s = document.querySelector(arguments[0]);"
                                     "return s.getBoundingClientRect().width / s.viewBox.baseVal.width;", pane)
            assert scale >= 0.95, pane  # its 9-10 px labels stay readable
        fired = d.find_elements(By.CSS_SELECTOR, "#diagram .edge.fired")
        assert [f.get_attribute("data-edges").split().count(closing["action"]) for f in fired] == [1]
        assert fired[0].value_of_css_property("stroke-width") == "4px"
        marked = d.find_elements(By.CSS_SELECTOR, '#diagram .tag-a[visibility="visible"]')
        assert len(marked) == 1
        box = marked[0].find_element(By.XPATH, "..")
        assert (box.get_attribute("data-state"), box.get_attribute("data-end")) == ("CLOSED", "1")
    finally:
        d.quit()


def test_the_pages_share_one_head():
    templates = SPEC / "views" / "templates"
    assert "<style>" in (templates / "head.html").read_text(encoding="utf-8")
    for name in ("step-through.html", "explorer.html"):
        text = (templates / name).read_text(encoding="utf-8")
        assert text.count("$head") == 1 and "<meta" not in text and "body {" not in text, name
