"""The typed records a trace's views render: one step (TraceStep) and a told trace (Told).

spec.teaching.narrator computes them, once, from a checker trace or a replayed capture;
the views (text, explain, the step-through page, the sequence chart, JUnit, replay) only
format them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..tcp.segment import Segment
from ..tcp.tcb import SEQ_FIELDS, Tcb

# The TCB fields a trace shows, in the order of RFC 9293 3.3.1, and the error the user was told.
TCB_FIELDS = ("state", *SEQ_FIELDS, "error")

# What a step is: the kinds the narrator tells apart.
INIT, CALL, RECEIVE, TIMER = "init", "call", "receive", "timer"
LOSE, DUPLICATE, OLD, FORGE = "lose", "duplicate", "old", "forge"  # the network's faults
CAPTURE = "capture"  # replay: a segment passes the capture point


def tcb_heads(words: dict[str, str]) -> list[list[str]]:
    """Each of TCB_FIELDS with the head of its row in a page's TCB table: the reader's word for
    the state and the error (``words``), the RFC's name for a sequence variable (SND.UNA)."""
    return [[f, words.get(f, f.upper().replace("_", "."))] for f in TCB_FIELDS]


def tcb_dict(t: Tcb) -> dict:
    return {f: (str(getattr(t, f)) if getattr(t, f) is not None else None) for f in TCB_FIELDS}


@dataclass(frozen=True)
class TraceStep:
    step: int
    kind: str
    actor: str | None  # "A", "B", "net", "capture" (replay); None for the initial state
    action: str  # the edge that fired, the network's action, "Init", or replay's "captured"/"lost"
    event: str | None
    segment: Segment | None  # the segment received, lost, copied, arriving or captured
    to: str | None  # network steps: the endpoint the segment travels to
    sent: tuple[Segment, ...]  # what the actor put on the wire in this step
    a: Tcb | None  # both TCBs after the step; None for an endpoint a replay does not check
    b: Tcb | None
    rfc: str | None  # the section of the edge that fired
    head: str  # the step in one line: "A: RcvSynInListen  receives <...>  sends <...>"
    told: tuple[str, ...] = ()  # the step in words, one line each (explain, the page)
    in_flight: tuple[tuple[Segment, ...], tuple[Segment, ...]] | None = None  # A->B, B->A
    number: int | None = None  # replay: the captured segment involved (from 0)
    unseen: tuple[Segment, ...] = ()  # replay: sent, lost before the capture point
    sent_by: str | None = None  # replay: the edge that sent a captured segment

    def as_dict(self) -> dict:
        """The step as plain data, as reports/verification.json holds a counterexample."""
        return {"step": self.step, "a": tcb_dict(self.a), "b": tcb_dict(self.b),
             "in_flight": {"A->B": [str(s) for s in self.in_flight[0]],
                           "B->A": [str(s) for s in self.in_flight[1]]},
             "actor": self.actor, "action": self.action, "event": self.event,
             "segment": str(self.segment) if self.segment is not None else None,
             "to": self.to, "sent": [str(s) for s in self.sent]}


@dataclass(frozen=True)
class Told:
    """A trace as the narrator tells it."""

    steps: tuple[TraceStep, ...]
    loop_start: int | None  # a lasso: the step the loop goes back to
    lang: str
    loop: str  # the marker of the step the loop starts at
    back: str | None  # after the last step of a lasso: back to loop_start
    condition: str | None  # the path condition on the symbolic numbers, if any
    model: str | None  # the least values of the numbers the path condition names
    example: str | None  # round values of every symbolic number on the wire, under the condition
    words: dict[str, str]  # the sequence chart's words (spec.views.pictures.CHART_WORDS)
    errors: dict[str, str] = field(default_factory=dict)  # a TCB's error as its line tells it
