"""Comparisons across ISN bases, decided by Z3 under a path condition.

A literal is ``(rel, x, y, holds)`` with rel "lt" or "eq" over two SeqVals of
different bases. A path condition is a frozenset of literals. Where both
outcomes of a comparison are satisfiable, the firing of a transition branches
(``branches``) and each branch keeps its outcome in its path condition.
"""

from __future__ import annotations

from typing import Callable, Iterator

from .difference import EVERYTHING, decide
from .seq import BITVEC, CONST, MOD, OFFSET_BOUND, SeqVal, lt
from .z3lazy import z3

ISS_PREFIX = "ISS_"
OLD_PREFIX = "OLD"
# A blind attacker's numbers: arbitrary, with no distance from the ISNs assumed.
FORGED_PREFIX = "FORGED_"
# RFC 9293 3.4.1: the ISN clock and the quiet time keep an old incarnation's
# numbers out of the current sequence space; modelled as a minimum distance.
FAR = OFFSET_BOUND


# Answers of possible(), shared by every Decider of the process: a pure function of the
# pinned ISNs, the relevant literals and the comparison.
_ANSWERS: dict = {}


class Decider:
    """Answers "can this literal be true / false under this path condition?"."""

    def __init__(self, isn_values: dict[str, int] | None = None, timeout_ms: int = 10_000):
        self.isn_values = dict(isn_values or {})
        self.timeout_ms = timeout_ms
        self._pinned = tuple(sorted(self.isn_values.items()))
        self._solvers: dict = {}  # (relevant literals, bases compared): one solver
        self.queries = 0
        self.cache_hits = 0
        self.unknown = 0  # answers Z3 could not give
        self._unknown_keys: set = set()
        # What undecided answers touched: the path conditions a property was judged under, and
        # the comparisons a transition left open (both outcomes were then explored).
        self._undecided_pcs: set = set()
        self._undecided_literals: set = set()

    def possible(self, pc: frozenset, rel: str, x: SeqVal, y: SeqVal) -> tuple[bool, bool]:
        # Only the literals linked to x and y through shared bases (or an axiom) can change
        # the answer: the rest is satisfiable on its own, over other bases. Keying the cache
        # on them lets path conditions that differ elsewhere share one answer.
        relevant = relevant_literals(pc, (x, y))
        key = (self._pinned, relevant, rel, x, y)
        hit = _ANSWERS.get(key)
        if hit is not None:
            self.cache_hits += 1
            return hit
        answer = self._by_intervals(relevant, rel, x, y)
        if answer is not None:
            _ANSWERS[key] = answer
            return answer
        bases = frozenset(_bases((x, y)))
        solver = self._solvers.get((relevant, bases))
        if solver is None:
            every = bases | _bases(v for lit in relevant for v in lit[1:3])
            solver = self._solvers[relevant, bases] = _Solver(self._context(relevant, (x, y)),
                                                              every, self.timeout_ms)
        # An assignment already found under this path condition that makes the literal true
        # (false) shows that it can be: Z3 is asked only for an outcome no model has shown.
        seen = {holds(rel, x, y, m) for m in solver.models}
        formula = _formula(rel, x, y)
        unknown = self.unknown
        answer = (True in seen or self._sat(solver, formula),
                  False in seen or self._sat(solver, z3.Not(formula)))
        if self.unknown == unknown:
            _ANSWERS[key] = answer
        else:  # an answer Z3 gave up on is this Decider's to report, and asked again at each use
            self._unknown_keys.add(key)
        return answer

    def undecided(self, pc: frozenset, rel: str, x: SeqVal, y: SeqVal) -> bool:
        """Whether Z3 could not answer possible(pc, rel, x, y)."""
        if not self._unknown_keys:
            return False
        key = (self._pinned, relevant_literals(pc, (x, y)), rel, x, y)
        return key in self._unknown_keys and key not in _ANSWERS

    def doubtful(self, pc: frozenset) -> bool:
        """A state under this path condition rests on an answer Z3 could not give: a comparison
        it left open is one of the literals, or a question asked under it went unanswered."""
        if not self._unknown_keys:
            return False
        return pc in self._undecided_pcs or any(lit[:3] in self._undecided_literals for lit in pc)

    def guessed(self, rel: str, x: SeqVal, y: SeqVal) -> None:
        """Both outcomes of a comparison Z3 could not decide were explored on a guess."""
        self._undecided_literals.add((rel, x, y))

    def undecided_record(self) -> tuple:
        """What doubtful() reads, for another process's Decider to absorb."""
        return self._unknown_keys, self._undecided_pcs, self._undecided_literals

    def absorb_undecided(self, record: tuple) -> None:
        keys, pcs, literals = record
        self._unknown_keys |= keys
        self._undecided_pcs |= pcs
        self._undecided_literals |= literals

    def _by_intervals(self, relevant: frozenset, rel: str, x: SeqVal, y: SeqVal) -> tuple[bool, bool] | None:
        """The answer without Z3 where the literals and the comparison speak of one pair of
        bases, neither of them pinned: intervals of their difference decide it (difference.py)."""
        if self.isn_values.keys() & {x.base, y.base}:
            return None
        pair = {x.base, y.base}
        return decide(relevant, rel, x, y, [(FAR, MOD - FAR)] if _old_isn(pair, pair) else EVERYTHING)

    def valid(self, pc: frozenset, rel: str, x: SeqVal, y: SeqVal) -> bool:
        """True when the path condition implies the literal."""
        same = _same_base(rel, x, y)
        if same is not None:
            return same
        answer = not self.possible(pc, rel, x, y)[1]
        if self.undecided(pc, rel, x, y):
            self._undecided_pcs.add(pc)  # a property judged under pc on an answer Z3 could not give
        return answer

    def model(self, pc: frozenset) -> dict[str, int]:
        """The least assignment (in the order of the bases' names) of every base mentioned by
        the path condition: a Solver's model would depend on what the process asked Z3 before."""
        opt = uninterruptible(z3.Optimize())
        for f in self._context(pc, ()):
            opt.add(f)
        for base in sorted({v.base for lit in pc for v in lit[1:3]} - {CONST}):
            opt.minimize(z3.BitVec(base, 32))
        if opt.check() != z3.sat:
            return {}
        m = opt.model()
        return {str(d): m[d].as_long() for d in sorted(m.decls(), key=str)}

    def example(self, pc: frozenset, bases: tuple[str, ...]) -> dict[str, int]:
        """Concrete values for ``bases`` satisfying the path condition and the axioms:
        round numbers (0x10000000, 0x20000000, ...) where the path condition allows them."""
        solver = uninterruptible(z3.Solver())
        solver.add(*self._context(pc, tuple(SeqVal(b, 0) for b in bases)))
        for n, b in enumerate(sorted(bases), start=1):
            solver.push()
            solver.add(z3.BitVec(b, 32) == BITVEC.const(n << 28))
            if solver.check() != z3.sat:
                solver.pop()
        if solver.check() != z3.sat:
            return {}
        m = solver.model()
        return {b: m.eval(z3.BitVec(b, 32), model_completion=True).as_long() for b in sorted(bases)}

    def _sat(self, solver: "_Solver", formula) -> bool:
        self.queries += 1
        result = solver.check(formula)
        if result == z3.unknown:
            self.unknown += 1
            return True  # both outcomes stay possible: sound, and reported INCOMPLETE
        return result == z3.sat

    def _context(self, pc: frozenset, extra: tuple) -> list:
        return context(pc, extra, self.isn_values)


def uninterruptible(solver):
    """For queries of milliseconds (the Decider's, the graph's facts): a Ctrl-C during one raises
    KeyboardInterrupt as it returns, instead of Z3 cancelling it and answering unknown (an
    INCOMPLETE run, or a wrong fact)."""
    solver.set("ctrl_c", False)
    return solver


class _Solver:
    """One Z3 solver holding a path condition and its axioms, asked about one comparison at a
    time (push/pop), and the satisfying assignments it has found (base -> value)."""

    def __init__(self, formulas: list, bases: set[str], timeout_ms: int):
        self.z3 = uninterruptible(z3.Solver())
        self.z3.set("timeout", timeout_ms)
        self.z3.add(*formulas)
        self.bases = sorted(bases)
        self.models: list[dict[str, int]] = []

    def check(self, formula):
        self.z3.push()
        self.z3.add(formula)
        result = self.z3.check()
        if result == z3.sat:
            m = self.z3.model()
            self.models.append({b: m.eval(z3.BitVec(b, 32), model_completion=True).as_long()
                                for b in self.bases})
        self.z3.pop()
        return result


def holds(rel: str, x: SeqVal, y: SeqVal, values: dict[str, int]) -> bool:
    """The literal's truth under concrete values of the bases."""
    a, b = (v.off if v.base == CONST else (values[v.base] + v.off) % MOD for v in (x, y))
    return lt(a, b) if rel == "lt" else a == b


def context(pc: frozenset, extra: tuple = (), isn_values: dict[str, int] | None = None) -> list:
    """The path condition's literals and the axioms on every base they and ``extra`` mention."""
    literals = sorted(pc)
    bases = _bases(v for lit in literals for v in lit[1:3]) | _bases(extra)
    return [literal(lit) for lit in literals] + _axioms(sorted(bases), isn_values or {})


def relevant_literals(pc: frozenset, values: tuple) -> frozenset:
    """The literals of pc connected to ``values`` through shared bases, an old base being
    linked to every ISN by its axiom (far_apart)."""
    reach, rest, out = _bases(values), set(pc), set()
    while linked := {lit for lit in rest if _linked(_bases(lit[1:3]), reach)}:
        out |= linked
        rest -= linked
        reach |= _bases(v for lit in linked for v in lit[1:3])
    return frozenset(out)


def _linked(bases: set[str], reach: set[str]) -> bool:
    return bool(bases & reach) or _old_isn(bases, reach) or _old_isn(reach, bases)


def _old_isn(olds: set[str], isns: set[str]) -> bool:
    """An old base in one set and an ISN in the other: their axiom links them."""
    return any(b.startswith(OLD_PREFIX) for b in olds) and any(b.startswith(ISS_PREFIX) for b in isns)


def _bases(values) -> set[str]:
    return {v.base for v in values} - {CONST}


def literal(lit: tuple):
    """The Z3 formula of a literal (rel, x, y, holds)."""
    rel, x, y, holds = lit
    f = _formula(rel, x, y)
    return f if holds else z3.Not(f)


def _formula(rel: str, x: SeqVal, y: SeqVal):
    a, b = x.term(), y.term()
    return lt(a, b, BITVEC) if rel == "lt" else a == b


def _axioms(bases: list[str], isn_values: dict[str, int]) -> list:
    out = []
    isns = [b for b in bases if b.startswith(ISS_PREFIX)]
    for b in bases:
        if b in isn_values:
            out.append(z3.BitVec(b, 32) == BITVEC.const(isn_values[b]))
        if b.startswith(OLD_PREFIX):
            out += [far_apart(z3.BitVec(b, 32), z3.BitVec(i, 32)) for i in isns]
    return out


def far_apart(old, isn):
    """An old duplicate's number lies at least FAR from an ISN, on either side (RFC 9293 3.4.1)."""
    d = old - isn
    return z3.And(z3.UGE(d, FAR), z3.ULE(d, MOD - FAR))


def _same_base(rel: str, x: SeqVal, y: SeqVal) -> bool | None:
    if x.base != y.base:
        return None
    if x.base == CONST:
        return lt(x.off, y.off) if rel == "lt" else x.off == y.off
    return x.off < y.off if rel == "lt" else x.off == y.off


class Ctx:
    """The comparisons made while one transition fires, with the branch taken."""

    def __init__(self, decider: Decider, pc: frozenset, prefix: tuple[bool, ...]):
        self.decider = decider
        self.pc = pc
        self.prefix = prefix
        self.taken: list[bool] = []
        self.assumed: list[tuple] = []

    def lt(self, x: SeqVal, y: SeqVal) -> bool:
        return self._decide("lt", x, y)

    def eq(self, x: SeqVal, y: SeqVal) -> bool:
        return self._decide("eq", x, y)

    def le(self, x: SeqVal, y: SeqVal) -> bool:
        return self.eq(x, y) or self.lt(x, y)

    def _decide(self, rel: str, x: SeqVal, y: SeqVal) -> bool:
        same = _same_base(rel, x, y)
        if same is not None:
            return same
        pc = self.pc.union(self.assumed)
        if (rel, x, y, True) in pc:
            return True
        if (rel, x, y, False) in pc:
            return False
        can_true, can_false = self.decider.possible(pc, rel, x, y)
        if can_true != can_false:
            return can_true
        if self.decider.undecided(pc, rel, x, y):
            self.decider.guessed(rel, x, y)
        n = len(self.taken)
        outcome = self.prefix[n] if n < len(self.prefix) else True
        self.taken.append(outcome)
        self.assumed.append((rel, x, y, outcome))
        return outcome


def branches(decider: Decider, pc: frozenset, fire: Callable[[Ctx], object]) -> Iterator[tuple[object, frozenset]]:
    """Run ``fire`` once per feasible combination of undecided comparisons.

    Yields (result, path condition of that branch), in a fixed order.
    """
    stack: list[tuple[bool, ...]] = [()]
    while stack:
        prefix = stack.pop()
        ctx = Ctx(decider, pc, prefix)
        result = fire(ctx)
        for k in range(len(prefix), len(ctx.taken)):
            stack.append(tuple(ctx.taken[:k]) + (False,))
        yield result, pc.union(ctx.assumed) if ctx.assumed else pc

