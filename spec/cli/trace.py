"""`tcpverify trace SCENARIO [run options] --html FILE`: one self-contained page that steps
through a counterexample (or, when the run verifies, a witness) on the state diagram and the
message sequence chart. Also --svg FILE (the chart alone) and --mermaid (on stdout)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from tcpverify.checker.verdict import EXIT_CODES

from ..tcp.seq import CONST
from ..teaching.messages import LANGS, say
from ..views.pictures import chart, sequence_mermaid, sequence_svg, state_diagram_svg
from ..views.render import sent_by, trace_steps
from ..world.properties import PROPERTY_NAMES
from .options import UsageError, add_run_options, run_from
from .output import output_file, write_files


@dataclass
class Picked:
    """The trace a page shows: a property's counterexample, or its witness."""

    property: str
    kind: str  # "counterexample" or "witness"
    trace: list
    loop_start: int | None
    message: str


def add_parser(sub) -> None:
    p = sub.add_parser("trace", help="step through a counterexample or witness: HTML, SVG, Mermaid")
    p.add_argument("scenario")
    add_run_options(p)
    p.add_argument("--property", default=None,
                   help="show this property's counterexample or witness (default: the first "
                        "violated property, else the longest witness)")
    p.add_argument("--html", type=output_file, metavar="FILE", help="write the step-through page here")
    p.add_argument("--svg", type=output_file, metavar="FILE", help="write the message sequence chart here")
    p.add_argument("--mermaid", action="store_true", help="print the chart as a Mermaid sequenceDiagram")
    p.add_argument("--lang", choices=LANGS, default="en")
    p.set_defaults(run=cmd_trace)


def cmd_trace(args) -> int:
    if not (args.html or args.svg or args.mermaid):
        raise UsageError("trace needs --html FILE, --svg FILE or --mermaid")
    if args.property is not None and args.property not in PROPERTY_NAMES:
        raise UsageError(f"unknown property '{args.property}' (see: tcpverify list)")
    o = run_from(args)
    names = [v.property for v in o.result.verdicts]
    if args.property is not None and args.property not in names:
        raise UsageError(f"property '{args.property}' is n/a in this run "
                         f"(it checks: {', '.join(names)})")
    picked = pick(o, args.property)
    if picked is None:
        raise UsageError("the run has neither a counterexample nor a witness to show")
    write(o, picked, args.html, args.svg, args.mermaid, args.lang)
    return EXIT_CODES[o.status]


def pick(o, prop: str | None = None) -> Picked | None:
    verdicts = [v for v in o.result.verdicts if prop in (None, v.property)]
    for v in verdicts:
        if v.status == "VIOLATED":
            return Picked(v.property, "counterexample", v.trace, v.loop_start, v.message)
    witnessed = [v for v in verdicts if v.witness is not None]
    if not witnessed:
        return None
    v = max(witnessed, key=lambda v: len(v.witness))
    return Picked(v.property, "witness", v.witness, None, v.witness_text)


def write(o, picked: Picked, html: Path | None, svg: Path | None, mermaid: bool, lang: str) -> None:
    c = chart(trace_steps(o, picked.trace), picked.loop_start)
    title = describe(o, picked)
    write_files({path: text() for path, text in ((html, lambda: page(o, picked, lang)),
                                                 (svg, lambda: sequence_svg(c, title))) if path})
    if mermaid:
        print(sequence_mermaid(c))


def describe(o, picked: Picked) -> str:
    variant = f", variant {o.variant.name}" if o.variant else ""
    return (f"{o.scenario.name} ({o.config.name}{variant}): {picked.kind} of {picked.property}, "
            f"{len(picked.trace) - 1} steps")


def trace_json(o, picked: Picked) -> dict:
    """What the page embeds: the checker's trace (spec.views.render.trace_steps) and its context."""
    rules = {k: d["rfc"] for _, _, k, d in o.system.machine.graph.edges(keys=True, data=True)}
    steps = trace_steps(o, picked.trace)
    return {"scenario": o.scenario.name, "configuration": o.config.name,
            "variant": o.variant.name if o.variant else None, "status": o.status,
            "property": picked.property, "kind": picked.kind, "message": picked.message,
            "loop_start": picked.loop_start, "steps": steps,
            "rfc": {s["action"]: rules[s["action"]] for s in steps if s["action"] in rules},
            "example": {k: f"0x{v:08x}" for k, v in example_values(o, picked.trace).items()}}


def page(o, picked: Picked, lang: str = "en") -> str:
    data = json.dumps(trace_json(o, picked), indent=1, sort_keys=True).replace("</", "<\\/")
    title = describe(o, picked)
    words = {k: say(f"page.{k}", lang) for k in ("prev", "next", "keys", "step", "tcb", "example")}
    return PAGE.format(
        lang=lang, title=escape(say("page.title", lang, what=title)), message=escape(picked.message),
        diagram=state_diagram_svg(o.system.machine.graph), chart=sequence_svg(chart(
            trace_steps(o, picked.trace), picked.loop_start), title),
        data=data, script_words=json.dumps(script_words(lang), ensure_ascii=False, sort_keys=True),
        **{k: escape(v) for k, v in words.items()})


def script_words(lang: str) -> dict[str, str]:
    """The words the page's script puts into a step's description."""
    out = {k: say(f"page.{k}", lang) for k in ("network", "receives", "on", "sends")}
    out.update(init=say("step.init", lang), loop=say("step.loop", lang),
               back=say("step.back", lang, step="{step}"))
    return out


def example_values(o, trace) -> dict[str, int]:
    """Concrete values of every symbolic number on the wire in this run."""
    bases = set()
    for seg in segments(o, trace):
        bases.update(v.base for v in (seg.seq, seg.ack) if v is not None and v.base != CONST)
    last = o.state(trace[-1][1])
    return o.system.decider.example(last.pc, tuple(sorted(bases)))


def segments(o, trace):
    prev = None
    for label, i in trace:
        w = o.state(i)
        if label is not None:
            if label.segment is not None:
                yield label.segment
            yield from sent_by(prev, w, label.actor)
        prev = w


PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: DejaVu Sans, Arial, "Noto Sans CJK SC", "WenQuanYi Micro Hei", "PingFang SC",
        "Microsoft YaHei", sans-serif; margin: 12px 18px; color: #111; }}
h1 {{ font-size: 18px; margin: 0 0 4px 0; }}
nav {{ margin: 8px 0; display: flex; gap: 12px; align-items: center; }}
button {{ font-size: 15px; padding: 4px 14px; }}
#what {{ font-family: DejaVu Sans Mono, monospace; font-size: 13px; background: #fff3bf;
         padding: 6px 10px; border-radius: 4px; min-height: 2.6em; white-space: pre-wrap; }}
.panes {{ display: flex; gap: 16px; align-items: flex-start; }}
#diagram svg {{ width: 620px; height: auto; }}
#chart {{ max-height: 85vh; overflow-y: auto; overflow-x: hidden; border: 1px solid #ddd;
          flex: 1; min-width: 0; max-width: 820px; }}
h2 {{ font-size: 14px; margin: 6px 0; }}
#example {{ font-size: 12px; color: #555; margin: 4px 0; }}
#chart svg {{ width: 100%; height: auto; display: block; }}
table {{ border-collapse: collapse; font-family: DejaVu Sans Mono, monospace; font-size: 13px; }}
td, th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: left; }}
th.a {{ color: #1f6feb; }} th.b {{ color: #d9480f; }}
td.changed {{ background: #fff3bf; font-weight: bold; }}
.state.on-a rect {{ fill: #dbe8ff; stroke: #1f6feb; stroke-width: 3; }}
.state.on-b rect {{ fill: #ffe3cc; stroke: #d9480f; stroke-width: 3; }}
.state.on-a.on-b rect {{ fill: #eadcff; }}
.row.current {{ fill: #fff3bf; }}
.msg.future {{ opacity: 0.12; }}
.msg.flying line {{ stroke-width: 3.5; }}
.msg.flying text {{ font-weight: bold; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div>{message}</div>
<nav><button id="prev">&#8592; {prev}</button><span id="pos"></span>
<button id="next">{next} &#8594;</button><span>{keys}</span></nav>
<div id="what"></div>
<div id="example">{example}: <span id="values"></span></div>
<div class="panes">
<div><div id="diagram">{diagram}</div>
<h2>{tcb}</h2><table id="tcb"></table></div>
<div id="chart">{chart}</div>
</div>
<script type="application/json" id="trace">
{data}
</script>
<script type="application/json" id="words">{script_words}</script>
<script>
(function () {{
  var T = JSON.parse(document.getElementById("trace").textContent);
  var W = JSON.parse(document.getElementById("words").textContent);
  var steps = T.steps, cur = 0;
  document.getElementById("values").textContent =
    Object.keys(T.example).map(function (k) {{ return k + "=" + T.example[k]; }}).join(", ");
  var FIELDS = ["state", "iss", "irs", "snd_una", "snd_nxt", "rcv_nxt", "fin_seq", "error"];
  function describe(s) {{
    if (s.actor === null) return "0. " + W.init;
    var head = s.step + ". ";
    if (s.actor === "net") {{
      head += W.network + ": " + s.action + " " + (s.to === "B" ? "A->B " : "B->A ") + s.segment;
    }} else {{
      head += s.actor + ": " + s.action;
      if (T.rfc[s.action]) head += "  (RFC 9293 " + T.rfc[s.action] + ")";
      head += s.segment ? "\\n   " + W.receives + " " + s.segment : "\\n   " + W.on + " " + s.event;
    }}
    if (s.sent.length) head += "\\n   " + W.sends + " " + s.sent.join(", ");
    if (T.loop_start === s.step) head += "\\n   (" + W.loop + ")";
    if (T.loop_start !== null && s.step === steps.length - 1)
      head += "\\n   " + W.back.replace("{{step}}", T.loop_start);
    return head;
  }}
  function show(n) {{
    cur = Math.max(0, Math.min(steps.length - 1, n));
    var s = steps[cur], prev = steps[Math.max(0, cur - 1)];
    document.getElementById("pos").textContent = "{step} " + cur + " / " + (steps.length - 1);
    document.getElementById("what").textContent = describe(s);
    document.querySelectorAll("#diagram .state").forEach(function (g) {{
      var st = g.getAttribute("data-state");
      g.classList.toggle("on-a", st === s.a.state);
      g.classList.toggle("on-b", st === s.b.state);
      g.querySelector(".tag-a").setAttribute("visibility", st === s.a.state ? "visible" : "hidden");
      g.querySelector(".tag-b").setAttribute("visibility", st === s.b.state ? "visible" : "hidden");
    }});
    document.querySelectorAll("#chart .row").forEach(function (r) {{
      r.classList.toggle("current", +r.getAttribute("data-step") === cur);
    }});
    document.querySelectorAll("#chart .msg").forEach(function (m) {{
      var sent = +m.getAttribute("data-sent"), e = m.getAttribute("data-end");
      var end = e === "" ? Infinity : +e;
      m.classList.toggle("future", sent > cur);
      m.classList.toggle("flying", sent <= cur && cur <= end);
    }});
    var rows = "<tr><th></th><th class=a>A</th><th class=b>B</th></tr>";
    FIELDS.forEach(function (f) {{
      rows += "<tr><th>" + f.toUpperCase().replace("_", ".") + "</th>";
      ["a", "b"].forEach(function (x) {{
        var v = s[x][f], changed = cur > 0 && v !== prev[x][f];
        rows += "<td" + (changed ? " class=changed" : "") + ">" + (v === null ? "" : v) + "</td>";
      }});
      rows += "</tr>";
    }});
    document.getElementById("tcb").innerHTML = rows;
    var row = document.querySelector('#chart .row[data-step="' + cur + '"]');
    var box = document.getElementById("chart"), svg = box.querySelector("svg");
    if (row) {{
      var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      var y = row.y.baseVal.value * scale;
      if (y < box.scrollTop || y > box.scrollTop + box.clientHeight - 60) box.scrollTop = y - box.clientHeight / 3;
    }}
    if (location.hash !== "#step=" + cur) history.replaceState(null, "", "#step=" + cur);
  }}
  document.getElementById("prev").onclick = function () {{ show(cur - 1); }};
  document.getElementById("next").onclick = function () {{ show(cur + 1); }};
  document.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowLeft" || e.key === "ArrowUp") {{ show(cur - 1); e.preventDefault(); }}
    if (e.key === "ArrowRight" || e.key === "ArrowDown") {{ show(cur + 1); e.preventDefault(); }}
  }});
  var m = /step=(\\d+)/.exec(location.hash);
  show(m ? +m[1] : 0);
}})();
</script>
</body>
</html>
"""
