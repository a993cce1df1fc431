"""Stepping through the backward pass, one node at a time.

:func:`backward_steps` is the backward walk of :mod:`autograd.graph` (the same one
``backward()`` runs to the end), with each stop wrapped in a :class:`Step`: the node, the
gradient that arrived at it, the local derivative for each parent and what it sent on.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> c = a + b; c.label = "c"
>>> d = b + 1; d.label = "d"
>>> e = c * d; e.label = "e"
>>> for step in e.backward_steps():
...     print(step)
e = c * d: upstream 1.0; sends 1.0·2.0 = 2.0 to c, 1.0·3.0 = 3.0 to d
d = b + 1.0: upstream 3.0; sends 3.0·1.0 = 3.0 to b
c = a + b: upstream 2.0; sends 2.0·1.0 = 2.0 to a, 2.0·1.0 = 2.0 to b
b: leaf, holds 5.0
a: leaf, holds 2.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from .graph import walk
from .value import Value

__all__ = ["Step", "backward_steps"]


@dataclass(frozen=True)
class Step:
    """One stop of the backward walk: a node, the gradient that arrived at it, the local
    derivative for each parent and what it sent to each parent (None for a constant)."""

    node: Value
    upstream: Any
    local: tuple
    sent: tuple

    @property
    def parents(self) -> tuple:
        return self.node._parents

    def __str__(self) -> str:
        node = self.node
        name = _name(node)
        if node._op is None:
            return f"{name}: leaf, holds {_num(node.grad)}"
        op = node._op
        group = node.group
        parts = [_name(p) for p in node._parents]
        if group is None and op.arity == 2 and op.symbol in "+*/":
            formula = f"{parts[0]} {op.symbol} {parts[1]}"
        elif op.name == "pow":
            formula = f"{parts[0]} ** {parts[1]}"
        else:
            formula = f"{op.symbol}({', '.join(parts)})"
        sends = [f"{_num(self.upstream)}·{_num(d)} = {_num(s)} to {_name(p)}"
                 for p, d, s in zip(node._parents, self.local, self.sent) if s is not None]
        return f"{name} = {formula}: upstream {_num(self.upstream)}; sends " + ", ".join(sends)


def _name(node: Value) -> str:
    label = node.label
    if label is not None:
        return label
    if node._op is None and not node.requires_grad:
        return _num(node.data)
    return f"#{id(node) % 100000:05d}" if node._op is None else f"({node._op.symbol})"


def _num(x: Any) -> str:
    if isinstance(x, Value):
        x = x.data
    return repr(float(x))


def backward_steps(root: Value, seed: Any = 1.0) -> Iterator[Step]:
    """Run the backward walk one node at a time; each :class:`Step` is yielded after the
    node has sent its gradient on, so parents' ``grad`` show the running totals."""
    for node, local in walk(root, seed):
        g = node.grad
        sent = tuple(g * d if p.requires_grad else None for p, d in zip(node._parents, local))
        yield Step(node, g, local, sent)
