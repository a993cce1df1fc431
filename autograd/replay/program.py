"""The compiled program: small typed records of slots and gathers, read by the interpreter.

A :class:`Program` holds two flat lists of floats — ``data`` (inputs, constants, node values,
local derivatives) and ``g`` (gradients) — and the entries that fill them, in run order:

- forward: :class:`MapGroup` (``data[s:e] = map(op.forward, gather_a(data), gather_b(data))``
  for the nodes of one primitive at one depth) and :class:`FusedSums` (``init + Σ aᵢbᵢ`` per
  sum, see :mod:`autograd.replay.fuse`);
- guards: :class:`GuardGroup` (one comparison symbol, every guard using it);
- local derivatives: :class:`RuleLocals` (the primitive's own ``local``) and
  :class:`MaxLocals` (``max``'s lookup on the sign of ``a − b``); ``add`` and ``mul`` need none;
- backward: :class:`Columns` (few contributions per node, summed column by column) and
  :class:`Folds` (many, folded per node), then :class:`LeafFolds` for the inputs.

A *gather* is a C-level ``operator.itemgetter`` over a list (a slice when the indices are
evenly spaced, see :func:`getter`).  Entries are frozen and slotted; their reprs name the op
and the slots they write.

>>> from autograd import Value
>>> from autograd.replay import trace
>>> f = lambda x, y: (x * y + x.tanh()).relu() if x > 0 else x
>>> step = trace(f, Value(2.0), Value(3.0))
>>> step.program
<Program: 4 forward, 1 guard, 2 local and 1 backward groups; 11 data and 2 gradient slots>
>>> print(step.program.listing())
forward  MapGroup(mul, data[4:5])
forward  MapGroup(tanh, data[5:6])
forward  MapGroup(add, data[6:7])
forward  MapGroup(max, data[7:8])
guard    GuardGroup(>, 1 guard)
local    RuleLocals(tanh, data[9:10] for argument 0)
local    MaxLocals(data[10:11] for argument 0)
backward Columns(g[1:2], 1 column)
leaves   LeafFolds(inputs [0, 1])
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple, Optional, Sequence, Union

__all__ = ["Getter", "getter", "At", "MapGroup", "FusedSums", "GuardAt", "GuardGroup", "Target",
           "RuleLocals", "MaxLocals", "Columns", "Folds", "LeafFolds", "Program"]

#: A gather: ``getter(list)`` gives the items at fixed indices (a tuple, or a list for a slice).
Getter = Callable[[list], Any]


def getter(indices: Sequence[int]) -> Getter:
    """A C-level gather of ``indices`` from a list: a slice when they are evenly spaced.

    >>> getter([3, 5, 7])([0, 1, 2, 3, 4, 5, 6, 7])
    [3, 5, 7]
    >>> getter([4, 1])([0, 1, 2, 3, 4])
    (4, 1)
    """
    first = indices[0]
    if len(indices) == 1:
        return operator.itemgetter(slice(first, first + 1))
    step = indices[1] - first
    if step > 0 and list(range(first, indices[-1] + 1, step)) == list(indices):
        return operator.itemgetter(slice(first, indices[-1] + 1, step))
    return operator.itemgetter(*indices)


def _span(name: str, start: int, end: int) -> str:
    return f"{name}[{start}:{end}]"


# --- forward ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, repr=False)
class MapGroup:
    """Nodes of one primitive at one depth: ``data[start:end] = map(fn, ga(data)[, gb(data)])``.

    ``fn`` is the primitive's ``forward`` (or the builtin ``max`` when that gives the same
    floats); ``gb`` is None for a unary primitive.
    """

    name: str
    fn: Callable[..., float]
    ga: Getter
    gb: Optional[Getter]
    start: int
    end: int
    builtin: bool = False

    def __repr__(self) -> str:
        extra = ", builtin max" if self.builtin else ""
        return f"MapGroup({self.name}, {_span('data', self.start, self.end)}{extra})"


@dataclass(frozen=True, slots=True, repr=False)
class FusedSums:
    """Long sums, one per slot of ``data[start:end]``: ``init + a₁b₁ + a₂b₂ + …`` left to
    right, with ``ga[k](data)``/``gb[k](data)`` the factors of sum ``k`` and ``init`` gathering
    every sum's first operand."""

    ga: tuple[Getter, ...]
    gb: tuple[Getter, ...]
    init: Getter
    start: int
    end: int

    def __repr__(self) -> str:
        return f"FusedSums({_span('data', self.start, self.end)})"


class At:
    """Where a value the traced function returned after its output lives in ``data``."""

    __slots__ = ("slot",)

    def __init__(self, slot: int) -> None:
        self.slot = slot

    def __repr__(self) -> str:
        return f"At({self.slot})"


# --- guards ----------------------------------------------------------------------------------

class GuardAt(NamedTuple):
    """A guard and the data slots of its two operands."""

    a: int
    b: int
    guard: Any  # autograd.replay.tracing.Guard (its operands dropped)


@dataclass(frozen=True, slots=True, repr=False)
class GuardGroup:
    """Every guard with one symbol: ``list(map(compare, ga(data), gb(data))) == expected``."""

    symbol: str
    compare: Callable[[float, float], bool]
    ga: Getter
    gb: Getter
    expected: list
    guards: tuple[GuardAt, ...]

    def __repr__(self) -> str:
        n = len(self.guards)
        return f"GuardGroup({self.symbol}, {n} guard{'s' * (n != 1)})"


# --- local derivatives -----------------------------------------------------------------------

class Target(NamedTuple):
    """Where the partials with respect to one argument go: ``data[start:end]``."""

    argument: int
    start: int
    end: int


def _targets(targets: Sequence[Target]) -> str:
    return ", ".join(f"{_span('data', t.start, t.end)} for argument {t.argument}"
                     for t in targets)


@dataclass(frozen=True, slots=True, repr=False)
class RuleLocals:
    """A primitive's own rule over a forward group: ``rows = map(rule, a, [b,] out)``, and each
    target takes the partials with respect to its argument."""

    name: str
    rule: Callable[..., tuple]
    ga: Getter
    gb: Optional[Getter]
    out: Getter
    targets: tuple[Target, ...]

    def __repr__(self) -> str:
        return f"RuleLocals({self.name}, {_targets(self.targets)})"


@dataclass(frozen=True, slots=True, repr=False)
class MaxLocals:
    """``max``'s local derivatives over a forward group, looked up on sign(a − b)."""

    ga: Getter
    gb: Getter
    out: Getter
    targets: tuple[Target, ...]

    def __repr__(self) -> str:
        return f"MaxLocals({_targets(self.targets)})"


# --- backward --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, repr=False)
class Columns:
    """Nodes with the same small number of contributions: ``g[start:end] = Σ_q gg_q(g) ×
    gd_q(data)``, column by column, left to right."""

    start: int
    end: int
    columns: tuple[tuple[Getter, Getter], ...]

    def __repr__(self) -> str:
        n = len(self.columns)
        return f"Columns({_span('g', self.start, self.end)}, {n} column{'s' * (n != 1)})"


@dataclass(frozen=True, slots=True, repr=False)
class Folds:
    """Nodes with many contributions: node ``k`` folds ``gg[k](g) × gd[k](data)`` from 0.0."""

    start: int
    end: int
    gg: tuple[Getter, ...]
    gd: tuple[Getter, ...]

    def __repr__(self) -> str:
        return f"Folds({_span('g', self.start, self.end)})"


@dataclass(frozen=True, slots=True, repr=False)
class LeafFolds:
    """The inputs needing a gradient: input ``rows[k]`` gets its earlier gradient (gathered by
    ``pick`` from the starts) plus this pass's fold of ``gg[k](g) × gd[k](data)``."""

    pick: Getter
    rows: tuple[int, ...]
    gg: tuple[Getter, ...]
    gd: tuple[Getter, ...]

    def __repr__(self) -> str:
        return f"LeafFolds(inputs {list(self.rows)})"


Forward = Union[MapGroup, FusedSums]
Locals = Union[RuleLocals, MaxLocals]
Backward = Union[Columns, Folds]


@dataclass(frozen=True, slots=True, repr=False)
class Program:
    """A compiled step: the two float lists and the entries that fill them.

    ``data[0:n_inputs]`` are the inputs (written before each run), ``data[out]`` the output
    and ``g[0]`` the seed 1.0.  ``root_input`` is set when the function returned one of its
    inputs.  ``aux`` is what the function returned after its output, each Value as an
    :class:`At`.  ``node_slots``, ``node_ops`` and ``writeback`` serve ``Replay.to_graph``: the
    data slot of each compiled node (-1 inside a fused sum), its primitive, and
    ``(node position, gradient slot)`` for the nodes the backward pass visits.
    """

    data: list
    g: list
    n_inputs: int
    out: int
    forward: tuple[Forward, ...]
    guards: tuple[GuardGroup, ...]
    locals: tuple[Locals, ...]
    backward: tuple[Backward, ...]
    leaves: tuple[LeafFolds, ...]
    root_input: Optional[int]
    wants: tuple[bool, ...]
    rows: tuple[int, ...]
    node_slots: tuple[int, ...]
    node_ops: tuple
    writeback: tuple[tuple[int, int], ...]
    aux: Any
    aliased: int

    @property
    def stats(self) -> dict:
        """Compiled size: nodes, inputs, forward/backward groups, guards, aliased slots."""
        return {"nodes": len(self.node_slots), "inputs": self.n_inputs,
                "forward_groups": len(self.forward),
                "guards": sum(len(group.guards) for group in self.guards),
                "backward_groups": len(self.backward), "aliased": self.aliased}

    def entries(self) -> list[tuple[str, Any]]:
        """``(phase, entry)`` in run order: forward, guard, local, backward, leaves."""
        phases = (("forward", self.forward), ("guard", self.guards), ("local", self.locals),
                  ("backward", self.backward), ("leaves", self.leaves))
        return [(phase, entry) for phase, entries in phases for entry in entries]

    def listing(self) -> str:
        """One line per entry, in run order."""
        return "\n".join(f"{phase:8} {entry!r}" for phase, entry in self.entries())

    def __repr__(self) -> str:
        return (f"<Program: {len(self.forward)} forward, {len(self.guards)} guard, "
                f"{len(self.locals)} local and {len(self.backward)} backward groups; "
                f"{len(self.data)} data and {len(self.g)} gradient slots>")
