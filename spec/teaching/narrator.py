"""The one narrator: a checker trace, or a replayed capture, as typed steps (spec.views.steps)
with their words from the message catalogue. Text output, explain, the step-through page,
the charts, JUnit and replay render what it tells; none of them tells a step again."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import replace

from tcpverify.checker.status import Status

from ..suite.run import Outcome
from ..tcp.machine import SEGMENT
from ..tcp.segment import Segment, carried
from ..tcp.seq import CONST
from ..tcp.symbolic import Decider
from ..views.pictures import CHART_WORDS
from ..views.steps import (CALL, CAPTURE, DUPLICATE, FORGE, INIT, LOSE, OLD, RECEIVE, TIMER, Told,
                           TraceStep)
from ..world.environment import (DUPLICATE as NET_DUPLICATE, FORGE as NET_FORGE, LOSE as NET_LOSE,
                                 OLD as NET_OLD, PEER)
from ..world.system import World
from .messages import MESSAGES, errors, say, words

NET_KIND = {NET_LOSE: LOSE, NET_DUPLICATE: DUPLICATE, NET_OLD: OLD, NET_FORGE: FORGE}  # by event


def sent_by(before: World, after: World, actor: str) -> list[Segment]:
    """Segments the actor put on the wire in this step."""
    if actor not in PEER:
        return []
    new = Counter(after.channel_to(PEER[actor])) - Counter(before.channel_to(PEER[actor]))
    out = []
    for s in after.channel_to(PEER[actor]):
        if new[s] > 0:
            out.append(s)
            new[s] -= 1
    return out


def kind_of(actor: str | None, event: str | None) -> str:
    """What a step of the checker's world is."""
    if actor is None:
        return INIT
    if actor == "net":
        return NET_KIND[event]
    if event == SEGMENT:
        return RECEIVE
    # the timers are the events the catalogue names (a test checks them against the graph)
    return TIMER if f"event.{event}" in MESSAGES else CALL


def narrate(o: Outcome, trace: list, loop_start: int | None = None, lang: str = "en") -> Told:
    """Tell a trace of the checker's graph: (label, state index) pairs, the first label None."""
    rfc = {k: d["rfc"] for _, _, k, d in o.system.machine.graph.edges(keys=True, data=True)}
    worlds = [o.state(i) for _, i in trace]
    sent = [() if label is None else tuple(sent_by(worlds[n - 1], worlds[n], label.actor))
            for n, (label, _) in enumerate(trace)]
    pc = worlds[-1].pc
    bases = {v.base for n, (label, _) in enumerate(trace) if label is not None
             for g in ((label.segment,) if label.segment is not None else ()) + sent[n]
             for v in (g.seq, g.ack) if v is not None and v.base != CONST}
    example, model = _numbers(o.system.decider, pc, tuple(sorted(bases)))
    steps = []
    for n, (label, _) in enumerate(trace):
        w = worlds[n]
        if label is None:
            step = TraceStep(n, INIT, None, "Init", None, None, None, (), w.a, w.b, None, "")
        else:
            step = TraceStep(n, kind_of(label.actor, label.event), label.actor, label.name,
                             label.event, label.segment, label.to or None, sent[n], w.a, w.b,
                             rfc[label.name] if label.actor in PEER else None, "")
        steps.append(replace(step, head=_head(step, lang), in_flight=(w.ab, w.ba),
                             told=_words(step, worlds[n - 1] if n else None, example, lang)))
    literals = say("trace.and", lang).join(_literal(x, lang) for x in sorted(pc))
    return Told(tuple(steps), loop_start, lang, say("step.loop", lang),
                None if loop_start is None else say("step.back", lang, step=loop_start),
                say("trace.condition", lang, literals=literals) if pc else None,
                say("trace.model", lang, values=_values(model)) if model else None,
                say("run.example", lang, values=_values(example)) if example else None,
                words("chart", CHART_WORDS, lang), told_errors(lang))


def told_errors(lang: str) -> dict[str, str]:
    """What a TCB's error (spec/tcp/rules.py) says the user was told, in ``lang``."""
    return {error: say("trace.told", lang, error=text) for error, text in errors(lang).items()}


@functools.lru_cache(maxsize=256)
def _numbers(decider: Decider, pc: frozenset, bases: tuple[str, ...]) -> tuple[dict, dict]:
    """Round values of the numbers on the wire, and the least values of those the path condition
    names (an Optimize query of up to a second: a report tells one counterexample several times)."""
    return decider.example(pc, bases), decider.model(pc) if pc else {}


def narrate_verdict(o: Outcome, v, lang: str = "en") -> Told:
    """A violated property's counterexample."""
    return narrate(o, v.trace, v.loop_start, lang)


def counterexamples(outcomes: list[Outcome], lang: str = "en") -> dict[tuple, Told]:
    """Every violated property's counterexample, by (run key, property)."""
    return {(o.key, v.property): narrate_verdict(o, v, lang)
            for o in outcomes for v in o.result.verdicts if v.status == Status.VIOLATED}


def _head(s: TraceStep, lang: str) -> str:
    """The step in one line: who did what, on which segment or event, and what it sent."""
    if s.kind == INIT:
        return say("head.init", lang)
    if s.actor == "net":
        head = say("head.net", lang, action=net_action(s.kind, s.action, lang), peer=PEER[s.to], actor=s.to,
                   segment=segment_words(s.segment, lang))
    else:
        head = f"{s.actor}: {s.action}"
        if s.segment is not None:
            head += "  " + say("head.receives", lang, segment=segment_words(s.segment, lang))
        elif s.event:
            head += "  " + say("head.on", lang, event=_event(s, lang))
    if s.sent:
        head += "  " + say("head.sends", lang, segments=", ".join(segment_words(g, lang) for g in s.sent))
    return head


def segment_words(g: Segment, lang: str) -> str:
    """A segment as it prints itself, its mark (old duplicate, forged) in the reader's language."""
    mark = "segment.old" if g.old else "segment.forged" if g.forged else None
    plain = str(g._replace(old=False, forged=False))
    return plain if mark is None else f"{plain} {say(mark, lang)}"


def net_action(kind: str, name: str, lang: str) -> str:
    """A step of the network (its kind, its action's name) in the reader's language."""
    return say(f"chart.net-{kind}", lang, action=name)


def _event(s: TraceStep, lang: str) -> str:
    """A timer's or an application call's name in the reader's language."""
    return say(f"{'event' if s.kind == TIMER else 'call'}.{s.event}", lang)


def _words(s: TraceStep, prev: World | None, example: dict[str, int], lang: str) -> tuple[str, ...]:
    """The step told in full: what happened, the rule (RFC 9293 section), the segments, the states."""
    actor = s.to if s.actor == "net" else s.actor
    kw = {} if actor is None else dict(actor=actor, peer=PEER[actor])
    if s.kind in (TIMER, CALL):
        kw["event"] = _event(s, lang)
    lines = [say(f"step.{s.kind}", lang, **kw)]
    if s.actor in PEER:
        lines.append(say("step.rule", lang, name=s.action, rfc=s.rfc))
    if s.segment is not None:
        lines.append(f"{say('step.wire', lang)}: {kw['peer']} -> {actor}  "
                     f"{segment_text(s.segment, example, lang)}")
    for g in s.sent:
        lines.append(f"{say('step.sends', lang, actor=s.actor)}: {s.actor} -> {PEER[s.actor]}  "
                     f"{segment_text(g, example, lang)}")
    w = (s.a, s.b)
    before = w if prev is None else (prev.a, prev.b)
    states = [f"{x} {t.state} -> {u.state}" if t.state != u.state else f"{x} {u.state}"
              for x, t, u in zip("AB", before, w)]
    lines.append(f"{say('step.states', lang)}: {'   '.join(states)}")
    return tuple(lines)


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


def _values(values: dict[str, int]) -> str:
    return ", ".join(f"{k}=0x{v:08x}" for k, v in values.items())


def _literal(lit, lang: str) -> str:
    rel, x, y, holds = lit
    op = {("lt", True): "<", ("lt", False): say("trace.not-lt", lang), ("eq", True): "=",
          ("eq", False): "!="}[rel, holds]
    return f"{x} {op} {y}"


# ------------------------------------------------------------------ replay

def narrate_replay(segments: list, steps: list, lang: str = "en") -> tuple[TraceStep, ...]:
    """Tell replay's explanation of a capture (spec.conformance.replay): `segments` the captured
    ones (each with .sender and .segment), `steps` its (move, state after) pairs, where a move
    names its actor ("A", "B", "capture", "net"), what it did, its event, the captured segment
    involved (n, from 0) and what it sent (for a capture: the sending edge, then the segments
    its sender sent before it that the capture lacks)."""
    out = []
    for k, (st, s) in enumerate(steps):
        o = None if st.n is None else segments[st.n]
        number = None if st.n is None else f"#{st.n + 1}"
        to = None if o is None else PEER[o.sender]
        sent, unseen, by = tuple(st.sent), (), None
        if st.actor == "capture":
            kind, sent, by, unseen = CAPTURE, (), st.sent[0], tuple(st.sent[1:])
            head = say("replay.captured", lang, number=number, dir=f"{o.sender}->{to}", segment=o.segment,
                       edge=by or say("replay.unchecked", lang))
            if unseen:
                told = "replay.carried" if all(carried(g, o.segment) for g in unseen) else "replay.unseen"
                head += say(told, lang, segments=", ".join(str(g) for g in unseen))
        elif st.actor == "net":
            kind, head = LOSE, say("replay.lost", lang, number=number)
        else:
            kind = kind_of(st.actor, st.event)
            how = say("head.receives", lang, segment=number) if number else say("head.on", lang, event=st.event)
            head = f"{st.actor}: {st.what} {how}"
            if sent:
                head += " " + say("head.sends", lang, segments=", ".join(str(g) for g in sent))
        out.append(TraceStep(k, kind, st.actor, st.what, st.event or None, None if o is None else o.segment,
                             to, sent, s.a, s.b, None, head, number=st.n, unseen=unseen, sent_by=by))
    return tuple(out)
