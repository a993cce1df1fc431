"""Graph walks: topological order, the backward walk, stepping, ``grad``.

There is one backward walk, :func:`walk`.  It visits nodes in reverse topological order (a
node's gradient is complete when it is visited), computes the local derivatives from the
primitive table, "piles up and passes on" ``upstream × local`` to each parent, and yields.
:func:`backward` runs it to the end without stopping; :func:`autograd.steps.backward_steps`
wraps each stop in a :class:`~autograd.steps.Step` you can read.

Conventions:

- Leaves accumulate: after ``k`` calls of ``backward()`` a leaf holds ``k`` times the gradient.
- Interior nodes hold the gradient of the latest backward pass.
- Nothing is freed or invalidated: the graph can be walked again.
- Everything is iterative: a chain of 10⁶ nodes needs no recursion.

>>> from autograd import Value
>>> x = Value(3.0); y = x * x
>>> for node, local in walk(y):
...     print(node.data, local)
9.0 (3.0, 3.0)
3.0 ()
"""

from __future__ import annotations

import contextvars
import math
from typing import Any, Callable, Iterator, Optional, Sequence

from . import value as _value
from .errors import AnomalyError, GraphError
from .value import Value

__all__ = ["topological_order", "walk", "backward", "zero_grad", "grad", "derivative", "hvp", "nodes"]


def topological_order(root: Value, *, only_requiring_grad: bool = False) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents (root last).

    Iterative depth-first search; deterministic (parents in argument order, no sets).
    With ``only_requiring_grad`` the walk does not enter constant subgraphs.
    """
    if not isinstance(root, Value):
        raise GraphError(f"expected a Value, got {type(root).__name__}")
    # A node is expanded once: it is marked with a token fresh to this walk (faster than a
    # dict of ids, and nothing is left to clean up: the next walk has a new token).
    token = object()
    order: list[Value] = []
    stack: list[Optional[Value]] = [root]
    pop, push, emit = stack.pop, stack.append, order.append
    while stack:
        node = pop()
        if node is None:  # marker: the node below it has all its parents in order
            emit(pop())
            continue
        if node._mark is token:
            continue
        node._mark = token
        push(node)
        push(None)
        a = node._a
        if a is not None:  # push b first so that a is expanded first
            b = node._b
            if b is not None and b._mark is not token and (
                    b.requires_grad or not only_requiring_grad):
                push(b)
            if a._mark is not token and (a.requires_grad or not only_requiring_grad):
                push(a)
    return order


def nodes(root: Value) -> list[Value]:
    """All nodes of the graph of ``root``, parents first (alias of :func:`topological_order`)."""
    return topological_order(root)


def _prepare(root: Value, seed: Any, create_graph: bool) -> tuple[list[Value], dict]:
    """Order the nodes for backward, zero every grad the pass will fill, seed the root.

    Leaves that already hold a gradient start this pass from zero too; their earlier grad is
    returned (``leaf → grad``) and added back once, when the leaf's total for this pass
    is complete.  So k passes leave exactly g + g + … (k times) in a leaf, whatever the
    number of paths.
    """
    order = topological_order(root, only_requiring_grad=True)
    earlier: dict[Value, Any] = {}  # Values hash and compare by identity
    for node in order:
        if node._op is None:
            g = node.grad
            if g.__class__ is not float or g != 0.0:
                earlier[node] = g
        node.grad = 0.0
    if isinstance(seed, Value):
        pass
    elif create_graph:
        seed = Value(float(seed), requires_grad=False)
    else:
        seed = float(seed)
    root.grad = seed
    return order, earlier


def walk(root: Value, seed: Any = 1.0, *, create_graph: bool = False, stops: bool = True
         ) -> Iterator[tuple[Value, tuple]]:
    """The backward walk.  Yields ``(node, local_derivatives)`` after the node has passed
    ``upstream × local`` on to each parent that needs a gradient (for a leaf: once its
    gradient is final).

    With ``create_graph`` the local derivatives and the sums are built as Values, so the
    gradients can be differentiated again.  With ``stops=False`` it does not stop at each
    node: the whole walk runs at the first ``next()`` and yields nothing (what
    :func:`backward` does; the stops cost about a tenth of the walk's time).
    """
    if not root.requires_grad:
        return
    order, earlier = _prepare(root, seed, create_graph)
    anomaly = _value.is_anomaly_enabled()
    graph_mode = create_graph
    try:
        for node in reversed(order):
            op = node._op
            meta = node._meta
            if op is None:  # a leaf: this pass's total is complete
                incoming = node.grad
                if meta is not None and meta.hooks:
                    incoming = _run_hooks(meta.hooks, incoming)
                before = earlier.pop(node, None) if earlier else None
                node.grad = incoming if before is None else before + incoming
                if stops:
                    yield node, ()
                continue
            if meta is not None and meta.hooks:
                node.grad = _run_hooks(meta.hooks, node.grad)
            g = node.grad
            a = node._a
            b = node._b
            if graph_mode:
                parents = (a,) if b is None else (a, b)
                local = op.local(*[p if p.requires_grad else p.data for p in parents], node)
                for parent, d in zip(parents, local):
                    if parent.requires_grad:
                        contribution = g * d
                        old = parent.grad
                        parent.grad = contribution if (old.__class__ is float and old == 0.0) \
                            else old + contribution
            elif b is not None:
                local = op.local(a.data, b.data, node.data)
                if anomaly:
                    _check_backward(node, g, local)
                if a.requires_grad:
                    a.grad += g * local[0]
                if b.requires_grad:
                    b.grad += g * local[1]
            else:
                local = op.local(a.data, node.data)
                if anomaly:
                    _check_backward(node, g, local)
                a.grad += g * local[0]
            if stops:
                yield node, local
    finally:  # a walk stopped early still keeps every leaf's earlier gradient
        for leaf, g in earlier.items():
            leaf.grad = g + leaf.grad


def _run_hooks(hooks: list, incoming: Any) -> Any:
    """Pass a node's gradient through its hooks; a hook may return a replacement."""
    for hook in list(hooks):
        replaced = hook(incoming)
        if replaced is not None:
            incoming = replaced
    return incoming


def _check_backward(node: Value, g: float, local: tuple) -> None:
    for parent, d in zip(node._parents, local):
        if not parent.requires_grad:
            continue
        sent = g * d
        if not math.isfinite(sent) and math.isfinite(g):
            meta = node._meta
            label = meta.label if meta is not None else None
            site = meta.site if meta is not None else None
            inputs = ", ".join(f"{p.label or '_'}={p.data!r}" for p in node._parents)
            raise AnomalyError(
                f"{node._op.name} produced {sent!r} in the backward pass (upstream {g!r} × "
                f"local derivative {d!r}) from inputs ({inputs}); node label={label!r}, "
                f"created at {site or '<unknown: created outside anomaly mode>'}")


def backward(root: Value, seed: Any = 1.0, *, create_graph: bool = False) -> None:
    """Accumulate d(root)/d(node) into ``grad`` of every node ``root`` depends on.

    >>> from autograd import Value
    >>> x = Value(3.0); y = x * x
    >>> y.backward(); y.backward(); x.grad   # leaves accumulate: 2 × 6
    12.0
    """
    for _ in walk(root, seed, create_graph=create_graph, stops=False):
        pass


def zero_grad(root: Value) -> None:
    """Set ``grad = 0.0`` on ``root`` and every node it depends on."""
    for node in topological_order(root):
        node.grad = 0.0


def grad(output: Value, inputs: Sequence[Value], *, create_graph: bool = False) -> tuple:
    """d(output)/d(input) for each input, leaving every ``.grad`` as it was.

    With ``create_graph`` the results are Values, so they can be differentiated again.  An
    input that ``output`` does not depend on gets 0.0.

    >>> from autograd import Value
    >>> x, z = Value(1.0), Value(5.0)
    >>> (g,) = grad(x * x.exp(), [x], create_graph=True)
    >>> grad(g, [x])[0]  # d²/dx² x·eˣ at 1 = 3e
    8.154845485377136
    >>> grad(x * 2, [x, z])
    (2.0, 0.0)
    """
    inputs = list(inputs)
    order = topological_order(output)
    saved = [(node, node.grad) for node in order]
    in_graph = {node: None for node in order}  # Values hash by identity
    for node, _ in saved:
        node.grad = 0.0
    try:
        backward(output, 1.0, create_graph=create_graph)
        results = tuple(x.grad if x in in_graph else 0.0 for x in inputs)
    finally:
        for node, g in saved:
            node.grad = g
    return results


def hvp(output: Value, inputs: Sequence[Value], vector: Sequence[float]) -> tuple:
    """The Hessian of ``output`` times ``vector``, without forming the Hessian: the gradient
    of ∇output·v (reverse over reverse), one float per input.

    >>> from autograd import Value
    >>> x, y = Value(2.0), Value(3.0)
    >>> hvp(x * y * y, [x, y], [1.0, 0.0])  # H = [[0, 2y], [2y, 2x]] → first column
    (0.0, 6.0)
    """
    inputs, vector = list(inputs), [float(v) for v in vector]
    if len(inputs) != len(vector):
        raise GraphError(f"hvp: {len(inputs)} inputs but a vector of {len(vector)}")
    first = grad(output, inputs, create_graph=True)
    total: Any = 0.0
    for g, v in zip(first, vector):
        if isinstance(g, Value):
            total = total + g * v
    if not isinstance(total, Value):
        return tuple(0.0 for _ in inputs)
    return grad(total, inputs)


# How many derivatives are being taken right now, in this thread and task: an inner
# ``derivative`` called inside an outer one must record its graph, even when it is handed a
# plain float, so that the outer one can differentiate through it.
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("pathgrad_derivative_depth",
                                                             default=0)


def derivative(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The derivative of a one-argument function, as a function; nest it for higher orders.

    Each call differentiates with respect to a variable of its own: called with a Value
    (inside an outer derivative) it makes a fresh node ``x + 0`` for ``f`` and differentiates
    with respect to that node, so an inner variable is never confused with an outer one.

    >>> d2 = derivative(derivative(lambda x: (1 + x.exp()).log()))
    >>> d2(0.0)
    0.25
    >>> derivative(lambda x: derivative(lambda y: x * y)(x))(5.0)  # d/dx [d/dy x·y] = 1
    1.0
    >>> derivative(lambda x: x * derivative(lambda t: x * t)(1.0))(3.0)  # d/dx x·x = 6
    6.0
    """
    def df(x: Any) -> Any:
        outer = _depth.get()
        record = outer > 0 or isinstance(x, Value)
        xv = x + 0.0 if isinstance(x, Value) else Value(x)  # this derivative's own variable
        token = _depth.set(outer + 1)
        try:
            y = f(xv)
        finally:
            _depth.reset(token)
        if not isinstance(y, Value):
            return 0.0
        (g,) = grad(y, [xv], create_graph=record)
        return g
    df.__name__ = f"d_{getattr(f, '__name__', 'f')}"
    return df
