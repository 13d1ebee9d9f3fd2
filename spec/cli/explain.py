"""`tcpverify explain [TOPIC] [--lang en|zh]`: a computed run, told step by step."""

from __future__ import annotations


from ..tcp.segment import Segment
from ..tcp.seq import CONST
from ..teaching.messages import LANGS, MESSAGES, say
from ..teaching.topics import TOPICS, Shown, show
from ..views.render import sent_by
from ..world.system import DUPLICATE, LOSE, PEER
from .options import UsageError
from .output import output_file, write_files
from .trace import Picked, example_values, page


def add_parser(sub) -> None:
    p = sub.add_parser("explain", help="why TCP is built as it is, shown on runs the checker computes")
    p.add_argument("topic", nargs="?", default=None)
    p.add_argument("--lang", choices=LANGS, default="en")
    p.add_argument("--html", type=output_file, metavar="FILE",
                   help="also write the step-through page (see tcpverify trace)")
    p.set_defaults(run=cmd_explain)


def cmd_explain(args) -> int:
    if args.topic is None:
        print(say("topics.header", args.lang))
        for name in TOPICS:
            print(f"  {name:26} {say(f'topic.{name}.title', args.lang)}")
        return 0
    if args.topic not in TOPICS:
        raise UsageError(f"unknown topic '{args.topic}' (run tcpverify explain to list them)")
    shown = show(TOPICS[args.topic])
    if shown is None:
        print(say("run.missing", args.lang))
        return 1
    print(explanation(shown, args.lang))
    if args.html:
        kind = "counterexample" if shown.topic.property else "witness"
        picked = Picked(shown.topic.property or shown.topic.name, kind, shown.trace, shown.loop_start,
                        shown.message or say(f"topic.{shown.topic.name}.title", args.lang))
        write_files({args.html: page(shown.outcome, picked, args.lang)})
    return 0


def explanation(shown: Shown, lang: str) -> str:
    t = shown.topic
    title = say(f"topic.{t.name}.title", lang)
    out = [title, "", say(f"topic.{t.name}.intro", lang), "", say("run.live", lang, command=t.command())]
    n = len(shown.trace) - 1
    if t.property:
        out.append(say("run.violated", lang, property=t.property, message=shown.message, length=n))
    else:
        out.append(say("run.witness", lang, length=n))
    out += [""] + steps_text(shown, lang) + ["", say(f"topic.{t.name}.outro", lang)]
    return "\n".join(out)


def steps_text(shown: Shown, lang: str) -> list[str]:
    o = shown.outcome
    rfc = {k: d["rfc"] for _, _, k, d in o.system.machine.graph.edges(keys=True, data=True)}
    env = example_values(o, shown.trace)
    out = []
    prev = None
    for n, (label, i) in enumerate(shown.trace):
        w = o.state(i)
        loop = f"   <- {say('step.loop', lang)}" if shown.loop_start == n else ""
        out.append(f"{n:3d}. {_what(label, lang)}{loop}")
        if label is not None and label.actor != "net":
            out.append(f"       {say('step.rule', lang, name=label.name, rfc=rfc[label.name])}")
        if label is not None and label.segment is not None:
            to = label.to or label.actor
            out.append(f"       {say('step.wire', lang)}: {PEER[to]} -> {to}  "
                       f"{segment_text(label.segment, env, lang)}")
        if label is not None:
            for seg in sent_by(prev, w, label.actor):
                out.append(f"       {say('step.sends', lang, actor=label.actor)}: {label.actor} -> "
                           f"{PEER[label.actor]}  {segment_text(seg, env, lang)}")
        out.append(f"       {say('step.states', lang)}: {_states(prev, w)}")
        prev = w
    if shown.loop_start is not None:
        out.append("     " + say("step.back", lang, step=shown.loop_start))
    if env:
        values = ", ".join(f"{k}=0x{v:08x}" for k, v in env.items())
        out += ["", say("run.example", lang, values=values)]
    return out


def _what(label, lang: str) -> str:
    if label is None:
        return say("step.init", lang)
    actor = label.to if label.actor == "net" else label.actor
    kw = dict(actor=actor, peer=PEER[actor])
    if label.actor == "net":
        key = {LOSE: "step.lose", DUPLICATE: "step.duplicate"}.get(label.name, "step.old")
        return say(key, lang, **kw)
    if label.segment is not None:
        return say("step.receive", lang, **kw)
    timer = f"event.{label.event}"
    if timer in MESSAGES:
        return say("step.timer", lang, event=say(timer, lang), **kw)
    return say("step.user", lang, event=label.event, **kw)


def _states(prev, w) -> str:
    parts = []
    for x in ("A", "B"):
        now = w.tcb(x).state
        before = prev.tcb(x).state if prev is not None else now
        parts.append(f"{x} {before} -> {now}" if before != now else f"{x} {now}")
    return "   ".join(parts)


def segment_text(seg: Segment, env: dict[str, int], lang: str) -> str:
    """Flags, SEQ and ACK as base+offset and in hexadecimal for this run's example numbers."""
    parts = [f"{say('segment.flags', lang)} {seg.flags}", f"{say('segment.seq', lang)}={_num(seg.seq, env)}"]
    if seg.ack is not None:
        parts.append(f"{say('segment.ack', lang)}={_num(seg.ack, env)}")
    if seg.data:
        parts.append(f"DATA={seg.data}")
    if seg.old:
        parts.append(say("segment.old", lang))
    return "  ".join(parts)


def _num(v, env: dict[str, int]) -> str:
    if v.base == CONST or v.base not in env:
        return str(v)
    return f"{v} (0x{v.value(env):08x})"
