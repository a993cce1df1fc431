"""Tracing: run a function of Values once, eagerly, recording what a replay must re-check.

While :func:`run_traced` runs, the engine reports two events to the tracer: ``"compare"``
(``< <= > >=`` on Values, and ``bool(v)`` as ``v != 0``) and ``"read"`` (``float(v)``, whose
number is baked into the step).  Each becomes a :class:`Guard`; a replay whose inputs change
the outcome raises :class:`~autograd.errors.BranchChangedError`.  Other events (the engine
used to send ``"node"``) are ignored.  This module is the only one of the replay that uses
the engine's tracing hooks.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> traced = run_traced(lambda x: x * 3.0 if x > 0 else -x, (x,))
>>> traced.out.data, [(g.text, g.result) for g in traced.guards]
(6.0, [('x > b', True)])
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Callable, Iterable, NamedTuple

from ..errors import BranchChangedError, GraphError
from ..graph import topological_order
from ..value import Value
from ..modes import current_tracer, tracing
from .args import map_items

__all__ = ["Guard", "Traced", "BranchChangedError", "check_inputs", "run_traced",
           "collect_nodes", "refuse_hooks"]


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # autograd/


def _site() -> str:
    """file:line of the first frame outside the autograd package and its subpackages (where
    the user's traced code compared or read a Value)."""
    frame = sys._getframe(1)
    prefix = _PACKAGE_DIR + os.sep
    while frame is not None and \
            os.path.abspath(frame.f_code.co_filename).startswith(prefix):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class Guard:
    """A comparison on Values seen while tracing: its operands, symbol and recorded result.

    The compiler keeps the floats, the text and the site, and drops the operands (``a`` and
    ``b`` become None) so the compiled step holds no graph.
    """

    __slots__ = ("symbol", "a", "b", "result", "site", "a_data", "b_data", "text")

    def __init__(self, symbol: str, a: Value, b: Any, result: bool, site: str) -> None:
        self.symbol, self.a, self.b, self.result, self.site = symbol, a, b, bool(result), site
        self.a_data = a.data
        self.b_data = b.data if isinstance(b, Value) else float(b)
        names = [x.label if isinstance(x, Value) else None for x in (a, b)]
        self.text = f"{names[0] or 'a'} {symbol} {names[1] or 'b'}" if any(names) else ""

    def __repr__(self) -> str:
        return (f"Guard({self.a_data!r} {self.symbol} {self.b_data!r} -> {self.result}, "
                f"at {self.site})")


class Traced(NamedTuple):
    """What one traced run gave: the output, what was returned after it, the guards and the
    run's time in seconds."""

    out: Value
    aux: tuple
    guards: list
    seconds: float


def check_inputs(inputs: list) -> None:
    """The inputs of a traced function must be distinct leaves."""
    seen: dict[int, int] = {}
    for i, v in enumerate(inputs):
        if v.op is not None:
            raise GraphError(f"argument Value #{i} ({v!r}) is not a leaf: the inputs of a "
                             f"traced function must be leaves (parameters, batch values)")
        if id(v) in seen:
            raise GraphError(f"the same Value ({v!r}) appears twice among the arguments "
                             f"(items {seen[id(v)]} and {i}); pass each input once")
        seen[id(v)] = i


def run_traced(fn: Callable[..., Any], args: tuple) -> Traced:
    """Run ``fn(*args)`` eagerly, recording every comparison on Values and every ``float(v)``
    as a guard (in this thread only; an enclosing tracer still sees every event)."""
    guards: list[Guard] = []

    def tracer(event: str, *payload: Any) -> None:
        if event == "compare":
            symbol, a, b, result = payload
            guards.append(Guard(symbol, a, b, result, _site()))
        elif event == "read":  # float(v): the number is baked in, so it must not change
            (v,) = payload
            guards.append(Guard("==", v, v.data, True, _site()))
        if previous is not None:
            previous(event, *payload)

    t0 = time.perf_counter()
    previous = current_tracer()
    with tracing(tracer):
        out = fn(*args)
    seconds = time.perf_counter() - t0
    aux: tuple = ()
    if isinstance(out, tuple) and out and isinstance(out[0], Value):
        out, aux = out[0], out[1:]
    if not isinstance(out, Value):
        raise GraphError(f"the traced function must return a Value (or a tuple whose first "
                         f"item is a Value), got {type(out).__name__} {out!r:.60}")
    return Traced(out, aux, guards, seconds)


def collect_nodes(out: Value, guards: list, aux: tuple) -> tuple[list, list]:
    """The output's topological order, and every node the replay computes: that order, then
    the ancestry of guard operands and aux values not already in it."""
    order = topological_order(out)
    nodes = list(order)
    index = {id(v): True for v in nodes}
    extra: list = [operand for guard in guards for operand in (guard.a, guard.b)]
    map_items(aux, extra.append)
    for operand in extra:
        if isinstance(operand, Value) and id(operand) not in index:
            for v in topological_order(operand):
                if id(v) not in index:
                    index[id(v)] = True
                    nodes.append(v)
    return order, nodes


def _hooks(v: Value) -> tuple:
    return v.hooks


def refuse_hooks(values: Iterable[Value], where: str) -> None:
    """A replay does not run gradient hooks, so it refuses Values that have one."""
    values = tuple(values) if not isinstance(values, (list, tuple)) else values
    if not any(map(_hooks, values)):
        return
    for v in values:
        if _hooks(v):
            raise GraphError(f"{v!r} ({where}) has a gradient hook; the replay does not run "
                             f"hooks, so use the eager engine for this function")
