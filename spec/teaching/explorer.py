"""The explorer: the explored state graph of one run as data a student plays in the browser
(tcpverify explore). A state carries both TCBs, both channels, every enabled step (with what it
sends and the state it leads to) and each property's value there; the run's counterexamples and
witnesses are paths of state ids to jump to. The page embeds every state (--html) or asks a
local server for one at a time (--serve)."""

from __future__ import annotations

from tcpverify.checker.properties import EndState, Eventually, Invariant
from tcpverify.checker.status import Status

from ..suite.run import Outcome
from ..views.steps import tcb_dict, tcb_heads
from ..world.properties import suite
from ..world.environment import PEER
from .messages import errors, say, violation, words
from .narrator import kind_of, net_action, sent_by

# What the page says of a property in one state: holds, violated, not an end state, over runs.
HOLDS, VIOLATED, NOT_END, OVER_RUNS = "holds", "violated", "not-end", "over-runs"


class Explorer:
    """One run's explored graph, told state by state in the reader's language."""

    def __init__(self, o: Outcome, lang: str = "en"):
        self.o, self.lang = o, lang
        self.graph = o.result.exploration.graph
        self.props, _ = suite(o.system.decider, o.scenario, o.config)

    def __len__(self) -> int:
        return len(self.graph.states)

    def state(self, i: int) -> dict:
        """State i: TCBs, channels, the enabled steps and each property's value."""
        w = self.o.state(i)
        moves = []
        for step, t in self.o.system.successors(w):
            j = self.graph.index.get(self.o.system.compacted(t))
            if j is None:  # beyond a state limit: the graph stops here
                continue
            actor = step.to if step.actor == "net" else step.actor
            kind = kind_of(step.actor, step.event)
            label = str(step)
            if step.actor == "net":  # as str(step), in the reader's language
                label = f"{net_action(kind, step.name, self.lang)} {PEER[actor]}->{actor} {step.segment}"
            moves.append({"label": label, "kind": kind, "actor": step.actor,
                          "at": actor, "from": PEER[actor],
                          "segment": None if step.segment is None else str(step.segment),
                          "sent": [str(s) for s in sent_by(w, t, step.actor)], "to": j})
        return {"id": i, "a": tcb_dict(w.a), "b": tcb_dict(w.b), "ab": [str(s) for s in w.ab],
                "ba": [str(s) for s in w.ba], "moves": moves, "props": self._values(w, not moves)}

    def _values(self, w, end: bool) -> dict[str, list]:
        out = {}
        for p in self.props:
            if isinstance(p, Invariant) or (isinstance(p, EndState) and end):
                msg = p.check(w)
                out[p.name] = [HOLDS, ""] if msg is None else [VIOLATED, violation(msg, self.lang)]
            elif isinstance(p, EndState):
                out[p.name] = [NOT_END, say("explore.not-end", self.lang)]
            else:  # Eventually: a property of runs, not of one state
                assert isinstance(p, Eventually)
                out[p.name] = [OVER_RUNS, say("explore.over-runs", self.lang,
                                              status=self.o.verdict(p.name).status)]
        return out

    def meta(self) -> dict:
        """The run: its name, the properties, and the paths (state ids) to jump to."""
        o = self.o
        jumps = []
        for v in o.result.verdicts:
            if v.status == Status.VIOLATED:
                jumps.append({"label": say("explore.counterexample", self.lang, property=v.property),
                              "path": [i for _, i in v.trace]})
            if v.witness is not None:
                jumps.append({"label": say("explore.witness", self.lang, property=v.property),
                              "path": [i for _, i in v.witness]})
        variant = say("page.variant", self.lang, variant=o.variant.name) if o.variant else ""
        return {"title": say("explore.title", self.lang,
                             what=f"{o.scenario.name} ({o.config.name}{variant})"),
                "status": o.status, "states": len(self), "lang": self.lang,
                "fields": tcb_heads(words("page", ("state", "error"), self.lang)), "errors": errors(self.lang),
                "properties": [p.name for p in self.props], "jumps": jumps,
                "words": words("explore", WORDS, self.lang)}

    def everything(self) -> dict:
        return dict(self.meta(), graph=[self.state(i) for i in range(len(self))])


WORDS = ("back", "restart", "moves", "history", "channels", "properties", "jump", "chart", "end",
         "holds", "violated", "init")
