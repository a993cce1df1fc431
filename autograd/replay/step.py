"""The compiled step: :func:`trace` and :class:`Replay`, the public face of the replay.

:func:`trace` runs a function once (:mod:`autograd.replay.tracing`), compiles its graph
(:mod:`autograd.replay.compile`) and returns a :class:`Replay`, which feeds new input values to
the program's interpreter (:mod:`autograd.replay.run`) and hands out the results as floats,
as gradients accumulated into the inputs, or as a rebuilt Value graph.
"""

from __future__ import annotations

import gc
import operator
import time
from collections import deque
from typing import Any, Callable, Sequence

from ..errors import GraphError
from ..value import Value
from .args import flatten, map_items, match
from .compile import compile_graph
from .program import At, Program
from .run import execute
from .tracing import check_inputs, collect_nodes, refuse_hooks, run_traced

__all__ = ["trace", "Replay"]

_get_data = operator.attrgetter("data")
_get_grad = operator.attrgetter("grad")


def _set_grad(v: Value, x: float) -> None:
    v.grad = x


def trace(fn: Callable[..., Value], *args: Any) -> "Replay":
    """Run ``fn(*args)`` once and compile the graph it builds into a :class:`Replay`.

    The Values in ``args`` (also inside lists, tuples and dicts) are the inputs that every
    replay feeds anew: parameters and batch inputs.  They must be leaves.  Every other leaf
    of the graph is a constant, frozen at its traced value.  Everything in ``args`` that is
    not a Value is baked into the step; a replay checks it is unchanged.

    >>> from autograd import Value
    >>> w = [Value(0.5), Value(-1.0)]
    >>> step = trace(lambda w, x: (w[0] * x).exp() + w[1] * w[1], w, Value(2.0))
    >>> value, grads = step([0.0, 3.0], 1.0)
    >>> value, grads
    (10.0, (1.0, 6.0, 0.0))
    """
    skeleton, inputs = flatten(args)
    check_inputs(inputs)
    out, aux, guards, seconds = run_traced(fn, args)
    step = Replay(fn, args, out, aux, inputs, skeleton, guards,
                  name=getattr(fn, "__name__", "function"))
    step.trace_seconds = seconds
    return step


class Replay:
    """A traced graph compiled to flat arrays: call it with new input values.

    ``step(*args)`` (``args`` shaped like the traced ones, Values or numbers where the trace
    had Values) returns ``(value, grads)``: the output and one gradient per input, in the
    order of :attr:`inputs` (``None`` for an input with ``requires_grad=False``), as from a
    fresh ``backward()``.  :meth:`run` instead reads the inputs' current ``data`` and
    accumulates into their ``grad``, exactly like ``out.backward()`` on a new eager graph;
    :meth:`set_inputs` gives the inputs new values from arguments shaped like the traced ones.
    :meth:`to_graph` rebuilds the graph holding the last replay, so pictures, stepping and
    :meth:`as_function` with ``gradcheck`` work on a traced step; :meth:`aux_values` reads what
    the function returned after its output.  ``trace_seconds``/``compile_seconds`` give the
    one-off cost, :attr:`stats` the compiled size and :attr:`program` the compiled program.
    """

    def __init__(self, fn: Callable[..., Any], args: tuple, out: Value, aux: tuple,
                 inputs: Sequence[Value], skeleton: list, guards: list,
                 name: str = "function") -> None:
        t0 = time.perf_counter()
        self.inputs: tuple[Value, ...] = tuple(inputs)
        self.name = name
        self._fn, self._args = fn, args  # to rebuild the graph for to_graph()
        self._skeleton = skeleton
        self._ran = False
        self._last_grads: list[float] = []
        self.trace_seconds = 0.0
        enabled = gc.isenabled()  # compilation makes many objects and no cycles
        gc.disable()
        try:
            self.program: Program = compile_graph(out, aux, guards, self.inputs)
        finally:
            if enabled:
                gc.enable()
        self.compile_seconds = time.perf_counter() - t0

    @property
    def stats(self) -> dict:
        """Compiled size: nodes, inputs, forward/backward groups, guards, aliased slots."""
        return self.program.stats

    # --- running ---------------------------------------------------------------------------
    def _execute(self, starts: list[float]) -> tuple[float, list]:
        """One pass on the values already in the program's data; keeps the gradients."""
        refuse_hooks(self.inputs, "an input of the replayed step")
        value, grads = execute(self.program, starts)
        self._last_grads = grads
        self._ran = True
        return value, grads

    def __call__(self, *args: Any) -> tuple[float, tuple]:
        """Replay with new input values; returns ``(value, grads)`` (see the class doc)."""
        values = match(self._skeleton, args)
        self.program.data[0:len(values)] = values
        value, grads = self._execute([0.0] * len(values))
        return value, tuple(x if want else None for x, want in zip(grads, self.program.wants))

    def set_inputs(self, *args: Any) -> None:
        """Give the input leaves the values found in ``args`` (shaped like the traced
        arguments; GraphError if not), as ``v.data = x`` for each; :meth:`run` then replays
        on them.

        >>> from autograd import Value
        >>> x, y = Value(1.0), Value(2.0)
        >>> step = trace(lambda x, y: x * y, x, y)
        >>> step.set_inputs(3.0, 4.0)
        >>> x.data, step.run(), x.grad
        (3.0, 12.0, 4.0)
        """
        for v, x in zip(self.inputs, match(self._skeleton, args)):
            v.data = x

    def run(self) -> float:
        """Replay on the inputs' current ``data``, accumulating into their ``grad``.

        Exactly what ``fn(*args).backward()`` does on a freshly built graph; returns the
        output value.  Nothing is written when a guard fails.
        """
        inputs = self.inputs
        self.program.data[0:len(inputs)] = map(_get_data, inputs)
        value, grads = self._execute(list(map(_get_grad, inputs)))
        rows = self.program.rows
        deque(map(_set_grad, [inputs[i] for i in rows], [grads[i] for i in rows]), maxlen=0)
        return value

    def _run_fresh(self) -> None:
        inputs = self.inputs
        self.program.data[0:len(inputs)] = map(_get_data, inputs)
        self._execute([0.0] * len(inputs))

    def aux_values(self) -> Any:
        """What the traced function returned after its output (a tuple), with each Value
        replaced by its value in the last replay."""
        if not self._ran:
            self._run_fresh()
        data = self.program.data
        return map_items(self.program.aux, lambda x: data[x.slot] if isinstance(x, At) else x)

    # --- back to Values --------------------------------------------------------------------
    def to_graph(self) -> Value:
        """The last replay as a Value graph: returns the output Value.

        The graph is rebuilt by running the traced function once more, eagerly, on the input
        leaves (which first take the last replay's input values); then every node gets the
        replayed ``data`` and, if it lies on a path from a traced input to the output, the
        replayed ``grad`` (as after ``zero_grad()`` and ``backward()``); inputs get their
        replayed gradients.  ``render``, ``backward_steps`` and ``explain`` work on it.
        """
        if not self._ran:
            self._run_fresh()
        program = self.program
        data, g = program.data, program.g
        for v, x in zip(self.inputs, data):
            v.data = x
        out, aux, guards, _ = run_traced(self._fn, self._args)
        _, nodes = collect_nodes(out, guards, aux)
        if tuple(v.op for v in nodes) != program.node_ops:
            raise GraphError(f"running {self.name} again built a different graph; to_graph "
                             f"needs a function that builds the same graph for the same inputs")
        for v, s in zip(nodes, program.node_slots):
            if s >= 0:  # nodes inside a fused sum keep the rebuilt (identical) value
                v.data = data[s]
        for at, s in program.writeback:
            v = nodes[at]
            v.grad = g[s] if v is out else 0.0 + g[s]
        for v, x, want in zip(self.inputs, self._last_grads, program.wants):
            if want:
                v.grad = x
        return out

    def as_function(self) -> Callable[..., Value]:
        """A function of one Value (or number) per input that needs a gradient, for
        :func:`autograd.check.gradcheck`: it replays at those values and returns a Value whose
        ``data`` is the replayed output and whose gradient with respect to each argument is
        the replayed gradient (first order only: ``y + Σ gᵢ·(xᵢ − xᵢ.data)``).  Inputs with
        ``requires_grad=False`` stay at their current data.

        >>> from autograd import Value
        >>> from autograd.check import gradcheck
        >>> a, b = Value(2.0), Value(1.0)
        >>> step = trace(lambda a, b: (a + b) * (b + 1), a, b)
        >>> gradcheck(step.as_function(), [2.0, 1.0]).ok
        True
        """
        rows = self.program.rows

        def replayed(*xs: Any) -> Value:
            if len(xs) != len(rows):
                raise GraphError(f"the replayed {self.name} takes {len(rows)} arguments (one "
                                 f"per input needing a gradient), got {len(xs)}")
            values = [v.data for v in self.inputs]
            for i, x in zip(rows, xs):
                values[i] = x.data if isinstance(x, Value) else float(x)
            self.program.data[0:len(values)] = values
            y, grads = self._execute([0.0] * len(values))
            total = Value(y, requires_grad=False)
            for i, x in zip(rows, xs):
                if isinstance(x, Value):
                    total = total + grads[i] * (x - x.data)
            return total
        replayed.__name__ = f"replayed_{self.name}"
        return replayed

    def __repr__(self) -> str:
        s = self.stats
        return (f"<Replay of {self.name}: {s['nodes']} nodes, {s['inputs']} inputs, "
                f"{s['forward_groups']} forward groups, {s['backward_groups']} backward "
                f"groups, {s['guards']} guards>")
