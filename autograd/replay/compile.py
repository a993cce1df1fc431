"""The compiler: a traced graph becomes a :class:`~autograd.replay.program.Program`.

- Nodes are renumbered so that the nodes of one primitive at one depth level are contiguous;
  each such group is one :class:`~autograd.replay.program.MapGroup` running the primitive's
  own ``forward`` (any primitive, a user-declared one included: it is read off ``v.op``).
- Local derivatives come from the primitive's own ``local``, except for the rows with a
  checked batched form (:mod:`autograd.replay.rules`): ``add`` (none needed), ``mul`` (the
  other operand's slot) and ``max`` (a lookup on the sign of ``a − b``).
- A node whose only consumer is an ``add`` receives ``g × 1.0 = g`` exactly, so it shares its
  consumer's gradient slot and costs nothing (``(0.0 + g)`` differs from ``g`` only in the sign
  of a zero; every gradient handed out or written back is normalised by that ``0.0 +``).
- Backward contributions are ordered as the eager walk sends them: consumers in reverse
  topological order (:func:`autograd.graph.topological_order`), arguments left to right.

The program keeps no reference to the graph: a large graph kept alive would cost memory and
slow every collection of the cyclic garbage collector.

>>> from autograd import Value
>>> from autograd.replay.tracing import run_traced
>>> x = Value(3.0)
>>> traced = run_traced(lambda x: x * x + 1.0, (x,))
>>> program = compile_graph(traced.out, traced.aux, traced.guards, (x,))
>>> program.stats["nodes"], program.data[program.out]
(4, 10.0)
"""

from __future__ import annotations

import operator
from itertools import repeat
from typing import Any, Optional, Sequence

from ..graph import topological_order
from ..ops import ADD, MAX, MUL
from ..value import Value
from .args import map_items
from .fuse import sum_chains
from .program import (At, Columns, Folds, FusedSums, GuardAt, GuardGroup, LeafFolds, MapGroup,
                      MaxLocals, Program, RuleLocals, Target, getter)
from .rules import MAX_LOCAL, SWAP_MUL, UNIT_ADD, max_forward_is_builtin
from .tracing import Guard, collect_nodes, refuse_hooks

__all__ = ["compile_graph"]

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}

_SMALL_FAN_IN = 4  # nodes with at most this many contributions fold column by column


def compile_graph(out: Value, aux: tuple, guards: list, inputs: Sequence[Value]) -> Program:
    """Compile the graph of ``out`` (plus guard operands and aux values) over ``inputs``.

    ``inputs`` take ``data[0:len(inputs)]``; every other leaf is a constant at its traced
    value.  The guards lose their operands (kept as slots in the program).
    """
    order, nodes = collect_nodes(out, guards, aux)
    refuse_hooks(nodes, "a node of the traced graph")
    ops = [v.op for v in nodes]
    par = {id(v): v.parents for v in nodes}

    # forward slots: inputs, constants, then computed nodes group by group
    slot: dict[int, int] = {id(v): i for i, v in enumerate(inputs)}
    data: list[float] = [v.data for v in inputs]

    def constant(x: float) -> int:
        data.append(x)
        return len(data) - 1

    for v, op in zip(nodes, ops):
        if op is None and id(v) not in slot:
            slot[id(v)] = constant(v.data)
    one = constant(1.0)
    chains, absorbed = sum_chains(nodes, ops, par, out, guards, aux)
    level: dict[int, int] = {}
    groups: dict[tuple, list[Value]] = {}
    n_inputs = len(inputs)
    for v, op in zip(nodes, ops):
        if op is None:
            level[id(v)] = 0
            continue
        if id(v) in absorbed:
            continue
        chain = chains.get(id(v))
        if chain is not None:  # a long sum: one entry, at the depth of its deepest operand
            init, terms = chain
            lv = 1 + max(level[id(init)], *(level[id(x)] for term in terms for x in term))
            level[id(v)] = lv
            groups.setdefault((lv, "", "chain"), []).append(v)
            continue
        lv = 1 + max(level[id(p)] for p in par[id(v)])
        level[id(v)] = lv
        variant = ""
        b = par[id(v)][-1]
        if op is MAX and b.op is None and slot[id(b)] >= n_inputs \
                and max_forward_is_builtin(b.data):
            variant = "builtin"
        # by the record itself (not its name: two records may share one), hashed by identity
        groups.setdefault((lv, id(op), variant), []).append(v)
    forward: list = []
    members_of: list[list[Value]] = []  # the nodes of each forward entry
    for key in sorted(groups, key=lambda k: k[0]):
        members = groups[key]
        start = len(data)
        for v in members:
            slot[id(v)] = len(data)
            data.append(v.data)
        members_of.append(members)
        if key[2] == "chain":  # init + a₁b₁ + a₂b₂ + …, left to right, per chain
            ga, gb = [], []
            for v in members:
                terms = chains[id(v)][1]
                ga.append(getter([slot[id(a)] for a, *_ in terms]))
                gb.append(getter([slot[id(t[1])] if len(t) == 2 else one for t in terms]))
            ginit = getter([slot[id(chains[id(v)][0])] for v in members])
            forward.append(FusedSums(tuple(ga), tuple(gb), ginit, start, len(data)))
            continue
        op = members[0].op
        builtin = key[2] == "builtin"
        ga1 = getter([slot[id(par[id(v)][0])] for v in members])
        gb1 = getter([slot[id(par[id(v)][1])] for v in members]) if op.arity == 2 else None
        forward.append(MapGroup(op.name, max if builtin else op.forward, ga1, gb1, start,
                                len(data), builtin))
    node_slots = tuple(slot.get(id(v), -1) for v in nodes)  # -1: inside a fused sum
    out_slot = slot[id(out)]
    aux_at = map_items(aux, lambda x: At(slot[id(x)]) if isinstance(x, Value) else x)
    guard_program = _guard_groups(guards, slot, constant)

    position = {id(v): i for i, v in enumerate(nodes)}
    wants = tuple(v.requires_grad for v in inputs)
    backward = _Backward(out, inputs, wants, par, ops, position, data, node_slots, one)
    backward.compile(forward, members_of)
    return Program(data=data, g=backward.g, n_inputs=n_inputs, out=out_slot,
                   forward=tuple(forward), guards=guard_program,
                   locals=tuple(backward.locals), backward=tuple(backward.entries),
                   leaves=tuple(backward.leaves), root_input=backward.root_input, wants=wants,
                   rows=tuple(i for i, want in enumerate(wants) if want),
                   node_slots=node_slots, node_ops=tuple(ops),
                   writeback=tuple(backward.writeback), aux=aux_at, aliased=backward.aliased)


def _guard_groups(guards: list[Guard], slot: dict, constant: Any) -> tuple[GuardGroup, ...]:
    """Guards by symbol, checked after the forward pass; each guard drops its operands."""
    by_symbol: dict[str, list[GuardAt]] = {}
    for guard in guards:
        ia = slot[id(guard.a)]
        ib = slot[id(guard.b)] if isinstance(guard.b, Value) else constant(guard.b_data)
        guard.a = guard.b = None  # keep the floats and the place, not the graph
        by_symbol.setdefault(guard.symbol, []).append(GuardAt(ia, ib, guard))
    return tuple(
        GuardGroup(symbol, _COMPARE[symbol], getter([at.a for at in rows]),
                   getter([at.b for at in rows]), [at.guard.result for at in rows], tuple(rows))
        for symbol, rows in by_symbol.items())


class _Backward:
    """The backward half of compilation.  Nodes are known by their index in the node list."""

    def __init__(self, out: Value, inputs: Sequence[Value], wants: tuple, par: dict,
                 node_ops: list, position: dict, data: list, node_slots: tuple, one: int
                 ) -> None:
        self.out, self.inputs, self.wants, self.par = out, inputs, wants, par
        self.node_ops = node_ops
        self.position, self.data, self.fslot, self.one = position, data, node_slots, one
        self.entries: list = []
        self.locals: list = []
        self.leaves: list = []
        self.aliased = 0
        self.root_input: Optional[int] = None
        self.writeback: list[tuple[int, int]] = []
        self.g: list[float] = [1.0]

    def compile(self, forward: list, members_of: list) -> None:
        out, position, par, wants = self.out, self.position, self.par, self.wants
        if not out.requires_grad:
            return
        n = len(position)
        walk_order = topological_order(out, only_requiring_grad=True)  # the eager walk's
        order_b = [position[id(v)] for v in walk_order]
        parents: list = [()] * n  # filled for the nodes the backward pass visits
        ops: list = [None] * n
        node_ops = self.node_ops
        for v, i in zip(walk_order, order_b):
            ops[i] = node_ops[i]
            parents[i] = tuple(position[id(p)] for p in par[id(v)])
        input_at = {position[id(v)]: k for k, v in enumerate(self.inputs) if id(v) in position}
        root = position[id(out)]
        active = [False] * n
        for i in order_b:
            if ops[i] is None:
                k = input_at.get(i)
                active[i] = k is not None and wants[k]
            else:
                for p in parents[i]:
                    if active[p]:
                        active[i] = True
                        break
        if not active[root]:
            return
        if ops[root] is None:  # the function returned one of its inputs
            self.root_input = input_at[root]
            return
        edges: list = [None] * n  # per node: (consumer, argument) in the eager walk's order
        for c in reversed(order_b):  # consumers last-made first, arguments left to right
            if ops[c] is None or not active[c]:
                continue
            for j, p in enumerate(parents[c]):
                if active[p]:
                    if edges[p] is None:
                        edges[p] = [(c, j)]
                    else:
                        edges[p].append((c, j))
        local_slot = self._locals(forward, members_of, parents, active)

        fslot, one = self.fslot, self.one
        unit_add = ADD if UNIT_ADD else None
        swap_mul = MUL if SWAP_MUL else None

        def x_slot(c: int, j: int) -> int:
            op = ops[c]
            if op is unit_add:
                return one
            if op is swap_mul:
                return fslot[parents[c][1 - j]]
            return local_slot[(c, j)]

        # gradient slots: a node whose one contribution comes through an add shares its slot
        rep = list(range(n))
        rlevel = [0] * n
        bgroups: dict[tuple[int, int], list[int]] = {}
        for v in reversed(order_b):
            if v == root or ops[v] is None or not active[v]:
                continue
            incoming = edges[v]
            if len(incoming) == 1 and ops[incoming[0][0]] is unit_add:
                target = rep[incoming[0][0]]
                rep[v] = target
                rlevel[v] = rlevel[target]
                self.aliased += 1
                continue
            lv = 0
            for c, _ in incoming:
                if rlevel[rep[c]] > lv:
                    lv = rlevel[rep[c]]
            rlevel[v] = lv + 1
            k = len(incoming)
            bgroups.setdefault((lv + 1, k if k <= _SMALL_FAN_IN else 0), []).append(v)
        gslot = [0] * n
        g = self.g
        for key in sorted(bgroups, key=lambda k: k[0]):
            members = bgroups[key]
            start = len(g)
            for v in members:
                gslot[v] = len(g)
                g.append(0.0)
            if key[1]:  # few contributions each: fold column by column
                columns = tuple(
                    (getter([gslot[rep[edges[v][q][0]]] for v in members]),
                     getter([x_slot(*edges[v][q]) for v in members]))
                    for q in range(key[1]))
                self.entries.append(Columns(start, len(g), columns))
            else:
                gg = tuple(getter([gslot[rep[c]] for c, _ in edges[v]]) for v in members)
                gd = tuple(getter([x_slot(c, j) for c, j in edges[v]]) for v in members)
                self.entries.append(Folds(start, len(g), gg, gd))
        # leaves: their contributions, folded per pass (see autograd.replay.run)
        leaf_rows = sorted(k for i, k in input_at.items() if active[i] and edges[i] is not None)
        if leaf_rows:
            at = {k: i for i, k in input_at.items()}
            gg = tuple(getter([gslot[rep[c]] for c, _ in edges[at[k]]]) for k in leaf_rows)
            gd = tuple(getter([x_slot(c, j) for c, j in edges[at[k]]]) for k in leaf_rows)
            self.leaves.append(LeafFolds(getter(leaf_rows), tuple(leaf_rows), gg, gd))
        self.writeback = [(i, gslot[rep[i]]) for i in order_b
                          if ops[i] is not None and active[i]]

    def _locals(self, forward: list, members_of: list, parents: list, active: list
                ) -> dict[tuple[int, int], int]:
        """Local derivatives: rows without a batched form fill slots after the data.  Returns
        the data slot of each ``(node, argument)`` partial so placed."""
        data, position = self.data, self.position
        local_slot: dict[tuple[int, int], int] = {}
        for entry, members in zip(forward, members_of):
            if entry.__class__ is FusedSums:  # add and mul only: no slots needed
                continue
            op = members[0].op
            if (op is ADD and UNIT_ADD) or (op is MUL and SWAP_MUL):
                continue
            index = [position[id(v)] for v in members]
            needed = [j for j in range(op.arity)
                      if any(active[i] and active[parents[i][j]] for i in index)]
            if not needed:
                continue
            targets = []
            for j in needed:
                first = len(data)
                for k, i in enumerate(index):
                    local_slot[(i, j)] = first + k
                data.extend(repeat(0.0, len(index)))
                targets.append(Target(j, first, len(data)))
            go = getter(list(range(entry.start, entry.end)))
            if op is MAX and MAX_LOCAL is not None:
                self.locals.append(MaxLocals(entry.ga, entry.gb, go, tuple(targets)))
            else:
                self.locals.append(RuleLocals(op.name, op.local, entry.ga, entry.gb, go,
                                              tuple(targets)))
        return local_slot
