"""Stepping through the backward pass, one node at a time.

:func:`backward_steps` is the backward walk of :mod:`autograd.graph` (the same one
``backward()`` runs to the end), with each stop wrapped in a :class:`Step`: the node, the
gradient that arrived at it, the local derivative for each parent, what it sent to each
parent and each parent's running total.  Printed, the steps tell the "pile up and pass on"
story of the seeds:

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> c = a + b; c.label = "c"
>>> d = b + 1; d.label = "d"
>>> e = c * d; e.label = "e"
>>> for step in e.backward_steps():
...     print(step)
e = c * d: starts with 1; sends 1·2 = 2 to c, 1·3 = 3 to d
d = b + 1: got 3; sends 3·1 = 3 to b
c = a + b: got 2; sends 2·1 = 2 to a, 2·1 = 2 to b (b now holds 5)
b: input, holds 5
a: input, holds 2
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from .explain import format_factor, format_number, formula, node_names, printable
from .graph import topological_order, walk
from .value import Value

__all__ = ["Step", "backward_steps"]


@dataclass(frozen=True)
class Step:
    """One stop of the backward walk.

    ``node`` sent ``upstream × local[i]`` = ``sent[i]`` to its ``i``-th parent, whose grad
    was then ``totals[i]`` (``sent[i]`` and ``totals[i]`` are None for a constant parent).
    ``is_root`` marks the first step, where ``upstream`` is the seed.  ``names`` maps
    ``id(node)`` to display names (see :func:`autograd.explain.node_names`).
    """

    node: Value
    upstream: Any
    local: tuple
    sent: tuple
    totals: tuple = ()
    is_root: bool = False
    names: Optional[dict] = field(default=None, repr=False, compare=False)

    @property
    def parents(self) -> tuple:
        """The node's parents, in argument order."""
        return self.node._parents

    def name(self, node: Optional[Value] = None) -> str:
        """The display name of ``node`` (default: this step's node)."""
        node = self.node if node is None else node
        if self.names is not None and id(node) in self.names:
            return self.names[id(node)]
        return printable(node.label) if node.label is not None else format_number(node.data)

    def __str__(self) -> str:
        node = self.node
        names = self.names if self.names is not None else {}
        if node._op is None:
            return f"{self.name()}: input, holds {format_number(node.grad)}"
        got = "starts with" if self.is_root else "got"
        sends = []
        for i, parent in enumerate(node._parents):
            if self.sent[i] is None:
                continue
            text = (f"{format_number(self.upstream)}·{format_factor(self.local[i])} = "
                    f"{format_number(self.sent[i])} to {self.name(parent)}")
            total = self.totals[i] if i < len(self.totals) else None
            last = all(q is not parent for q in node._parents[i + 1:])  # its final edge here
            if last and total is not None and total != self.sent[i]:
                text += f" ({self.name(parent)} now holds {format_number(total)})"
            sends.append(text)
        told = "; sends " + ", ".join(sends) if sends else "; sends nothing (constant inputs)"
        name, how = self.name(), formula(node, names)
        if _bare(how) == _bare(name):
            how = ""  # the name already says how (the command line labels nodes by source)
        head = f"{name} = {how}" if how else name
        return f"{head}: {got} {format_number(self.upstream)}{told}"


def _bare(text: str) -> str:
    return text.replace(" ", "").replace("(", "").replace(")", "")


def backward_steps(root: Value, seed: Any = 1.0) -> Iterator[Step]:
    """Run the backward walk one node at a time; each :class:`Step` is yielded after the
    node has sent its gradient on, so parents' ``grad`` show the running totals.

    Running it to the end leaves exactly the gradients ``root.backward(seed)`` leaves.
    """
    names = node_names(root, topological_order(root))
    first = True
    for node, local in walk(root, seed):
        g = node.grad
        sent = tuple(g * d if p.requires_grad else None for p, d in zip(node._parents, local))
        totals = tuple(p.grad if p.requires_grad else None for p in node._parents)
        yield Step(node, g, local, sent, totals, first, names)
        first = False
