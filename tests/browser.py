"""A real browser for the pages' tests: headless chromium through selenium; and the
step-through page's script run on a stand-in for the browser's DOM (node)."""

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the page's script")


def browser():
    """Headless chromium through selenium: skipped only when absent locally, never in CI."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have chromium and chromium-driver (installed by .ci/run)")
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver  # the test extra (pyproject.toml)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=driver), options=options)


class Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self._in = [], False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._in = True
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        self._in = self._in and tag != "script"

    def handle_data(self, data):
        if self._in:
            self.scripts[-1][1] += data


# Just enough of a browser for the page's script: the elements it looks up, by selector.
DOM = r"""
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
function node(attrs) {
  const classes = new Set();
  const n = {attrs: attrs || {}, textContent: "", innerHTML: "", kids: {},
    classList: {toggle(c, on) { if (on) classes.add(c); else classes.delete(c); }, has: c => classes.has(c)},
    getAttribute(k) { return k in this.attrs ? String(this.attrs[k]) : null; },
    hasAttribute(k) { return k in this.attrs; },
    setAttribute(k, v) { this.attrs[k] = v; },
    querySelector(sel) { return this.kids[sel]; }};
  return n;
}
const ids = {};
for (const id of ["prev", "next", "pos", "what", "tcb", "chart"]) ids[id] = node();
ids.trace = node(); ids.trace.textContent = input.data;
ids.chart.scrollTop = 0; ids.chart.clientHeight = 600;
ids.chart.kids.svg = {getBoundingClientRect: () => ({width: 820}), viewBox: {baseVal: {width: 820}}};
const states = input.states.map(([s, end]) => { const g = node(end ? {"data-state": s, "data-end": "1"} : {"data-state": s});
  g.kids[".tag-a"] = node(); g.kids[".tag-b"] = node(); return g; });
const edges = input.edges.map(e => node({"data-edges": e}));
const rows = input.rows.map(r => { const e = node({"data-step": r}); e.y = {baseVal: {value: 44 * r}}; return e; });
const msgs = input.msgs.map(m => node({"data-sent": m[0], "data-end": m[1]}));
let keydown = null;
global.location = {hash: ""};
global.history = {replaceState(a, b, h) { location.hash = h; }};
global.document = {
  getElementById: id => ids[id],
  querySelectorAll: sel => ({"#diagram .state": states, "#diagram .edge": edges, "#chart .row": rows,
                             "#chart .msg": msgs})[sel],
  querySelector: sel => sel === "#diagram .state[data-end]" ? states.find(g => g.hasAttribute("data-end")) || null
    : rows.find(r => sel === '#chart .row[data-step="' + r.attrs["data-step"] + '"]'),
  addEventListener: (ev, f) => { keydown = f; },
};
const seen = [];
function look() {
  seen.push({what: ids.what.textContent, pos: ids.pos.textContent, hash: location.hash, tcb: ids.tcb.innerHTML,
             a: states.filter(g => g.classList.has("on-a")).map(g => [g.attrs["data-state"], "data-end" in g.attrs]),
             b: states.filter(g => g.kids[".tag-b"].attrs.visibility === "visible")
                      .map(g => [g.attrs["data-state"], "data-end" in g.attrs]),
             fired: edges.filter(e => e.classList.has("fired")).map(e => e.attrs["data-edges"]),
             flying: msgs.filter(m => m.classList.has("flying")).length});
}
new Function(input.script)();
look();
for (let i = 1; i < input.rows.length; i++) { ids.next.onclick(); look(); }
keydown({key: "ArrowLeft", preventDefault() {}}); look();
console.log(JSON.stringify(seen));
"""


def page_looks(text: str) -> list[dict]:
    """What a step-through page shows after it opens, after each click on "next" through its
    last step, and after one left arrow: its script run on the stand-in DOM."""
    p = Scripts()
    p.feed(text)
    data = next(s for a, s in p.scripts if a.get("id") == "trace")
    script = next(s for a, s in p.scripts if not a)
    rows = list(range(len(json.loads(data)["steps"])))
    msgs = re.findall(r'class="msg" data-sent="(\d+)" data-end="(\d*)"', text)
    states = [[s, bool(end)] for s, end in re.findall(r'class="state" data-state="([^"]+)"( data-end="1")?', text)]
    edges = re.findall(r'class="edge" data-edges="([^"]+)"', text)
    run = subprocess.run(["node", "-e", DOM], input=json.dumps(
        {"data": data, "script": script, "states": states, "edges": edges, "rows": rows, "msgs": msgs}),
        capture_output=True, text=True, check=True)
    return json.loads(run.stdout)
