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

``backward_steps`` returns a :class:`Stepper`: it has a length, a position, ``next()``,
``back()``, ``goto(k)`` and a :meth:`~Stepper.snapshot` of every gradient as it stood:

>>> e.zero_grad()
>>> s = e.backward_steps()
>>> len(s), s.position
(5, 0)
>>> s.next()
step 1 of 5: e = c * d: starts with 1; sends 1·2 = 2 to c, 1·3 = 3 to d
>>> s.snapshot().grad(b) is None       # not computed yet (not 0)
True
>>> s.goto(5).snapshot().grad(b)
5.0

The rules (each pinned by a test in ``tests/test_steps.py``):

- All steps are computed once, when the stepper is made, by the walk ``backward()`` runs;
  moving only replays what was recorded.
- The graph's ``.grad`` fields are left as they were before the pass until the stepper
  reaches its last step; then they are written exactly as ``backward()`` would leave them.
  A stepper abandoned half way changes nothing.
- If the graph's gradients changed after the stepper was made (``backward()`` or
  ``zero_grad()`` in between), reaching the end raises :class:`StaleStepperError` instead of
  mixing two passes.  Make a new stepper.
- A leaf that held a gradient before this pass says so: ``b: input, held 10 before this
  pass, now 15``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional

from .display import html_table
from .errors import GraphTooLargeError, GraphvizNotFoundError, PathgradError
from .explain import format_factor, format_number, formula, node_names, printable
from .graph import topological_order, walk
from .value import Value, _check_seed, attach

__all__ = ["Step", "ForwardStep", "Stepper", "Snapshot", "StaleStepperError", "backward_steps",
           "forward_steps"]


class StaleStepperError(PathgradError, RuntimeError):
    """The graph's gradients changed after the stepper was made; its pass would mix with it."""


@dataclass(frozen=True, repr=False)
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
    index: Optional[int] = field(default=None, compare=False)  # 1-based, within its stepper
    count: Optional[int] = field(default=None, compare=False)
    before: Any = field(default=None, compare=False)  # a leaf's grad before this pass

    def __repr__(self) -> str:
        where = f"step {self.index} of {self.count}: " if self.index is not None else ""
        return where + str(self)

    @property
    def parents(self) -> tuple:
        """The node's parents, in argument order."""
        return self.node.parents

    def name(self, node: Optional[Value] = None) -> str:
        """The display name of ``node`` (default: this step's node)."""
        node = self.node if node is None else node
        if self.names is not None and id(node) in self.names:
            return self.names[id(node)]
        return printable(node.label) if node.label is not None else format_number(node.data)

    def __str__(self) -> str:
        node = self.node
        names = self.names if self.names is not None else {}
        if node.op is None:
            total = self.upstream
            if self.before is not None:
                return (f"{self.name()}: input, held {format_number(self.before)} before this "
                        f"pass, now {format_number(total)}")
            return f"{self.name()}: input, holds {format_number(total)}"
        got = "starts with" if self.is_root else "got"
        sends = []
        for i, parent in enumerate(node.parents):
            if self.sent[i] is None:
                continue
            text = (f"{format_number(self.upstream)}·{format_factor(self.local[i])} = "
                    f"{format_number(self.sent[i])} to {self.name(parent)}")
            total = self.totals[i] if i < len(self.totals) else None
            last = all(q is not parent for q in node.parents[i + 1:])  # its final edge here
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


@dataclass(frozen=True, repr=False)
class ForwardStep:
    """One stop of the forward replay: ``node`` got ``data`` from its parents' data."""

    node: Value
    data: float
    names: Optional[dict] = field(default=None, compare=False)
    index: Optional[int] = field(default=None, compare=False)
    count: Optional[int] = field(default=None, compare=False)

    def __repr__(self) -> str:
        where = f"step {self.index} of {self.count}: " if self.index is not None else ""
        return where + str(self)

    def __str__(self) -> str:
        node, names = self.node, self.names or {}
        name = names.get(id(node), node.label or format_number(node.data))
        if node.op is None:
            if not node.requires_grad:
                return f"{name}: constant"
            return f"{name} = {format_number(self.data)} (input)"
        numbers = {id(p): format_number(p.data) for p in node.parents}
        tail = f" [{node.group[0]}]" if node.group is not None else ""
        how = formula(node, names)[: len(formula(node, names)) - len(tail)]
        filled = formula(node, {**names, **numbers})[: -len(tail) or None]
        value = format_number(self.data)
        if _bare(how) == _bare(name):  # the name already says how
            return f"{name} = {filled} = {value}{tail}"
        text = f"{name} = {how} = {filled} = {value}{tail}"
        return text


class Snapshot:
    """The graph as it stood after ``position`` steps: each node's grad (backward) or data
    (forward), ``None`` where it is not computed yet (distinct from 0)."""

    def __init__(self, stepper: "Stepper", position: int, grads: dict, datas: dict) -> None:
        self.stepper, self.position = stepper, position
        self._grads, self._datas = grads, datas

    def grad(self, node: Value) -> Any:
        """``node``'s gradient after these steps, or None if nothing has reached it yet."""
        return self._grads.get(id(node))

    def data(self, node: Value) -> Optional[float]:
        """``node``'s value (forward steps: None until computed)."""
        if self.stepper.kind == "backward":
            return node.data
        return self._datas.get(id(node))

    def reached(self, node: Value) -> bool:
        """True once this pass has computed something for ``node``."""
        table = self._grads if self.stepper.kind == "backward" else self._datas
        return id(node) in table

    def rows(self, only: Optional[list] = None) -> list[tuple[str, str, str, str]]:
        """(name, op, data, grad) per node (or per node of ``only``), parents first; "·"
        where not computed yet."""
        st = self.stepper
        out = []
        if only is not None:
            wanted = {id(n): True for n in only}
        for node in st.order:
            if only is not None and id(node) not in wanted:
                continue
            data, grad = self.data(node), (self.grad(node) if st.kind == "backward" else None)
            role = "input" if node.requires_grad else "constant"
            role = formula(node, st.names) if node.op is not None else role
            out.append((st.names[id(node)], role,
                        "·" if data is None else format_number(data),
                        "" if st.kind == "forward" else
                        ("·" if grad is None else format_number(grad))))
        return out

    def __repr__(self) -> str:
        return self.table()

    def table(self, only: Optional[list] = None) -> str:
        """The snapshot as aligned text (only the nodes of ``only``, if given)."""
        header = ("node", "op", "data", "grad" if self.stepper.kind == "backward" else "")
        rows = self.rows(only)
        widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
        lines = [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  "
                 f"{r[3]:>{widths[3]}}".rstrip() for r in [header] + rows]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        grad = "grad" if self.stepper.kind == "backward" else ""
        return html_table(("node", "op", "data", grad), self.rows())


#: A stepper's repr shows every node up to this many; beyond, only the last step's nodes.
COMPACT_ROWS = 20


class Stepper:
    """A pass (``kind`` "backward" or "forward") you can step through: ``next()``,
    ``back()``, ``goto(k)``; ``position`` counts the steps done (0 = none).

    ``next()`` returns the step done, or None at the end (the builtin ``next(s)`` and
    ``for`` loops raise / stop there instead).  See the module docstring for the rules
    about the graph's ``.grad`` fields.
    """

    #: ``page(root, seed=...) -> html`` a backward stepper shows as in a notebook (set by
    #: :mod:`autograd.stepper`; None: the table).
    notebook_page: Optional[Callable[..., str]] = None

    def __init__(self, root: Value, kind: str, steps: list, changes: list, start: dict,
                 order: list, names: dict, final: Optional[list] = None,
                 before: Optional[list] = None) -> None:
        self.root, self.kind, self.steps = root, kind, steps
        self.order, self.names = order, names
        self._changes, self._start = changes, start
        self._final, self._before = final, before
        self.position = 0
        self._written = False

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def current(self) -> Any:
        """The last step done, or None before the first."""
        return self.steps[self.position - 1] if self.position else None

    def goto(self, k: int) -> "Stepper":
        """Stand after ``k`` steps (0 … len); reaching the end writes the gradients."""
        if not isinstance(k, int) or not 0 <= k <= len(self.steps):
            raise IndexError(f"goto({k!r}): position must be an int from 0 to {len(self.steps)}")
        self.position = k
        if k == len(self.steps):
            self._finish()
        return self

    def next(self) -> Any:
        """Do one more step and return it; None if every step is done."""
        if self.position >= len(self.steps):
            return None
        self.goto(self.position + 1)
        return self.current

    def back(self) -> Any:
        """Undo one step; return the step now current (None at the start)."""
        if self.position > 0:
            self.position -= 1
        return self.current

    def __next__(self) -> Any:
        step = self.next()
        if step is None:
            raise StopIteration
        return step

    def __iter__(self) -> "Stepper":
        return self

    def snapshot(self, k: Optional[int] = None) -> Snapshot:
        """The graph after ``k`` steps (default: the current position)."""
        k = self.position if k is None else k
        if not 0 <= k <= len(self.steps):
            raise IndexError(f"snapshot({k!r}): position must be from 0 to {len(self.steps)}")
        table = dict(self._start)
        for change in self._changes[:k]:
            table.update(change)
        if self.kind == "backward":
            return Snapshot(self, k, table, {})
        return Snapshot(self, k, {}, table)

    def _finish(self) -> None:
        if self.kind != "backward" or self._written or self._final is None:
            return
        for node, g in self._before:
            now = node.grad
            if now is not g and not (now.__class__ is float and g.__class__ is float and
                                     (now == g or (now != now and g != g))):
                raise StaleStepperError(
                    f"the gradient of {self.names.get(id(node), '?')} changed from "
                    f"{format_number(g)} to {format_number(now)} after this stepper was made "
                    "(backward() or zero_grad() in between); make a new stepper")
        for node, g in self._final:
            node.grad = g
        self._written = True

    def __repr__(self) -> str:
        head = f"{self.kind} stepper at step {self.position} of {len(self.steps)}"
        current = self.current
        line = f"\n  last: {current}" if current is not None else "\n  (nothing done yet)"
        snap = self.snapshot()
        if len(self.order) <= COMPACT_ROWS:
            return f"{head}{line}\n{snap.table()}"
        if current is None:
            only, what = [self.root], "the output"
        elif self.position == len(self.steps) and self.kind == "backward":
            only = [n for n in self.order if n.op is None and n.requires_grad]
            what = "every input"
        else:
            only, what = [current.node, *current.node.parents], "the last step's nodes"
        note = (f"\n(showing {what}: {len(only)} of {len(self.order)} nodes; "
                "print(s.snapshot()) shows them all)")
        return f"{head}{line}\n{snap.table(only)}{note}"

    def _repr_html_(self) -> str:
        current = self.current
        caption = html.escape(f"{self.kind} step {self.position} of {len(self.steps)}" +
                              (f": {current}" if current is not None else ""))
        table = f"<div><p>{caption}</p>{self.snapshot()._repr_html_()}</div>"
        if self.kind != "backward" or not self.steps:
            return table
        # In a notebook a backward stepper shows as the interactive page (an isolated
        # iframe, set as ``notebook_page`` by autograd.stepper, a layer above this one);
        # without Graphviz, or past the page's node limit, as the table of where it stands.
        page = Stepper.notebook_page
        if page is None:
            return table
        try:
            return page(self.root, seed=self.steps[0].upstream)
        except (GraphvizNotFoundError, GraphTooLargeError):
            return table


def backward_steps(root: Value, seed: Any = 1.0) -> Stepper:
    """A :class:`Stepper` over the backward walk of ``root``; each :class:`Step` is a node
    after it sent its gradient on (``totals`` are the parents' running totals).

    Stepping to the end leaves exactly the gradients ``root.backward(seed)`` leaves.
    """
    order = topological_order(root)
    names = node_names(root, order)
    saved = [(node, node.grad) for node in order]
    earlier = {id(n): g for n, g in saved
               if n.op is None and not (g.__class__ is float and g == 0.0)}
    steps: list = []
    changes: list = []
    first = True
    try:
        for node, local in walk(root, seed):
            g = node.grad
            sent = tuple(g * d if p.requires_grad else None for p, d in zip(node.parents, local))
            totals = tuple(p.grad if p.requires_grad else None for p in node.parents)
            before = earlier.get(id(node)) if node.op is None else None
            steps.append(Step(node, g, local, sent, totals, first, names, before=before))
            change = {id(p): t for p, t in zip(node.parents, totals) if t is not None}
            if node.op is None:
                change[id(node)] = g
            changes.append(change)
            first = False
        final = [(node, node.grad) for node in order]
    finally:
        for node, g in saved:
            node.grad = g
    count = len(steps)
    steps = [replace(s, index=i + 1, count=count) for i, s in enumerate(steps)]
    start = {id(root): steps[0].upstream} if steps else {}
    return Stepper(root, "backward", steps, changes, start, order, names, final, saved)


def forward_steps(root: Value) -> Stepper:
    """A :class:`Stepper` over the forward pass: node by node in topological order, each
    :class:`ForwardStep` fills in one value (``c = a + b = 2 + 1 = 3``)."""
    order = topological_order(root)
    names = node_names(root, order)
    count = len(order)
    steps = [ForwardStep(node, node.data, names, i + 1, count) for i, node in enumerate(order)]
    changes = [{id(node): node.data} for node in order]
    return Stepper(root, "forward", steps, changes, {}, order, names)


def _backward_steps_method(self: Value, grad: Any = 1.0) -> Stepper:
    """A :class:`~autograd.steps.Stepper` over the backward pass, one node per step."""
    _check_seed("backward_steps", grad)
    return backward_steps(self, grad)


def _forward_steps_method(self: Value) -> Stepper:
    """A :class:`~autograd.steps.Stepper` over the forward pass, one node per step."""
    return forward_steps(self)


_backward_steps_method.__name__ = "backward_steps"
_forward_steps_method.__name__ = "forward_steps"
attach("backward_steps", _backward_steps_method)
attach("forward_steps", _forward_steps_method)
