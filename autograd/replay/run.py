"""The interpreter: one forward and backward pass of a :class:`~autograd.replay.program.Program`.

Everything is C-level iteration over the program's two float lists: ``map`` over a
primitive's forward or local rule, ``itemgetter`` gathers, slice assignment.  The floats are
the eager engine's, bit for bit, because the same operations run in the same order:

- forward: each node is ``op.forward`` of its parents' data, as in the eager engine;
- backward: a node's gradient is the eager fold ``((0.0 + c₁) + c₂) + …`` of the
  contributions ``upstream × local`` in the order the eager walk sends them.  A leaf then adds
  this pass's total to its earlier gradient once, as ``backward()`` does.

Nodes with many contributions fold them with :func:`autograd.replay.rules.folds` (the builtin
``sum`` where it adds left to right, else ``functools.reduce``).  The cyclic garbage collector
is paused during a pass: only acyclic temporaries are made.

>>> from autograd import Value
>>> from autograd.replay.compile import compile_graph
>>> from autograd.replay.tracing import run_traced
>>> x = Value(3.0)
>>> traced = run_traced(lambda x: x * x + 1.0, (x,))
>>> program = compile_graph(traced.out, traced.aux, traced.guards, (x,))
>>> program.data[0] = 5.0
>>> execute(program, [0.0])
(26.0, [10.0])
"""

from __future__ import annotations

import gc
import operator
from itertools import repeat

from ..errors import BranchChangedError
from .program import Columns, FusedSums, GuardAt, MaxLocals, Program
from .rules import MAX_LOCAL, folds

__all__ = ["execute"]

_mul, _add, _call, _sub = operator.mul, operator.add, operator.call, operator.sub
_gt, _lt = operator.gt, operator.lt


def execute(program: Program, starts: list[float]) -> tuple[float, list]:
    """Forward, guards, local derivatives, backward; returns ``(output, gradients)``.

    ``program.data[0:n_inputs]`` must already hold the inputs; ``starts`` are the inputs'
    earlier gradients (one per input), to which this pass's gradients are added.  Raises
    :class:`~autograd.errors.BranchChangedError` (before any gradient is computed) when a
    guard's outcome differs from the traced one.
    """
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        return _execute(program, starts)
    finally:
        if enabled:
            gc.enable()


def _execute(program: Program, starts: list[float]) -> tuple[float, list]:
    data, g = program.data, program.g
    for entry in program.forward:
        if entry.__class__ is FusedSums:  # ga, gb hold one gather per sum
            data[entry.start:entry.end] = folds(
                map(map, repeat(_mul), map(_call, entry.ga, repeat(data)),
                    map(_call, entry.gb, repeat(data))), entry.init(data))
        elif entry.gb is None:
            data[entry.start:entry.end] = map(entry.fn, entry.ga(data))
        else:
            data[entry.start:entry.end] = map(entry.fn, entry.ga(data), entry.gb(data))
    for group in program.guards:
        now = list(map(group.compare, group.ga(data), group.gb(data)))
        if now != group.expected:
            _branch_changed(data, now, group.expected, group.guards)
    for entry in program.locals:
        if entry.__class__ is MaxLocals:
            a, b = entry.ga(data), entry.gb(data)
            keys = list(map(_sub, map(_gt, a, b), map(_lt, a, b)))
            for j, s, e in entry.targets:
                data[s:e] = map(MAX_LOCAL[j].__getitem__, keys)
        else:
            if entry.gb is None:
                rows = list(map(entry.rule, entry.ga(data), entry.out(data)))
            else:
                rows = list(map(entry.rule, entry.ga(data), entry.gb(data), entry.out(data)))
            for j, s, e in entry.targets:
                data[s:e] = map(operator.itemgetter(j), rows)
    for entry in program.backward:
        if entry.__class__ is Columns:
            columns = entry.columns
            gg, gd = columns[0]
            acc = map(_mul, gg(g), gd(data))
            for gg, gd in columns[1:]:
                acc = map(_add, acc, map(_mul, gg(g), gd(data)))
            g[entry.start:entry.end] = acc
        else:
            g[entry.start:entry.end] = folds(
                map(map, repeat(_mul), map(_call, entry.gg, repeat(g)),
                    map(_call, entry.gd, repeat(data))), repeat(0.0))
    grads = list(starts)
    for leaves in program.leaves:
        # this pass's total (a fold from 0.0, never -0.0), then added to the earlier grad
        # once, as the eager walk does: earlier + (c₁ + c₂ + …)
        totals = folds(map(map, repeat(_mul), map(_call, leaves.gg, repeat(g)),
                           map(_call, leaves.gd, repeat(data))), repeat(0.0))
        for i, x in zip(leaves.rows, map(_add, leaves.pick(starts), totals)):
            grads[i] = x
    if program.root_input is not None:
        grads[program.root_input] = starts[program.root_input] + 1.0
    return data[program.out], grads


def _branch_changed(data: list, now: list, expected: list, guards: tuple[GuardAt, ...]
                    ) -> None:
    for got, want, (ia, ib, guard) in zip(now, expected, guards):
        if got != want:
            a, b = data[ia], data[ib]
            what = f"{guard.text}: " if guard.text else ""
            raise BranchChangedError(
                f"branch changed at {guard.site}: the traced run compared {what}"
                f"{guard.a_data!r} {guard.symbol} {guard.b_data!r} -> {want}, but the new "
                f"inputs give {a!r} {guard.symbol} {b!r} -> {got}.  The replay would "
                f"follow the traced branch and return wrong numbers; trace again for "
                f"these inputs (LossStep(..., retrace=True) does so itself), or write the "
                f"choice as data (maximum, relu) instead of an `if`")
