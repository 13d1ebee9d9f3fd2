"""Next over many compact states at once: TcpSystem.step's templates applied with numpy to
every state of a block that agrees on what they read (checker.levels searches with it).

A template's entries are stored flat, a row each: the parts written (-1: copied from the
state), the channel a segment is sent into and the segments (-1: none), the call counted or
fault spent (-1: none), the step's label code. Only that is kept of a template (not
TcpSystem's objects, about 700 bytes a template), with its hits and the kinds of the losses
it notes (TcpSystem.fired and lost add them up). The states whose successors are renumbered
(TcpSystem.direct) and the templates marked _DIRECT go through TcpSystem one by one."""

from __future__ import annotations

from collections import Counter

import numpy as np

from tcpverify.checker.intern import Table
from tcpverify.checker.hashed import HashIndex
from tcpverify.checker.rows import INT, ROW, SMALL, Growing, distinct, firsts, grown, put, ranges, take

# an entry's columns after the six parts written
_SEND_AT, _SENT, _EDIT, _LABEL = 6, 7, 8, 9


class Batch:
    """``expand(rows)`` for a TcpSystem; ``labels[k]`` is the step of label code k."""

    def __init__(self, system, direct: object):
        """direct: TcpSystem's mark of a template whose successors are renumbered."""
        self.system, self._direct = system, direct
        self.labels: list = []
        self._label_of: dict[int, int] = {}  # id() of a step -> its code
        self._span = Growing(2)  # per template: its first entry, its number of entries
        self._hits = Growing(1)  # per template: the states it made the successors of
        self._noted = Growing(2)  # per loss a template notes: the template, the kind's code in _kinds
        self._kinds = Table()  # the kinds of losses noted (TcpSystem.note_loss)
        self._entries = Growing(10, np.int32)
        self._sent, self._edits = Table(), Table()  # the tuples of segment ids sent; _Call, _Spend
        # per key columns: the parts a unit reads -> a key id (units reading the same share it)
        self._keyed = {unit[6]: HashIndex(len(unit[6])) for unit in system._units}
        self._made = [np.empty(0, INT) for _ in system._units]  # per unit: key id -> template (-1: none)
        # many incarnations, acked id; calls id, budget id, faults left id
        self._derived = [Growing(1, ROW) for _ in range(5)]

    def code(self, step) -> int:
        k = self._label_of.get(id(step))
        if k is None:
            k = self._label_of[id(step)] = len(self.labels)
            self.labels.append(step)
        return k

    def expand(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(owner, labels, targets): the successors of every row, in the order of
        TcpSystem.step for each row and of the rows, each with the position of its row and
        its label code."""
        s = self.system
        if len(rows) < SMALL:  # through TcpSystem.step, one state at a time
            owner, _, labels, targets = self._listed(range(len(rows)), [s.step(tuple(r)) for r in rows.tolist()], 0)
            return owner, labels, targets
        many, acked, calls, budget, left = self._derive()
        a, b, ab, ba, cb = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4]
        parts = np.column_stack((rows, calls[cb], (ab == s._empty) & (ba == s._empty), acked[a], acked[b],
                                 budget[cb], left[cb]))
        one_by_one = np.nonzero(many[a] | many[b])[0] if not s.params.isns else np.empty(0, INT)
        pieces = [self._listed([i], [s.step(tuple(rows[i].tolist()))], 0) for i in one_by_one.tolist()]
        templated = np.setdiff1d(np.arange(len(rows)), one_by_one, assume_unique=True)
        keys: dict = {}  # this block's key ids, per key columns
        for u, unit in enumerate(s._units):
            pieces += self._apply(u, unit, rows, parts, templated, keys)
        return _placed(pieces, len(rows), len(s._units), rows.shape[1])

    def _derive(self):
        """Per TCB id: whether it has had more than one incarnation, the id of what names an
        ACK to it; per calls-and-budget id: its calls' id, its budget's id, its faults left's id
        (TcpSystem.derive), for every id met so far."""
        s = self.system
        s.derive()
        many, *derived = self._derived
        many.extend([t.incarnations > 1 for t in s.tcbs.values[many.n:]])
        for column, of in zip(derived, (s._acked_of, s._calls_of, s._budget_of, s._left_of)):
            column.extend(of[column.n:])
        return (many.rows[:, 0].astype(bool), *(column.rows[:, 0] for column in derived))

    def _apply(self, u: int, unit: tuple, rows: np.ndarray, parts: np.ndarray, at: np.ndarray,
               keys: dict) -> list:
        """The pieces (owner, unit, labels, targets) of unit's successors of rows[at]."""
        s = self.system
        if not len(at):
            return []
        tids = self._templates_of(u, unit, rows, self._key_ids(unit[6], parts, at, keys), at)
        out = []
        direct = tids < 0
        if direct.any():
            out.append(self._listed(at[direct], [s._run(unit, tuple(rows[i].tolist())) for i in at[direct].tolist()], u))
            at, tids = at[~direct], tids[~direct]
        if not len(at):
            return out
        np.add.at(self._hits.rows[:, 0], tids, 1)  # (ufunc.at: no sort of the templates used)
        span = take(self._span.rows, tids)
        count = span[:, 1]
        mine = np.repeat(np.arange(len(at)), count)
        e = take(self._entries.rows, ranges(span[:, 0], count))
        owner = at.astype(ROW)[mine]
        written = e[:, :6]
        targets = take(rows, owner)
        np.copyto(targets, written, where=written >= 0)
        keep = self._send(targets, e)
        if keep is not None:
            owner, e, targets = owner[keep], take(e, keep), take(targets, keep)
        self._edit(targets, rows[owner, 4], e[:, _EDIT])
        out.append((owner, u, e[:, _LABEL].copy(), targets))  # (a view would keep all of e)
        return out

    def _key_ids(self, cols: tuple, parts: np.ndarray, at: np.ndarray, keys: dict) -> np.ndarray:
        """The id of each of parts[at]'s values in columns cols, numbered as first met (in a
        block, in increasing packed key); looked up once a block for all units that read them."""
        ids = keys.get(cols)
        if ids is None:
            index = self._keyed[cols]
            ids = keys[cols] = index.numbers(take(parts, at)[:, cols],
                                             lambda first: np.arange(index.count, index.count + len(first)))
        return ids

    def _templates_of(self, u: int, unit: tuple, rows: np.ndarray, ids: np.ndarray,
                      at: np.ndarray) -> np.ndarray:
        """unit's template for each of rows[at] (made where missing, by TcpSystem._template, in
        the order of their key ids ids), as numbers; -2 where it is _DIRECT."""
        made = self._made[u] = grown(self._made[u], self._keyed[unit[6]].count - 1, -1)
        tids = made[ids]
        miss = np.flatnonzero(tids == -1)
        if len(miss):
            first, inverse = firsts(ids[miss])
            s = self.system
            new = self._store([s._template(unit, tuple(rows[i].tolist())) for i in at[miss[first]].tolist()])
            made[ids[miss[first]]] = new
            tids[miss] = new[inverse]
        return tids

    def _store(self, templates: list) -> np.ndarray:
        """Number the templates (-2: _DIRECT) and store their entries flat."""
        spans, entries, losses, out = [], [], [], []
        for template in templates:
            if template is self._direct:
                out.append(-2)
                continue
            _, written, noted = template
            out.append(self._hits.n + len(spans))
            losses += [(out[-1], self._kinds(kind)) for kind in noted]
            spans.append((self._entries.n + len(entries), len(written)))
            entries += [[-1 if p is None else p for p in parts]
                        + ([-1, -1] if send is None else [send[0], self._sent(send[1])])
                        + [-1 if edit is None else self._edits(edit), self.code(step)]
                        for step, parts, send, edit in written]
        self._span.extend(spans)
        self._hits.extend([0] * len(spans))
        self._entries.extend(entries)
        self._noted.extend(losses)
        return np.asarray(out, INT)

    def fired(self) -> Counter:
        """Transitions per step name of the templates' hits (TcpSystem.fired; the successors a
        full channel dropped are TcpSystem's to subtract)."""
        per_entry = np.repeat(self._hits.rows[:, 0], self._span.rows[:, 1])
        counts = np.bincount(self._entries.rows[:, _LABEL], weights=per_entry, minlength=len(self.labels))
        out: Counter = Counter()
        for k, n in enumerate(counts.tolist()):
            if n:
                out[self.labels[k].name] += int(n)
        return out

    def restart_hits(self) -> None:
        """fired() and lost() count from zero (TcpSystem.restart_tallies)."""
        self._hits.rows[:, 0] = 0

    def lost(self) -> Counter:
        """Losses per kind of the templates' hits (TcpSystem.lost)."""
        noted = self._noted.rows  # (a Python loop over the templates took 5 ms of a rank's gather)
        counts = np.bincount(noted[:, 1], weights=self._hits.rows[noted[:, 0], 0], minlength=len(self._kinds))
        return Counter({self._kinds[k]: int(n) for k, n in enumerate(counts.tolist()) if n})

    def _send(self, targets: np.ndarray, e: np.ndarray) -> np.ndarray | None:
        """Append the segments the entries send to their channel in targets; the rows kept
        (None: all), those whose channel would exceed its capacity dropped and counted."""
        s = self.system
        at = np.nonzero(e[:, _SEND_AT] >= 0)[0]
        if not len(at):
            return None
        where = e[at, _SEND_AT].astype(INT)
        pairs = np.column_stack((targets[at, where], e[at, _SENT]))
        first, inverse = distinct(pairs)
        made = []
        for c, k in pairs[first].tolist():
            sids = self._sent[k]
            ch = s._with_memo.get((c, sids), -1)
            if ch == -1:
                ch = s._with(c, sids)
            made.append(-1 if ch is None else ch)
        channel = np.asarray(made, INT)[inverse]
        targets[at, where] = channel
        dropped = at[channel < 0]
        if not len(dropped):
            return None
        codes, counts = np.unique(e[dropped, _LABEL], return_counts=True)
        for k, n in zip(codes.tolist(), counts.tolist()):
            s._dropped[self.labels[k].name] += n
        keep = np.ones(len(targets), bool)
        keep[dropped] = False
        return keep

    def _edit(self, targets: np.ndarray, cb: np.ndarray, edit: np.ndarray) -> None:
        """The calls and budget after the call counted or fault spent, where an entry has one
        (from the state's calls and budget, as TcpSystem.step)."""
        s = self.system
        at = np.nonzero(edit >= 0)[0]
        if not len(at):
            return
        pairs = np.column_stack((cb[at], edit[at]))
        first, inverse = distinct(pairs)
        made = []
        for c, k in pairs[first].tolist():
            x = self._edits[k]
            out = s._edits.get((c, x))
            made.append(s._edited(c, x) if out is None else out)
        targets[at, 4] = np.asarray(made, ROW)[inverse]

    def _listed(self, owners, successors: list, u: int) -> tuple:
        """A piece from TcpSystem's own lists of (step, successor), one list per owner."""
        owner = [o for o, succ in zip(owners, successors) for _ in succ]
        labels = [self.code(step) for succ in successors for step, _ in succ]
        targets = [t for succ in successors for _, t in succ]
        return (np.asarray(owner, ROW), u, np.asarray(labels, ROW), np.asarray(targets, ROW).reshape(-1, 6))


def _placed(pieces: list, n: int, units: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pieces (owner, unit, labels, targets) of n rows' successors, each piece's owners in
    order, merged into the order of TcpSystem.step: by owner, then unit, then within a piece.
    Each successor is written once, at its place (no sort); a piece is let go once placed
    (pieces is emptied: a block's successors are not held twice)."""
    counts = np.zeros((n, units), ROW)
    each = [np.bincount(owner, minlength=n).astype(ROW) for owner, _, _, _ in pieces]  # per piece, per row
    for (_, u, _, _), c in zip(pieces, each):
        counts[:, u] += c
    flat = counts.reshape(-1)
    start = (np.cumsum(flat, dtype=ROW) - flat).reshape(n, units)
    total = int(flat.sum())
    owners, labels, targets = np.empty(total, ROW), np.empty(total, ROW), np.empty((total, width), ROW)
    while pieces:
        (owner, u, label, target), c = pieces.pop(), each.pop()
        if len(owner):  # (a piece's owners are sorted: each one's successors are side by side)
            at = start[owner, u] + np.arange(len(owner), dtype=ROW) - (np.cumsum(c, dtype=ROW) - c)[owner]
            owners[at], labels[at] = owner, label
            put(targets, at, target)
    return owners, labels, targets
