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

import math
import threading
from typing import Any, Callable, Iterator, Optional, Sequence

from . import value as _value
from .errors import AnomalyError, GraphError
from .ops import ADD, MUL
from .value import Value

__all__ = ["topological_order", "walk", "backward", "zero_grad", "grad", "derivative", "hvp",
           "nodes"]

# How many derivative() calls are evaluating their function right now (per thread).  Inside
# one, every inner grad/derivative records its graph, so the outer one can differentiate it.
_levels = threading.local()


def _depth() -> int:
    return getattr(_levels, "depth", 0)


def topological_order(root: Value, *, only_requiring_grad: bool = False) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents (root last).

    Iterative depth-first search; deterministic (parents in argument order, no sets).
    With ``only_requiring_grad`` the walk does not enter constant subgraphs.
    """
    if not isinstance(root, Value):
        raise GraphError(f"expected a Value, got {type(root).__name__}")
    seen: dict[int, None] = {}  # ids of the nodes expanded (each is kept alive by ``order``)
    order: list[Value] = []
    stack: list[Optional[Value]] = [root]
    pop, push, emit = stack.pop, stack.append, order.append
    while stack:
        node = pop()
        if node is None:  # marker: the node below it has all its parents in order
            emit(pop())
            continue
        if id(node) in seen:
            continue
        seen[id(node)] = None
        a = node._a
        if a is None:  # a leaf: nothing to expand, it is in order at once
            emit(node)
            continue
        push(node)
        push(None)
        b = node._b  # push b first so that a is expanded first
        if b is not None:
            if b.__class__ is float:  # a constant kept in the node (see Value.parents)
                if not only_requiring_grad:
                    push(node.parents[1])
            elif id(b) not in seen and (b.requires_grad or not only_requiring_grad):
                push(b)
        if id(a) not in seen and (a.requires_grad or not only_requiring_grad):
            push(a)
    return order


def _backward_order(root: Value, earlier: dict) -> list[Value]:
    """The nodes backward visits (those requiring a gradient), parents first, each with its
    grad zeroed; every leaf's non-zero grad is kept in ``earlier`` first.

    The zero is the mark: each node gets the *same* float 0.0 object, fresh to this pass, so
    ``node.grad is zero`` says "already reached" — no slot of its own, no second pass to zero
    the grads, and a node's grad reads 0.0 throughout."""
    zero = float.__new__(float)  # a 0.0 no other live object is
    order: list[Value] = []
    stack: list[Optional[Value]] = [root]
    pop, push, emit = stack.pop, stack.append, order.append
    while stack:
        node = pop()
        if node is None:
            emit(pop())
            continue
        g = node.grad
        if g is zero:
            continue
        a = node._a
        if a is None:  # a leaf: keep a grad it already holds, then it is in order at once
            if g.__class__ is not float or g != 0.0:
                earlier[node] = g
            node.grad = zero
            emit(node)
            continue
        node.grad = zero
        push(node)
        push(None)
        b = node._b
        if b is not None and b.__class__ is not float and b.grad is not zero and \
                b.requires_grad:
            push(b)
        if a.grad is not zero and a.requires_grad:
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
    earlier: dict[Value, Any] = {}  # Values hash and compare by identity
    order = _backward_order(root, earlier)
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
    # under anomaly mode every rule goes through the checked, general path
    mul, add = (None, None) if anomaly else (MUL, ADD)
    try:
        for node in reversed(order):
            op = node._op
            meta = node._meta
            if op is None:  # a leaf: this pass's total is complete
                if earlier or meta is not None:  # earlier grads to add back, or hooks
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
            if create_graph:
                parents = node.parents
                local = op.local(*[p if p.requires_grad else p.data for p in parents], node)
                for parent, d in zip(parents, local):
                    if parent.requires_grad:
                        contribution = g * d
                        old = parent.grad
                        parent.grad = contribution if (old.__class__ is float and old == 0.0) \
                            else old + contribution
            elif op is mul:  # the two commonest rules, inline (ops.MUL, ops.ADD; the
                # registry test holds them equal to the records' rules)
                if b.__class__ is float:  # a constant kept in the node: only a has a grad
                    a.grad += g * b
                    if stops:
                        local = (b, a.data)
                else:
                    ad, bd = a.data, b.data
                    if a.requires_grad:
                        a.grad += g * bd
                    if b.requires_grad:
                        b.grad += g * ad
                    if stops:
                        local = (bd, ad)
            elif op is add:
                if b.__class__ is float:
                    a.grad += g
                else:
                    if a.requires_grad:
                        a.grad += g
                    if b.requires_grad:
                        b.grad += g
                local = _ONES
            elif b is None:
                local = op.local(a.data, node.data)
                if anomaly:
                    _check_backward(node, g, local)
                a.grad += g * local[0]
            elif b.__class__ is float:  # a constant kept in the node: only a has a grad
                local = op.local(a.data, b, node.data)
                if anomaly:
                    _check_backward(node, g, local)
                a.grad += g * local[0]
            else:
                local = op.local(a.data, b.data, node.data)
                if anomaly:
                    _check_backward(node, g, local)
                if a.requires_grad:
                    a.grad += g * local[0]
                if b.requires_grad:
                    b.grad += g * local[1]
            if stops:
                yield node, local
    finally:  # a walk stopped early still keeps every leaf's earlier gradient
        for leaf, g in earlier.items():
            leaf.grad = g + leaf.grad


_ONES = (1.0, 1.0)  # ADD's partials


def _run_hooks(hooks: list, incoming: Any) -> Any:
    """Pass a node's gradient through its hooks; a hook may return a replacement."""
    for hook in list(hooks):
        replaced = hook(incoming)
        if replaced is not None:
            incoming = replaced
    return incoming


def _check_backward(node: Value, g: float, local: tuple) -> None:
    for parent, d in zip(node.parents, local):
        if not parent.requires_grad:
            continue
        sent = g * d
        if not math.isfinite(sent) and math.isfinite(g):
            meta = node._meta
            label = meta.label if meta is not None else None
            site = meta.site if meta is not None else None
            inputs = ", ".join(f"{p.label or '_'}={p.data!r}" for p in node.parents)
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

    With ``create_graph`` the results are Values, so they can be differentiated again; inside
    a :func:`derivative` the graph is always recorded.  An input ``output`` does not depend
    on gets 0.0.

    >>> from autograd import Value
    >>> x = Value(1.0)
    >>> (g,) = grad(x * x.exp(), [x], create_graph=True)
    >>> grad(g, [x])[0]  # d²/dx² x·eˣ at 1 = 3e
    8.154845485377136
    """
    inputs = list(inputs)
    create_graph = create_graph or _depth() > 0
    order = topological_order(output)
    saved = [(node, node.grad) for node in order]
    in_graph = {id(node): None for node in order}
    extra = [(x, x.grad) for x in inputs if id(x) not in in_graph]
    for node, _ in saved:
        node.grad = 0.0
    try:
        backward(output, 1.0, create_graph=create_graph)
        results = tuple(x.grad if id(x) in in_graph else 0.0 for x in inputs)
    finally:
        for node, g in saved + extra:
            node.grad = g
    return results


def derivative(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The derivative of a one-argument function, as a function; nest it for higher orders.

    Each call differentiates with respect to a fresh variable of its own (an identity node on
    its argument), so closures over an outer variable are never confused with it, and a call
    made while an outer derivative is running always records its graph.

    >>> d2 = derivative(derivative(lambda x: (1 + x.exp()).log()))
    >>> d2(0.0)
    0.25
    >>> derivative(lambda x: derivative(lambda y: x * y)(x))(5.0)   # d/dx of x: 1
    1.0
    """
    def df(x: Any) -> Any:
        nested = isinstance(x, Value)
        # the fresh variable: x + 0 (exact); outer uses of x do not pass through it
        xv = x + 0.0 if nested else Value(x)
        _levels.depth = _depth() + 1
        try:
            y = f(xv)
        finally:
            _levels.depth -= 1
        if not isinstance(y, Value):
            return 0.0
        (g,) = grad(y, [xv], create_graph=nested)
        return g
    df.__name__ = f"d_{getattr(f, '__name__', 'f')}"
    return df


def hvp(f: Callable[..., Any], xs: Sequence[float], v: Sequence[float]) -> list:
    """The Hessian of ``f`` at ``xs`` times the vector ``v``: ∇(∇f · v), by reverse over reverse.

    >>> hvp(lambda a, b: a * a * b, [2.0, 3.0], [1.0, 0.0])   # H = [[2b, 2a], [2a, 0]]
    [6.0, 4.0]
    """
    leaves = [Value(float(x)) for x in xs]
    y = f(*leaves)
    if not isinstance(y, Value):
        return [0.0] * len(leaves)
    gs = grad(y, leaves, create_graph=True)
    dot: Any = 0.0
    for g, vi in zip(gs, v):
        dot = dot + g * float(vi)
    if not isinstance(dot, Value):
        return [0.0] * len(leaves)
    return [float(h.data if isinstance(h, Value) else h) for h in grad(dot, leaves)]


# --- Value's gradient methods --------------------------------------------------------------------

def _backward_method(self: Value, grad: Any = 1.0, *, create_graph: bool = False) -> None:
    """Accumulate d(self)/d(leaf) into every leaf's ``grad`` (see :mod:`autograd.graph`).

    ``grad`` (the seed) is a real number or a Value; anything else is an
    :class:`~autograd.errors.OperandTypeError` at once."""
    _value._check_seed("backward", grad)
    backward(self, grad, create_graph=create_graph)


def _zero_grad_method(self: Value) -> None:
    """Set ``grad = 0.0`` on this node and every node it depends on."""
    zero_grad(self)


_backward_method.__name__, _zero_grad_method.__name__ = "backward", "zero_grad"
_value.attach("backward", _backward_method)
_value.attach("zero_grad", _zero_grad_method)
