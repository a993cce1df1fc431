"""Replay: trace a computation once, then re-run its forward and backward over flat arrays.

A training step builds the same graph every time the model and the batch shape stay the same.
:func:`trace` runs a function of Values once, eagerly, and compiles the graph it built into a
:class:`Replay`: flat lists of floats and index tables, run with C-level iteration
(``operator.itemgetter`` gathers, ``map`` over the primitive's forward, slice assignment).
Calling the replay with new leaf values gives the output and every leaf gradient — the same
floats the eager engine computes, bit for bit, because it performs the same floating-point
operations in the same order:

- forward: each node is ``op.forward`` of its parents' data, as in the eager engine;
- backward: a node's gradient is the eager fold ``((0.0 + c₁) + c₂) + …`` of the
  contributions ``upstream × local`` in the order the eager walk (:func:`autograd.graph.walk`)
  sends them: consumers in reverse topological order, arguments left to right.  A leaf then
  adds this pass's total to its earlier gradient once, as ``backward()`` does.

Python branching on Values (``if x > 0:``) is recorded at trace time; a replay whose inputs
would take another branch raises :class:`BranchChangedError` instead of returning numbers for
the wrong branch.  ``maximum``/``relu`` are data, not branches, and replay correctly.

>>> from autograd import Value
>>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
>>> step = trace(lambda x, y: (x * y + x).relu(), x, y)
>>> step(2.0, 3.0)
(8.0, (4.0, 2.0))
>>> step(-1.0, 5.0)                      # relu is data: the other side of the kink is fine
(0.0, (0.0, 0.0))
>>> out = step.to_graph()                # a Value graph holding the last replay
>>> out.data, x.data, x.grad
(0.0, -1.0, 0.0)

How the speed is obtained (design notes):

- Nodes are renumbered so that the nodes of one primitive at one depth level are contiguous;
  each such group runs as ``data[s:e] = map(op.forward, gather_a(data), gather_b(data))``.
  A gather whose indices are evenly spaced becomes a slice.
- The local derivative rules come from the primitive table (:mod:`autograd.ops`).  Three rows
  have batched forms that are *checked against the row* at import time, and silently fall back
  to the row's own ``local`` if the row changes: ``add`` (local 1, 1), ``mul`` (local = the
  other operand's data) and ``max`` (a lookup on the sign of ``a − b``, built by evaluating
  the row at representative points).
- A node whose only consumer is an ``add`` receives ``g × 1.0 = g`` exactly, so it shares its
  consumer's gradient slot and costs nothing (``(0.0 + g)`` differs from ``g`` only in the sign
  of a zero; every gradient handed out or written back is normalised by that ``0.0 +``).
- Nodes with many contributions (shared weights, a hidden unit feeding a whole layer) fold
  them with the builtin ``sum(…, start)``, which on CPython ≤ 3.11 adds left to right exactly
  like the eager ``+=`` (on 3.12+, whose ``sum`` compensates, ``functools.reduce`` is used).
- A long sum whose partial sums feed nothing else (a neuron's ``b + Σ wᵢxᵢ``, a loss summed
  over a batch) runs as one ``sum(map(mul, w, x), b)``: the same multiplications and
  additions in the same order, without storing the partial sums nobody reads.
- The traced graph is not kept: a replay holds flat lists and its input leaves only.

Limits: only comparisons ``< <= > >=`` on Values are recorded as guards — reading ``.data``,
``float(v)`` or ``bool(v)`` inside the traced function bakes that number in unchecked.  The
replay computes first-order gradients as floats (no ``create_graph``), runs no anomaly
checks, and refuses graphs with gradient hooks (it would not run them).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import numbers
import operator
import time
from collections import deque
from itertools import repeat
from typing import Any, Callable, Iterable, Optional, Sequence

from . import modes as _modes
from . import value as _value
from .errors import BranchChangedError, GraphError
from .graph import topological_order
from .ops import ADD, MAX, MUL, Primitive
from .value import Value

__all__ = ["trace", "Replay", "LossStep", "BranchChangedError"]


# --- batched forms of table rows, each checked against the row ------------------------------

_mul, _add, _call = operator.mul, operator.add, operator.call
_SAMPLES = ((2.0, 3.0), (-1.5, 0.25), (0.0, -0.0), (-0.0, 0.0), (1e300, 1e-300), (-7.0, -7.0),
            (math.inf, 1.0), (1.0, -math.inf), (math.nan, 1.0), (1.0, math.nan), (3.0, 3.0))


def _same(x: Any, y: Any) -> bool:
    """Bitwise float equality (nan equals nan, 0.0 differs from -0.0)."""
    if x != x and y != y:
        return True
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


def _rule_matches(op: Primitive, expected: Callable[[float, float], tuple]) -> bool:
    for a, b in _SAMPLES:
        got = op.local(a, b, op.forward(a, b))
        want = expected(a, b)
        if len(got) != len(want) or not all(_same(g, w) for g, w in zip(got, want)):
            return False
    return True


def _sign_key(a: float, b: float) -> int:
    return (a > b) - (a < b)


def _max_table() -> Optional[tuple[dict, dict]]:
    """``max``'s local rule as a lookup on sign(a − b), read off the row itself (ties and
    nan compare as neither greater nor less: key 0)."""
    points = {1: (1.0, 0.0), -1: (0.0, 1.0), 0: (0.0, 0.0)}
    table = {k: MAX.local(a, b, MAX.forward(a, b)) for k, (a, b) in points.items()}
    first = {k: v[0] for k, v in table.items()}
    second = {k: v[1] for k, v in table.items()}
    if not _rule_matches(MAX, lambda a, b: (first[_sign_key(a, b)], second[_sign_key(a, b)])):
        return None
    return first, second


#: ``add``: local derivatives (1.0, 1.0), so ``g × 1.0 = g``; ``mul``: local = other operand.
_UNIT_ADD = ADD.forward is operator.add and _rule_matches(ADD, lambda a, b: (1.0, 1.0))
_SWAP_MUL = MUL.forward is operator.mul and _rule_matches(MUL, lambda a, b: (b, a))
_MAX_LOCAL = _max_table()


@functools.lru_cache(maxsize=256)
def _max_forward_is_builtin(b: float) -> bool:
    """The row's ``max`` equals the builtin ``max(a, b)`` whenever ``b`` is not nan."""
    if b != b:
        return False
    return all(_same(MAX.forward(a, b), max(a, b)) for a, _ in _SAMPLES)


#: The builtin ``sum`` adds left to right on CPython ≤ 3.11 (3.12 compensates); when it does,
#: ``sum(contributions, start)`` is exactly the eager ``+=`` fold.
_SEQUENTIAL_SUM = (sum([1e16, 1.0, -1e16], 0.0) == 0.0
                   and sum([0.1] * 10, 0.0) == functools.reduce(operator.add, [0.1] * 10, 0.0))


def _folds(iterables: Iterable, starts: Iterable) -> Iterable:
    """``[start + c₁ + c₂ + …]`` left to right, for each contribution stream and start."""
    if _SEQUENTIAL_SUM:
        return map(sum, iterables, starts)
    return map(functools.reduce, repeat(operator.add), iterables, starts)


_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}

_SMALL_FAN_IN = 4  # nodes with at most this many contributions fold column by column


def _getter(indices: Sequence[int]) -> Callable[[list], Any]:
    """A C-level gather of ``indices`` from a list: a slice when they are evenly spaced."""
    first = indices[0]
    if len(indices) == 1:
        return operator.itemgetter(slice(first, first + 1))
    step = indices[1] - first
    if step > 0 and list(range(first, indices[-1] + 1, step)) == list(indices):
        return operator.itemgetter(slice(first, indices[-1] + 1, step))
    return operator.itemgetter(*indices)


@contextlib.contextmanager
def _no_collection() -> Any:
    """Pause the cyclic garbage collector (compilation makes many objects and no cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- arguments: Values are inputs, everything else is structure -------------------------------

_VALUE = "<Value>"


def _flatten(args: Any) -> tuple[list, list]:
    """Pre-order tokens of a nest of lists/tuples/dicts, and the Values found in it."""
    tokens: list = []
    values: list = []
    stack = [args]
    while stack:
        x = stack.pop()
        cls = x.__class__
        if cls is Value or isinstance(x, Value):
            tokens.append(_VALUE)
            values.append(x)
        elif cls is list or cls is tuple:
            tokens.append((cls.__name__, len(x)))
            stack.extend(reversed(x))
        elif cls is dict:
            keys = tuple(x)
            tokens.append(("dict", keys))
            stack.extend(x[k] for k in reversed(keys))
        else:
            tokens.append(("static", x))
    return tokens, values


def _match(skeleton: list, args: Any) -> list[float]:
    """The floats at the Value positions of ``args``, which must have the traced structure."""
    tokens, found = _flatten(args)
    if len(tokens) != len(skeleton):
        raise GraphError(f"arguments do not have the traced structure ({len(tokens)} items "
                         f"where the trace had {len(skeleton)}); trace again for this shape")
    values: list[float] = []
    next_value = iter(found).__next__
    for position, (want, got) in enumerate(zip(skeleton, tokens)):
        if want is _VALUE:
            if got is _VALUE:
                values.append(next_value().data)
            elif got[0] == "static" and isinstance(got[1], numbers.Real):
                values.append(float(got[1]))
            else:
                raise GraphError(f"argument item {position} must be a number or a Value (the "
                                 f"trace had a Value there), got {_show(got)}")
        elif got is _VALUE or got[0] != want[0] or not _equal(got[1], want[1]):
            raise GraphError(f"argument item {position} is {_show(got)} but the trace was "
                             f"recorded with {_show(want)} (not a Value, so it was baked into "
                             f"the step); pass a Value there to make it an input, or trace "
                             f"again")
    return values


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except Exception:  # an object whose == does not give a truth value
        return False


def _show(token: Any) -> str:
    if token is _VALUE:
        return "a Value"
    kind, detail = token
    if kind == "static":
        return repr(detail)[:60]
    if kind == "dict":
        return f"a dict with keys {list(detail)!r:.60}"
    return f"a {kind} of length {detail}"


# --- tracing --------------------------------------------------------------------------------

class _Guard:
    """A comparison on Values seen while tracing: its operands, symbol and recorded result."""

    __slots__ = ("symbol", "a", "b", "result", "site", "a_data", "b_data", "text")

    def __init__(self, symbol: str, a: Value, b: Any, result: bool, site: str) -> None:
        self.symbol, self.a, self.b, self.result, self.site = symbol, a, b, bool(result), site
        self.a_data = a.data
        self.b_data = b.data if isinstance(b, Value) else float(b)
        names = [x.label if isinstance(x, Value) else None for x in (a, b)]
        self.text = f"{names[0] or 'a'} {symbol} {names[1] or 'b'}" if any(names) else ""


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
    skeleton, inputs = _flatten(args)
    seen: dict[int, int] = {}
    for i, v in enumerate(inputs):
        if v._op is not None:
            raise GraphError(f"argument Value #{i} ({v!r}) is not a leaf: the inputs of a "
                             f"traced function must be leaves (parameters, batch values)")
        if id(v) in seen:
            raise GraphError(f"the same Value ({v!r}) appears twice among the arguments "
                             f"(items {seen[id(v)]} and {i}); pass each input once")
        seen[id(v)] = i
    out, aux, guards, seconds = _run_traced(fn, args)
    step = Replay(fn, args, out, aux, inputs, skeleton, guards,
                  name=getattr(fn, "__name__", "function"))
    step.trace_seconds = seconds
    return step


def _run_traced(fn: Callable[..., Any], args: tuple) -> tuple[Value, tuple, list, float]:
    """Run ``fn(*args)`` eagerly, recording every comparison on Values as a guard."""
    guards: list[_Guard] = []
    def tracer(event: str, *payload: Any) -> None:
        if event == "compare":
            symbol, a, b, result = payload
            guards.append(_Guard(symbol, a, b, result, _value._creation_site()))
        elif event == "read":  # float(v): the number is baked in, so it must not change
            (v,) = payload
            guards.append(_Guard("==", v, v.data, True, _value._creation_site()))
        if previous is not None:
            previous(event, *payload)

    t0 = time.perf_counter()
    previous = _modes.current_tracer()
    with _modes.tracing(tracer):  # this thread's guards only
        out = fn(*args)
    seconds = time.perf_counter() - t0
    aux: tuple = ()
    if isinstance(out, tuple) and out and isinstance(out[0], Value):
        out, aux = out[0], out[1:]
    if not isinstance(out, Value):
        raise GraphError(f"the traced function must return a Value (or a tuple whose first "
                         f"item is a Value), got {type(out).__name__} {out!r:.60}")
    return out, aux, guards, seconds


def _collect_nodes(out: Value, guards: list, aux: tuple) -> tuple[list, list]:
    """The output's topological order, and every node the replay computes: that order, then
    the ancestry of guard operands and aux values not already in it."""
    order = topological_order(out)
    nodes = list(order)
    index = {id(v): True for v in nodes}
    extra: list = [operand for guard in guards for operand in (guard.a, guard.b)]
    _map_items(aux, extra.append)
    for operand in extra:
        if isinstance(operand, Value) and id(operand) not in index:
            for v in topological_order(operand):
                if id(v) not in index:
                    index[id(v)] = True
                    nodes.append(v)
    return order, nodes


_MIN_CHAIN = 4  # sums of at least this many additions run as one fused entry


def _sum_chains(nodes: list, par: dict, out: Value, guards: list, aux: tuple
                ) -> tuple[dict, dict]:
    """Find long sums ``((init + t₁) + t₂) + …`` whose partial sums feed nothing else.

    Returns ``{id(last add): (init, terms)}`` — a term is ``(a, b)`` for a product ``a·b``
    used only by the sum, else ``(t,)`` — and the ids of the nodes the fused sums compute
    internally (partial sums and products: their values are read by no local rule, since
    ``add`` needs none and ``mul`` reads its operands).  The fused sum computes
    ``sum(map(mul, a, b), init)`` — the same additions in the same order (a plain term
    becomes ``t·1.0 = t``, exact).
    """
    if not (_UNIT_ADD and _SWAP_MUL):
        return {}, {}
    uses: dict[int, int] = {}
    for v in nodes:
        if v._op is not None:
            for p in par[id(v)]:
                uses[id(p)] = uses.get(id(p), 0) + 1
    pinned = {id(out): True}
    for guard in guards:
        pinned[id(guard.a)] = pinned[id(guard.b)] = True
    _map_items(aux, lambda x: pinned.__setitem__(id(x), True))

    def private(v: Value) -> bool:
        return uses.get(id(v)) == 1 and id(v) not in pinned

    open_chains: dict[int, tuple] = {}  # id(last add so far) -> (init, [links])
    for v in nodes:
        if v._op is not ADD:
            continue
        a, b = par[id(v)]
        if id(a) in open_chains and private(a):
            init, links = open_chains.pop(id(a))
            links.append((a, b))
        elif id(b) in open_chains and private(b):
            init, links = open_chains.pop(id(b))
            links.append((b, a))
        else:
            init, links = a, [(None, b)]
        open_chains[id(v)] = (init, links)
    chains: dict[int, tuple] = {}
    absorbed: dict[int, bool] = {}
    for end, (init, links) in open_chains.items():
        if len(links) < _MIN_CHAIN:
            continue
        terms = []
        for partial, t in links:
            if partial is not None:
                absorbed[id(partial)] = True
            if t._op is MUL and private(t):
                absorbed[id(t)] = True
                terms.append(par[id(t)])
            else:
                terms.append((t,))
        chains[end] = (init, terms)
    return chains, absorbed


class _At:
    """Where a value returned after the output lives in the replay's data."""

    __slots__ = ("slot",)

    def __init__(self, slot: int) -> None:
        self.slot = slot


# --- the compiled step ----------------------------------------------------------------------

class Replay:
    """A traced graph compiled to flat arrays: call it with new input values.

    ``step(*args)`` (``args`` shaped like the traced ones, Values or numbers where the trace
    had Values) returns ``(value, grads)``: the output and one gradient per input, in the
    order of :attr:`inputs` (``None`` for an input with ``requires_grad=False``), as from a
    fresh ``backward()``.  :meth:`run` instead reads the inputs' current ``data`` and
    accumulates into their ``grad``, exactly like ``out.backward()`` on a new eager graph.
    :meth:`to_graph` rebuilds the graph holding the last replay, so pictures, stepping and
    :meth:`as_function` with ``gradcheck`` work on a traced step; :meth:`aux_values` reads what
    the function returned after its output.  ``trace_seconds``/``compile_seconds`` give the
    one-off cost, ``stats`` the compiled size.
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
        self.trace_seconds = 0.0
        # The compiled step keeps no reference to the graph (only to its input leaves): a
        # large graph kept alive would cost memory and slow every collection of the cyclic GC.
        with _no_collection():
            self._compile(out, aux, guards)
        self.compile_seconds = time.perf_counter() - t0

    # --- compilation -----------------------------------------------------------------------
    def _compile(self, out: Value, aux: tuple, guards: list) -> None:
        inputs = self.inputs
        order, nodes = _collect_nodes(out, guards, aux)
        for v in nodes:
            if _hooked(v):
                raise GraphError(f"{v!r} has a gradient hook; the replay does not run hooks, "
                                 f"so use the eager engine for this function")

        # forward slots: inputs, constants, then computed nodes group by group
        slot: dict[int, int] = {id(v): i for i, v in enumerate(inputs)}
        data: list[float] = [v.data for v in inputs]

        def constant(x: float) -> int:
            data.append(x)
            return len(data) - 1

        for v in nodes:
            if v._op is None and id(v) not in slot:
                slot[id(v)] = constant(v.data)
        self._one = constant(1.0)
        par = {id(v): v.parents for v in nodes}
        self._par = par
        chains, absorbed = _sum_chains(nodes, par, out, guards, aux)
        level: dict[int, int] = {}
        groups: dict[tuple, list[Value]] = {}
        for v in nodes:
            if v._op is None:
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
            if v._op is MAX and b._op is None and slot[id(b)] >= len(inputs) \
                    and _max_forward_is_builtin(b.data):
                variant = "builtin"
            groups.setdefault((lv, v._op.name, variant), []).append(v)
        forward = []
        one = self._one
        for key in sorted(groups, key=lambda k: k[0]):
            members = groups[key]
            start = len(data)
            for v in members:
                slot[id(v)] = len(data)
                data.append(v.data)
            if key[2] == "chain":  # init + a₁b₁ + a₂b₂ + …, left to right, per chain
                ga, gb = [], []
                for v in members:
                    terms = chains[id(v)][1]
                    ga.append(_getter([slot[id(a)] for a, *_ in terms]))
                    gb.append(_getter([slot[id(t[1])] if len(t) == 2 else one for t in terms]))
                ginit = _getter([slot[id(chains[id(v)][0])] for v in members])
                forward.append((None, ga, gb, start, len(data), ginit, members))
                continue
            op = members[0]._op
            fn = max if key[2] == "builtin" else op.forward
            ga = _getter([slot[id(par[id(v)][0])] for v in members])
            gb = _getter([slot[id(par[id(v)][1])] for v in members]) if op.arity == 2 else None
            forward.append((fn, ga, gb, start, len(data), None, members))
        self._node_slots = [slot.get(id(v), -1) for v in nodes]  # -1: inside a fused sum
        self._node_ops = [v._op for v in nodes]
        self._out_slot = slot[id(out)]
        self._aux = _map_items(aux, lambda x: _At(slot[id(x)]) if isinstance(x, Value) else x)

        # guards, checked after the forward pass
        by_symbol: dict[str, list[tuple[int, int, _Guard]]] = {}
        for guard in guards:
            ia = slot[id(guard.a)]
            ib = slot[id(guard.b)] if isinstance(guard.b, Value) else constant(guard.b_data)
            guard.a = guard.b = None  # keep the floats and the place, not the graph
            by_symbol.setdefault(guard.symbol, []).append((ia, ib, guard))
        self._guard_program = [
            (_COMPARE[symbol], _getter([a for a, _, _ in rows]), _getter([b for _, b, _ in rows]),
             [g.result for _, _, g in rows], rows)
            for symbol, rows in by_symbol.items()]

        position = {id(v): i for i, v in enumerate(nodes)}
        self._compile_backward(out, order, forward, data, slot, position)
        self._forward = [entry[:6] for entry in forward]
        self._data = data
        del self._par  # it refers to the graph
        self.stats = {"nodes": len(nodes), "inputs": len(inputs),
                      "forward_groups": len(forward), "guards": len(guards),
                      "backward_groups": len(self._backward), "aliased": self._aliased}

    def _compile_backward(self, out: Value, order: list, forward: list, data: list,
                          slot: dict, position: dict) -> None:
        """Backward program.  Nodes are known by their index in the compiled node list."""
        par = self._par
        self._backward: list = []
        self._locals: list = []
        self._leaf_program: list = []
        self._aliased = 0
        self._root_input = None
        self._grad_writeback: list[tuple[int, int]] = []
        self._g: list[float] = [1.0]
        wants = [v.requires_grad for v in self.inputs]
        self._wants = wants
        self._rows = [i for i, want in enumerate(wants) if want]
        if not out.requires_grad:
            return
        n = len(position)
        walk_order = topological_order(out, only_requiring_grad=True)  # the eager walk's
        order_b = [position[id(v)] for v in walk_order]
        parents: list = [()] * n  # filled for the nodes the backward pass visits
        ops: list = [None] * n
        for v, i in zip(walk_order, order_b):
            ops[i] = v._op
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
            self._root_input = input_at[root]
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

        # local derivatives: rows without a batched form fill slots after the data
        local_slot: dict[tuple[int, int], int] = {}
        for fn, ga, gb, s, e, _, members in forward:
            if fn is None:  # fused sums: add and mul only
                continue
            op = members[0]._op
            if (op is ADD and _UNIT_ADD) or (op is MUL and _SWAP_MUL):
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
                targets.append((j, first, len(data)))
            go = _getter(list(range(s, e)))
            if op is MAX and _MAX_LOCAL is not None:
                self._locals.append(("max", ga, gb, go, targets))
            else:
                self._locals.append(("rule", op.local, ga, gb, go, targets))

        fslot = self._node_slots
        one = self._one
        unit_add = ADD if _UNIT_ADD else None
        swap_mul = MUL if _SWAP_MUL else None

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
                self._aliased += 1
                continue
            lv = 0
            for c, _ in incoming:
                if rlevel[rep[c]] > lv:
                    lv = rlevel[rep[c]]
            rlevel[v] = lv + 1
            k = len(incoming)
            bgroups.setdefault((lv + 1, k if k <= _SMALL_FAN_IN else 0), []).append(v)
        gslot = [0] * n
        g = self._g
        for key in sorted(bgroups, key=lambda k: k[0]):
            members = bgroups[key]
            start = len(g)
            for v in members:
                gslot[v] = len(g)
                g.append(0.0)
            if key[1]:  # few contributions each: fold column by column
                columns = []
                for q in range(key[1]):
                    columns.append((_getter([gslot[rep[edges[v][q][0]]] for v in members]),
                                    _getter([x_slot(*edges[v][q]) for v in members])))
                self._backward.append(("columns", start, len(g), columns))
            else:
                gg = [_getter([gslot[rep[c]] for c, _ in edges[v]]) for v in members]
                gd = [_getter([x_slot(c, j) for c, j in edges[v]]) for v in members]
                self._backward.append(("folds", start, len(g), gg, gd))
        # leaves: their contributions, folded per pass (see _execute)
        leaf_rows = [k for i, k in input_at.items() if active[i] and edges[i] is not None]
        leaf_rows.sort()
        if leaf_rows:
            at = {k: i for i, k in input_at.items()}
            gg = [_getter([gslot[rep[c]] for c, _ in edges[at[k]]]) for k in leaf_rows]
            gd = [_getter([x_slot(c, j) for c, j in edges[at[k]]]) for k in leaf_rows]
            self._leaf_program = [(_getter(leaf_rows), leaf_rows, gg, gd)]
        self._grad_writeback = [(i, gslot[rep[i]]) for i in order_b
                                if ops[i] is not None and active[i]]

    # --- running ---------------------------------------------------------------------------
    def _execute(self, starts: list[float]) -> tuple[float, list]:
        """Forward, guards, local derivatives, backward.  ``data`` inputs are already set."""
        if any(map(_hooked, self.inputs)):
            raise GraphError("an input of the replayed step has a gradient hook; the replay "
                             "does not run hooks, so use the eager engine for this step")
        if gc.isenabled():  # only acyclic temporaries are made: nothing for the collector
            gc.disable()
            try:
                return self._execute(starts)
            finally:
                gc.enable()
        data, g = self._data, self._g
        for fn, ga, gb, s, e, ginit in self._forward:
            if ginit is not None:  # fused sums: ga, gb hold one gather per sum
                data[s:e] = _folds(map(map, repeat(_mul), map(_call, ga, repeat(data)),
                                       map(_call, gb, repeat(data))), ginit(data))
            elif gb is None:
                data[s:e] = map(fn, ga(data))
            else:
                data[s:e] = map(fn, ga(data), gb(data))
        for cmp, ga, gb, expected, guards in self._guard_program:
            now = list(map(cmp, ga(data), gb(data)))
            if now != expected:
                self._branch_changed(now, expected, guards)
        for entry in self._locals:
            if entry[0] == "max":
                _, ga, gb, go, targets = entry
                keys = list(map(operator.sub, map(operator.gt, ga(data), gb(data)),
                                map(operator.lt, ga(data), gb(data))))
                for j, s, e in targets:
                    data[s:e] = map(_MAX_LOCAL[j].__getitem__, keys)
            else:
                _, rule, ga, gb, go, targets = entry
                if gb is None:
                    rows = list(map(rule, ga(data), go(data)))
                else:
                    rows = list(map(rule, ga(data), gb(data), go(data)))
                for j, s, e in targets:
                    data[s:e] = map(operator.itemgetter(j), rows)
        for entry in self._backward:
            if entry[0] == "columns":
                _, s, e, columns = entry
                gg, gd = columns[0]
                acc = map(_mul, gg(g), gd(data))
                for gg, gd in columns[1:]:
                    acc = map(_add, acc, map(_mul, gg(g), gd(data)))
                g[s:e] = acc
            else:
                _, s, e, ggs, gds = entry
                g[s:e] = _folds(map(map, repeat(_mul), map(_call, ggs, repeat(g)),
                                    map(_call, gds, repeat(data))), repeat(0.0))
        grads = list(starts)
        for pick, rows, ggs, gds in self._leaf_program:
            # this pass's total (a fold from 0.0, never -0.0), then added to the earlier grad
            # once, as the eager walk does: earlier + (c₁ + c₂ + …)
            totals = _folds(map(map, repeat(_mul), map(_call, ggs, repeat(g)),
                                map(_call, gds, repeat(data))), repeat(0.0))
            for i, x in zip(rows, map(_add, pick(starts), totals)):
                grads[i] = x
        if self._root_input is not None:
            grads[self._root_input] = starts[self._root_input] + 1.0
        self._ran = True
        return data[self._out_slot], grads

    def _branch_changed(self, now: list, expected: list, guards: list) -> None:
        for got, want, (ia, ib, guard) in zip(now, expected, guards):
            if got != want:
                a, b = self._data[ia], self._data[ib]
                what = f"{guard.text}: " if guard.text else ""
                raise BranchChangedError(
                    f"branch changed at {guard.site}: the traced run compared {what}"
                    f"{guard.a_data!r} {guard.symbol} {guard.b_data!r} -> {want}, but the new "
                    f"inputs give {a!r} {guard.symbol} {b!r} -> {got}.  The replay would "
                    f"follow the traced branch and return wrong numbers; trace again for "
                    f"these inputs (LossStep(..., retrace=True) does so itself), or write the "
                    f"choice as data (maximum, relu) instead of an `if`")

    def __call__(self, *args: Any) -> tuple[float, tuple]:
        """Replay with new input values; returns ``(value, grads)`` (see the class doc)."""
        values = _match(self._skeleton, args)
        self._data[0:len(values)] = values
        value, grads = self._execute([0.0] * len(values))
        self._last_grads = grads
        return value, tuple(x if want else None for x, want in zip(grads, self._wants))

    def run(self) -> float:
        """Replay on the inputs' current ``data``, accumulating into their ``grad``.

        Exactly what ``fn(*args).backward()`` does on a freshly built graph; returns the
        output value.  Nothing is written when a guard fails.
        """
        inputs = self.inputs
        self._data[0:len(inputs)] = map(_get_data, inputs)
        value, grads = self._execute(list(map(_get_grad, inputs)))
        self._last_grads = grads
        rows = self._rows
        deque(map(_set_grad, [inputs[i] for i in rows], [grads[i] for i in rows]), maxlen=0)
        return value

    def _run_fresh(self) -> None:
        inputs = self.inputs
        self._data[0:len(inputs)] = map(_get_data, inputs)
        _, self._last_grads = self._execute([0.0] * len(inputs))

    def aux_values(self) -> Any:
        """What the traced function returned after its output (a tuple), with each Value
        replaced by its value in the last replay."""
        if not self._ran:
            self._run_fresh()
        data = self._data
        return _map_items(self._aux, lambda x: data[x.slot] if isinstance(x, _At) else x)

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
        data, g = self._data, self._g
        for v, x in zip(self.inputs, data):
            v.data = x
        out, aux, guards, _ = _run_traced(self._fn, self._args)
        _, nodes = _collect_nodes(out, guards, aux)
        if [v._op for v in nodes] != self._node_ops:
            raise GraphError(f"running {self.name} again built a different graph; to_graph "
                             f"needs a function that builds the same graph for the same inputs")
        for v, s in zip(nodes, self._node_slots):
            if s >= 0:  # nodes inside a fused sum keep the rebuilt (identical) value
                v.data = data[s]
        for at, s in self._grad_writeback:
            v = nodes[at]
            v.grad = g[s] if v is out else 0.0 + g[s]
        for v, x, want in zip(self.inputs, self._last_grads, self._wants):
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
        rows = self._rows

        def replayed(*xs: Any) -> Value:
            if len(xs) != len(rows):
                raise GraphError(f"the replayed {self.name} takes {len(rows)} arguments (one "
                                 f"per input needing a gradient), got {len(xs)}")
            values = [v.data for v in self.inputs]
            for i, x in zip(rows, xs):
                values[i] = x.data if isinstance(x, Value) else float(x)
            self._data[0:len(values)] = values
            y, grads = self._execute([0.0] * len(values))
            self._last_grads = grads
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


def _hooked(v: Value) -> bool:
    meta = v._meta
    return meta is not None and bool(meta.hooks)


_get_data = operator.attrgetter("data")
_get_grad = operator.attrgetter("grad")


def _set_grad(v: Value, x: float) -> None:
    v.grad = x


# --- training: a loss of (model, batch), compiled once ---------------------------------------

def _map_items(nest: Any, fn: Callable[[Any], Any]) -> Any:
    """A copy of a nest of lists, tuples and dicts with every other item ``x`` as ``fn(x)``."""
    root: list = [None]
    stack: list[tuple[Any, Any, Any]] = [(nest, root, 0)]
    while stack:
        x, into, key = stack.pop()
        cls = x.__class__
        if x is _FreezeTuple:
            into[key] = tuple(into[key])
        elif cls is list or cls is tuple or cls is dict:
            keys = list(x) if cls is dict else list(range(len(x)))
            copy: Any = dict.fromkeys(keys) if cls is dict else [None] * len(x)
            into[key] = copy
            if cls is tuple:  # popped after the items below are filled in
                stack.append((_FreezeTuple, into, key))
            stack.extend((x[k], copy, k) for k in reversed(keys))
        else:
            into[key] = fn(x)
    return root[0]


def _fed(x: Any) -> Any:
    """A float of a batch becomes a constant leaf Value, fed anew on every replay."""
    if isinstance(x, float) and not isinstance(x, Value):
        return Value(x, requires_grad=False)
    return x


_FreezeTuple = object()  # marker: turn the list just filled into a tuple


_CACHE_SIZE = 8  # compiled steps a LossStep keeps, by batch shape and baked-in items


class LossStep:
    """``loss_fn(model, batch)`` traced once, replayed for every training step.

    Calling the step is one eager ``loss = loss_fn(model, batch); loss.backward()``: it reads
    the parameters' current ``data``, accumulates into their ``grad`` (zero them first, as
    usual) and returns the loss as a float — bit for bit what the eager engine gives.

    The floats of ``batch`` are inputs, fed anew on each call (pass a batch of the same shape,
    or nothing to reuse the last one).  Everything else in it (ints, bools, strings ...) is
    baked in and must stay equal.  ``fed=(0,)`` feeds only the floats of ``batch[0]`` and
    bakes in the rest (e.g. labels that the loss inspects in Python).  If ``loss_fn`` returns
    a tuple, its first item is the loss and :attr:`aux` gives the rest as floats after each
    step (e.g. the model's outputs, for metrics).

    With ``retrace=True`` a batch of another shape, a changed baked-in item or a changed Python
    branch traces the function again instead of raising (:attr:`retraces` counts them); the
    last few compiled steps are kept by batch shape and baked-in items, so a smaller last
    mini-batch is compiled once, not every epoch.

    >>> from autograd import Value
    >>> w = [Value(0.5), Value(-0.25)]
    >>> loss = lambda w, batch: sum(((w[0] * x + w[1] - t) ** 2 for x, t in batch), 0.0)
    >>> step = LossStep(loss, w, [(1.0, 2.0), (3.0, 0.5)], parameters=w)
    >>> step()
    3.625
    >>> [p.grad for p in w]
    [1.0, -2.0]
    """

    def __init__(self, loss_fn: Callable[[Any, Any], Any], model: Any, batch: Any, *,
                 parameters: Optional[Iterable[Value]] = None,
                 fed: Optional[Sequence[int]] = None, retrace: bool = False) -> None:
        if parameters is None:
            found = getattr(model, "parameters", None)
            if found is None:
                raise GraphError("the model has no parameters(); pass parameters=[...]")
            parameters = found() if callable(found) else found
        self.parameters: list[Value] = list(parameters)
        self.loss_fn = loss_fn
        self.model = model
        self.fed = None if fed is None else tuple(fed)
        self.retrace = retrace
        self.retraces = 0
        self._batch = batch
        self._cache: dict[str, Replay] = {}  # by batch structure and baked-in items
        self.replay = self._trace(batch)

    def _feed(self, batch: Any) -> Any:
        if self.fed is None:
            return _map_items(batch, _fed)
        if not isinstance(batch, (list, tuple)):
            raise GraphError(f"fed={self.fed!r} needs a list or tuple batch, got "
                             f"{type(batch).__name__}")
        parts = list(batch)
        for i in self.fed:
            parts[i] = _map_items(parts[i], _fed)
        return type(batch)(parts) if isinstance(batch, tuple) else parts

    def _trace(self, batch: Any) -> Replay:
        loss_fn, model = self.loss_fn, self.model

        def loss(parameters: list, batch: Any) -> Any:
            return loss_fn(model, batch)
        loss.__name__ = getattr(loss_fn, "__name__", "loss")
        fed = self._feed(batch)
        replay = trace(loss, self.parameters, fed)
        if len(self._cache) >= _CACHE_SIZE:
            del self._cache[next(iter(self._cache))]
        self._cache[repr(_flatten(fed)[0])] = replay
        return replay

    def __call__(self, batch: Any = None) -> float:
        """One training step's forward and backward; returns the loss."""
        replay = self.replay
        if batch is not None and batch is not self._batch:
            try:
                values = _match(replay._skeleton, (self.parameters, batch))
            except GraphError:
                if not self.retrace:
                    raise
                cached = self._cache.get(repr(_flatten(self._feed(batch))[0]))
                if cached is None:
                    return self._again(batch)
                replay = self.replay = cached  # a shape seen before (e.g. the last batch)
                values = _match(replay._skeleton, (self.parameters, batch))
            self._batch = batch
            n = len(self.parameters)
            replay._data[n:len(values)] = values[n:]
        try:
            return self._run(replay)
        except BranchChangedError:
            if not self.retrace:
                raise
            return self._again(self._batch)

    def _run(self, replay: Replay) -> float:
        """Feed the parameters (the batch slots hold the current batch) and replay."""
        parameters = self.parameters
        n = len(parameters)
        replay._data[0:n] = map(_get_data, parameters)
        starts = list(map(_get_grad, parameters))
        starts.extend(repeat(0.0, len(replay.inputs) - n))
        value, grads = replay._execute(starts)
        replay._last_grads = grads
        deque(map(_set_grad, parameters, grads[:n]), maxlen=0)
        return value

    def _again(self, batch: Any) -> float:
        self.retraces += 1
        self._batch = batch
        self.replay = self._trace(batch)
        return self._run(self.replay)

    @property
    def aux(self) -> Any:
        """What ``loss_fn`` returned after the loss, as floats of the last step."""
        return self.replay.aux_values()

    def to_graph(self) -> Value:
        """The traced loss graph holding the last step's values and gradients."""
        return self.replay.to_graph()
