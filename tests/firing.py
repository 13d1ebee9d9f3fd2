"""Firing the spec's state graph on one event, as the checker does (spec.world.system._fire)."""

from __future__ import annotations

from tcpverify.spec.tcp.machine import Machine, build_graph
from tcpverify.spec.tcp.rules import Params
from tcpverify.spec.tcp.symbolic import Decider, branches

MACHINE = Machine(build_graph())


def fire_branches(tcb, event, seg=None, *, me="A", params=None, pc=frozenset(),
                  decider=None, machine=MACHINE):
    """Every feasible branch: a list of ((edge name, new TCB, segments sent) or None, path condition)."""
    decider = decider or Decider()
    params = params or Params(fin_len=machine.fin_len)
    return list(branches(decider, pc,
                         lambda ctx: machine.fire(me, tcb, event, seg, ctx, params)))


def fire(tcb, event, seg=None, **kw):
    """The one outcome of an event whose comparisons are all decided: (edge, TCB, sent)."""
    ((result, _pc),) = fire_branches(tcb, event, seg, **kw)
    assert result is not None, f"no edge of {tcb.state} handles {event} {seg}"
    return result
