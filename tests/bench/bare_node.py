"""The bare node class: the leanest scalar node class we know how to write in Python.

``bench_engine.py`` times it next to pathgrad and micrograd (information rows named "bare
node class") to answer one question: how fast could *any* eager engine be on this
interpreter, if every node is one Python object that holds its parents?  If the bare class
misses a target, no feature-complete engine of that design can meet it; what separates
pathgrad from it is the price of pathgrad's features.  (Not to be confused with the "floor"
of ``bench_replay.py``, a hand-written float step with no graph at all.)

It keeps only what the workloads in ``workloads.py`` use (``+ * relu backward .data
.grad``) and drops everything else: no primitive table, no modes, no hooks, labels or type
checks, no ``requires_grad`` (every node gets a gradient), and a number operand is stored in
the node instead of becoming a constant node, which saves an object per constant.  Its
backward pass is pathgrad's iterative sort followed by one loop with the rules written
inline.  It computes the same floats as the two engines (``bench_engine`` checks the W1
loss), except that its relu, like micrograd's, has gradient 0 at 0.

>>> x = BareValue(2.0); y = BareValue(1.0)
>>> e = (x + y) * (y + 1); e.backward()
>>> (e.data, x.grad, y.grad)
(6.0, 2.0, 5.0)
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["BareValue", "parents_of"]

_new = object.__new__

# node kinds: 0 leaf; two Values; a Value and a number c stored in _b
_LEAF, _ADD, _MUL, _ADDC, _MULC, _RELU = range(6)


class BareValue:
    __slots__ = ("data", "grad", "_k", "_a", "_b", "_mark")

    def __init__(self, data: float) -> None:
        self.data = float(data)
        self.grad = 0.0
        self._k = _LEAF
        self._a = self._b = self._mark = None

    def __add__(self, other: Any) -> "BareValue":
        out = _new(BareValue)
        out.grad = 0.0
        out._a = self
        out._mark = None
        if other.__class__ is BareValue:
            out.data = self.data + other.data
            out._k = _ADD
        else:
            out.data = self.data + other
            out._k = _ADDC
        out._b = other
        return out

    def __radd__(self, other: Any) -> "BareValue":  # other + self: a number on the left
        out = _new(BareValue)
        out.data = other + self.data
        out.grad = 0.0
        out._k = _ADDC
        out._a = self
        out._b = other
        out._mark = None
        return out

    def __mul__(self, other: Any) -> "BareValue":
        out = _new(BareValue)
        out.grad = 0.0
        out._a = self
        out._mark = None
        if other.__class__ is BareValue:
            out.data = self.data * other.data
            out._k = _MUL
        else:
            out.data = self.data * other
            out._k = _MULC
        out._b = other
        return out

    def __rmul__(self, other: Any) -> "BareValue":
        out = _new(BareValue)
        out.data = other * self.data
        out.grad = 0.0
        out._k = _MULC
        out._a = self
        out._b = other
        out._mark = None
        return out

    def relu(self) -> "BareValue":
        out = _new(BareValue)
        x = self.data
        out.data = x if x > 0.0 else 0.0
        out.grad = 0.0
        out._k = _RELU
        out._a = self
        out._b = out._mark = None
        return out

    def backward(self) -> None:
        order = _order(self)
        self.grad = 1.0  # as in micrograd: grads start at 0.0 and are not zeroed here
        for node in reversed(order):
            k = node._k
            if k == _LEAF:
                continue
            g = node.grad
            a = node._a
            if k == _MUL:
                b = node._b
                a.grad += g * b.data
                b.grad += g * a.data
            elif k == _ADD:
                a.grad += g
                node._b.grad += g
            elif k == _MULC:
                a.grad += g * node._b
            elif k == _ADDC:
                a.grad += g
            elif a.data > 0.0:  # relu
                a.grad += g


def _order(root: BareValue) -> list:
    """Parents before children, iteratively (the same algorithm as pathgrad's)."""
    token = object()
    order: list = []
    stack: list[Optional[BareValue]] = [root]
    pop, push, emit = stack.pop, stack.append, order.append
    while stack:
        node = pop()
        if node is None:
            emit(pop())
            continue
        if node._mark is token:
            continue
        node._mark = token
        push(node)
        push(None)
        k = node._k
        if k == _MUL or k == _ADD:
            b = node._b
            if b._mark is not token:
                push(b)
        if k != _LEAF:
            a = node._a
            if a._mark is not token:
                push(a)
    return order


def parents_of(node: BareValue) -> tuple:
    """The parent nodes (numbers stored in a node are not nodes)."""
    k = node._k
    if k == _MUL or k == _ADD:
        return (node._a, node._b)
    return () if k == _LEAF else (node._a,)
