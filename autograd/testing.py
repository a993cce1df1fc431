"""Hypothesis strategies for property-testing gradients, yours and the engine's.

This module imports ``hypothesis`` (a test dependency: ``pip install "pathgrad[test]"``); the
engine itself never imports it.

Every strategy reads the ops' records (:mod:`autograd.ops`): an op you declare yourself is
sampled by its own domain, kinks and singular points, with no table to edit.

- :func:`domain_floats` — floats where an op's value and derivative are finite, with its
  extremes and edges (0, ±1e-300, ±700, ±1e300 where defined) and kinks drawn often (or kept
  away from: ``kinks="avoid"``); :func:`arguments` — whole argument tuples for an op (ties
  included for two-input ops).
- :func:`values` — leaf :class:`~autograd.value.Value` nodes.
- :func:`expressions` — random expression DAGs with shared subexpressions over any declared
  ops, as a small program (:class:`Expression`) that runs on floats, Values and Duals; it
  shrinks to the smallest failing program and prints as one line of Python
  (:meth:`Expression.to_python`).
- :func:`assert_gradients_match` — reverse mode = forward mode = central differences, in one
  line, so a property test of your own function takes three::

    @given(st.floats(-3, 3))
    def test_my_f(x):
        assert_gradients_match(lambda v: (v * v).tanh() + v, [x])

>>> prog = Expression(2, (("mul", (0, 1)), ("add", (2, 0))))
>>> prog
Expression(n_inputs=2): v2 = mul(v0, v1); v3 = add(v2, v0); return v3
>>> prog(3.0, 4.0)
15.0
>>> assert_gradients_match(prog, [3.0, 4.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as exc:  # the engine runs without it; the strategies need it
    raise ModuleNotFoundError(
        "autograd.testing needs hypothesis, a test dependency: pip install \"pathgrad[test]\" "
        "(or pip install hypothesis)", name=exc.name) from None

from . import functional  # noqa: F401  (declares the derived ops)
from . import ops
from .check import assert_gradients_match  # the three-line property test (see check)
from .ops import EDGES, Domain, Primitive
from .value import PYTHON_SYMBOLS, Value

__all__ = [
    "EDGES", "Domain", "DOMAINS", "POW_EXPONENTS", "domain_floats", "arguments", "values",
    "Expression", "EXPRESSION_OPS", "SMOOTH_OPS", "KINKED_OPS", "expressions",
    "expression_inputs", "assert_gradients_match", "KINK_MARGIN", "EXPRESSION_BOUND",
    "SINGULAR_MARGIN",
]


class _Domains(Mapping):
    """op name → the :class:`~autograd.ops.Domain` of its first argument, for every declared
    op (a view of :data:`autograd.ops.REGISTRY`: an op you declare is in it at once)."""

    def __getitem__(self, name: str) -> Domain:
        return ops.REGISTRY[name].domain_of(0)

    def __iter__(self) -> Iterator[str]:
        return iter([n for n, r in ops.REGISTRY.items() if not getattr(r, "reference_for", "")])

    def __len__(self) -> int:
        return len(list(iter(self)))


#: Domains by op name, from each op's record; binary ops use ``domain_of(i)`` per argument.
DOMAINS: Mapping[str, Domain] = _Domains()

#: Constant exponents drawn for ``x ** k``.
POW_EXPONENTS: tuple[float, ...] = (2.0, 3.0, -1.0, -2.0, 0.0, 1.0, 0.5, 1.5, -0.5, 2.5, 4.0)


def domain_floats(op_name: str, *, kinks: str = "include") -> st.SearchStrategy[float]:
    """Floats where ``op_name`` (one argument of it) has a finite value and derivative,
    drawing the domain's edges and kinks about a third of the time.

    The domain, its kinks and special points come from the op's record, so an op you
    declare yourself is sampled the same way.  ``kinks="avoid"`` keeps every float at least
    :data:`KINK_MARGIN`·max(1, |k|) away from each kink k (where central differences are not
    a verdict); ``"include"`` (the default) draws the kinks themselves often.

    >>> from hypothesis import find
    >>> find(domain_floats("log"), lambda x: x < 1e-200) > 0.0
    True
    >>> find(domain_floats("relu", kinks="avoid"), lambda x: abs(x) < 1.0) != 0.0
    True
    """
    if kinks not in ("include", "avoid"):
        raise ValueError(f"kinks must be 'include' or 'avoid', not {kinks!r}")
    domain = _record(op_name).domain_of(0)
    drawn = _domain_floats(domain)
    if kinks == "avoid" and domain.kinks:
        drawn = drawn.filter(lambda x: all(math.fabs(x - k) >= KINK_MARGIN * max(1.0, math.fabs(k))
                                           for k in domain.kinks))
    return drawn


#: How far ``domain_floats(..., kinks="avoid")`` keeps from a kink (relative to max(1, |k|)).
KINK_MARGIN = 1e-3


def _record(op_name: str) -> Any:
    try:
        return ops.REGISTRY[op_name]
    except KeyError:
        raise ValueError(f"no domain for op {op_name!r}: no op of that name is declared; "
                         f"known: {sorted(DOMAINS)}") \
            from None


def _domain_floats(domain: Domain) -> st.SearchStrategy[float]:
    inside = st.floats(min_value=domain.low, max_value=domain.high, allow_nan=False,
                       exclude_min=domain.open_low)
    return st.one_of(st.sampled_from(domain.edges()), inside, inside)


def _finite(x: Any) -> bool:
    return math.isfinite(x)


def _pow_arguments() -> st.SearchStrategy[tuple[float, float]]:
    @st.composite
    def draw(draw_: Callable) -> tuple[float, float]:
        k = draw_(st.sampled_from(POW_EXPONENTS))
        if k != int(k):  # fractional powers: positive bases only
            base = draw_(domain_floats("log"))
        else:
            base = draw_(domain_floats("mul"))
        return base, k
    # value, derivative and second derivative finite: |x|^(k−2), |x|^(k−1), |x|^k ≤ 1e300
    return draw().filter(lambda a: all(_finite(ops.f_pow(a[0], a[1] - j)) or a[1] - j == 0
                                       for j in range(3)))


def arguments(op_name: str) -> st.SearchStrategy[tuple[float, ...]]:
    """Argument tuples for a primitive or derived op where its value is finite; binary ops
    include ties ``(x, x)`` and, for ``pow``, constant exponents from :data:`POW_EXPONENTS`.

    >>> from hypothesis import find
    >>> a, b = find(arguments("max"), lambda ab: ab[0] == ab[1])   # a tie
    >>> a == b
    True
    """
    record = _record(op_name)
    if record is ops.POW:
        return _pow_arguments()
    forward = record.forward if isinstance(record, Primitive) else record.fn
    domains = [record.domain_of(i) for i in range(record.arity)]
    if record.arity == 1:
        drawn = _domain_floats(domains[0]).map(lambda v: (v,))
    else:
        x, y = _domain_floats(domains[0]), _domain_floats(domains[1])
        drawn = st.one_of(st.tuples(x, y), x.map(lambda v: (v, v)),
                          st.tuples(x, st.floats(-4, 4)).map(lambda p: (p[0], p[0] + p[1])))
        drawn = drawn.filter(lambda ab: all(d.contains(v) and v != d.singular
                                            for d, v in zip(domains, ab)))
    return drawn.filter(lambda args: _finite(forward(*args)))


def values(elements: Optional[st.SearchStrategy[float]] = None, *,
           requires_grad: bool = True) -> st.SearchStrategy[Value]:
    """Leaf Values whose data are drawn from ``elements`` (finite floats by default)."""
    if elements is None:
        elements = st.floats(allow_nan=False, allow_infinity=False)
    return elements.map(lambda x: Value(x, requires_grad=requires_grad))


# --- random expression DAGs --------------------------------------------------------------------

#: Expressions keep every intermediate within this size, and every operand at least this far
#: from a singular point of its op (log, division), so they are well conditioned.
EXPRESSION_BOUND = 1e4
SINGULAR_MARGIN = 0.05


@dataclass(frozen=True)
class _ExprOp:
    """An op as random expressions use it, made from its record: the generic function (floats,
    Values, Duals), the float forward as reference, an interval rule and a usability test."""

    name: str
    record: Any

    @property
    def arity(self) -> int:
        return self.record.arity

    def generic(self, *args: Any) -> Any:
        return self.record(*args)

    def reference(self, *args: float) -> float:
        record = self.record
        if isinstance(record, Primitive):
            return record.forward(*args)
        return record.fn(*(float(a) for a in args))

    def _points(self, i: int, interval: tuple) -> list[float]:
        lo, hi = interval
        d = self.record.domain_of(i)
        inner = [p for p in (0.0,) + d.kinks + d.extra if lo < p < hi]
        return [lo, hi] + inner

    def bounds(self, *intervals: tuple) -> tuple:
        """The op's range over the intervals: its values at their ends and at the domain's
        kinks and special points inside them (exact for ops monotone between those)."""
        grid: list[tuple] = [()]
        for i, interval in enumerate(intervals):
            grid = [g + (p,) for g in grid for p in self._points(i, interval)]
        outs = [self.reference(*g) for g in grid]
        return min(outs), max(outs)

    def allowed(self, *intervals: tuple) -> bool:
        """May the op take operands in these intervals?  Inside its domain, at least
        :data:`SINGULAR_MARGIN` from a singular point, and a result within
        :data:`EXPRESSION_BOUND`."""
        for i, (lo, hi) in enumerate(intervals):
            d = self.record.domain_of(i)
            if not (d.contains(lo) and d.contains(hi)):
                return False
            if d.singular is not None and lo - SINGULAR_MARGIN < d.singular < hi + SINGULAR_MARGIN:
                return False
        try:
            lo, hi = self.bounds(*intervals)
        except (ArithmeticError, ValueError):
            return False
        return math.isfinite(lo) and math.isfinite(hi) and \
            max(math.fabs(lo), math.fabs(hi)) <= EXPRESSION_BOUND


class _ExpressionOps(Mapping):
    """op name → :class:`_ExprOp` for every declared op but ``pow`` (its domain depends on
    both arguments at once) and the fused ops' reference composites."""

    @staticmethod
    def _drawn(record: Any) -> bool:
        return record is not ops.POW and not getattr(record, "reference_for", "")

    def _names(self) -> list[str]:
        return [n for n, r in ops.REGISTRY.items() if self._drawn(r)]

    def __getitem__(self, name: str) -> _ExprOp:
        record = ops.REGISTRY.get(name)
        if record is None or not self._drawn(record):
            raise KeyError(name)
        return _ExprOp(name, record)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


#: Ops random expressions are made of, from the registry (your own ops included).
EXPRESSION_OPS: Mapping[str, _ExprOp] = _ExpressionOps()


def _is_smooth(record: Any) -> bool:
    return not any(record.domain_of(i).kinks for i in range(record.arity))


_BUILTIN = [n for n in EXPRESSION_OPS]
#: The built-in ops with derivatives everywhere, so central differences apply.
SMOOTH_OPS: tuple[str, ...] = tuple(n for n in _BUILTIN if _is_smooth(ops.REGISTRY[n]))
#: The built-in ops with kinks (ties in max): reverse and forward mode still agree (½/½).
KINKED_OPS: tuple[str, ...] = tuple(n for n in _BUILTIN if not _is_smooth(ops.REGISTRY[n]))


@dataclass(frozen=True)
class Expression:
    """A straight-line program: slots ``v0 … v(n_inputs−1)`` are the inputs, and each
    instruction ``(op, operand_slots)`` appends a slot.  The last slot is the output.

    Slots used more than once are shared subexpressions (one node with several children).
    Runs on floats, Values or Duals; :meth:`reference` evaluates it with ``math`` alone.
    """

    n_inputs: int
    instructions: tuple[tuple[str, tuple[int, ...]], ...]
    input_range: float = 2.0

    def slots(self, *inputs: Any) -> list[Any]:
        """Every slot's value, inputs first."""
        if len(inputs) != self.n_inputs:
            raise TypeError(f"expression takes {self.n_inputs} inputs, got {len(inputs)}")
        slots = list(inputs)
        for name, operands in self.instructions:
            slots.append(EXPRESSION_OPS[name].generic(*(slots[j] for j in operands)))
        return slots

    def __call__(self, *inputs: Any) -> Any:
        return self.slots(*inputs)[-1]

    def reference(self, *inputs: float) -> float:
        """The value computed with plain floats and the ``math`` module only."""
        slots = [float(x) for x in inputs]
        for name, operands in self.instructions:
            slots.append(EXPRESSION_OPS[name].reference(*(slots[j] for j in operands)))
        return slots[-1]

    @property
    def shared(self) -> list[int]:
        """Slots used as an operand more than once (shared subexpressions)."""
        uses = [0] * (self.n_inputs + len(self.instructions))
        for _, operands in self.instructions:
            for j in operands:
                uses[j] += 1
        return [j for j, n in enumerate(uses) if n > 1]

    def __repr__(self) -> str:
        lines = [f"v{self.n_inputs + i} = {name}({', '.join(f'v{j}' for j in operands)})"
                 for i, (name, operands) in enumerate(self.instructions)]
        out = f"v{self.n_inputs + len(self.instructions) - 1}" if self.instructions else "v0"
        return f"Expression(n_inputs={self.n_inputs}): " + "; ".join(lines + [f"return {out}"])

    def to_python(self) -> str:
        """The expression as one line of Python you can paste (after ``from autograd import
        functional as F, ops``): a lambda over the inputs,
        operators for + − × ÷, ``F.<name>`` (``autograd.functional``) or ``ops.REGISTRY[...]``
        for the other ops; a shared slot is bound once with ``:=``; unused slots are left out.

        >>> Expression(2, (("mul", (0, 1)), ("tanh", (2,)), ("add", (3, 2)))).to_python()
        'lambda v0, v1: (v2 := v0 * v1, F.tanh(v2) + v2)[-1]'
        """
        n = self.n_inputs
        last = n + len(self.instructions) - 1
        live = [False] * (last + 1)
        live[last] = True
        for k in range(last, n - 1, -1):  # slots the output depends on
            if live[k]:
                for j in self.instructions[k - n][1]:
                    live[j] = True
        uses = [0] * (last + 1)
        for k in range(n, last + 1):
            if live[k]:
                for j in self.instructions[k - n][1]:
                    uses[j] += 1
        text = [f"v{j}" for j in range(n)] + [""] * len(self.instructions)
        bound: list[str] = []
        for k in range(n, last + 1):
            if not live[k]:
                continue
            name, operands = self.instructions[k - n]
            text[k] = _python_call(name, [text[j] for j in operands])
            if uses[k] > 1 and k != last:
                bound.append(f"v{k} := {text[k]}")
                text[k] = f"v{k}"
        args = ", ".join(f"v{j}" for j in range(n))
        body = text[last] if last >= n else "v0"
        if bound:
            body = f"({', '.join(bound + [body])})[-1]"
        return f"lambda {args}: {body}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """hypothesis (and IPython) print a drawn expression as its one-line program."""
        printer.text(self.to_python())


def _python_call(name: str, operands: list[str]) -> str:
    record = ops.REGISTRY.get(name)
    operator = getattr(record, "operator", None)
    if operator in ("add", "sub", "mul", "truediv"):  # the record's Python operator
        symbol = PYTHON_SYMBOLS[operator]
        right = operands[1]
        if " " in right:  # a sum or product on the right keeps its parentheses
            right = f"({right})"
        left = operands[0] if operator in ("add", "sub") or " " not in operands[0] \
            else f"({operands[0]})"
        return f"{left} {symbol} {right}"
    if operator == "neg":
        x = operands[0]
        return f"-({x})" if " " in x else f"-{x}"
    if callable(getattr(functional, name, None)):
        return f"F.{name}({', '.join(operands)})"
    return f"ops.REGISTRY[{name!r}]({', '.join(operands)})"


@st.composite
def expressions(draw: Callable, n_inputs: int = 2, max_nodes: int = 8,
                ops: Sequence[str] = SMOOTH_OPS, input_range: float = 2.0) -> Expression:
    """Random :class:`Expression` DAGs over ``n_inputs`` inputs in [−input_range, input_range]
    with 1 … ``max_nodes`` op nodes drawn from ``ops``.

    Operands are drawn from all earlier slots, so subexpressions are shared often.  Each
    op is used only where its operands' interval allows it (see :data:`EXPRESSION_OPS`):
    otherwise its last operand moves to the newest slot that fits, or ``add`` takes its
    place, so every expression is finite and well conditioned
    on its input range.  Shrinks towards short programs of additions.
    """
    names = list(ops)
    if "add" in names:
        names.remove("add")
    names.insert(0, "add")
    intervals = [(-input_range, input_range)] * n_inputs
    instructions = []
    for _ in range(draw(st.integers(1, max_nodes))):
        name = draw(st.sampled_from(names))
        op = EXPRESSION_OPS[name]
        operands = tuple(draw(st.integers(0, len(intervals) - 1)) for _ in range(op.arity))
        # lean on the newest slot so expressions grow deep, not only wide
        if draw(st.booleans()):
            operands = (len(intervals) - 1,) + operands[1:]
        if not op.allowed(*(intervals[j] for j in operands)):
            # the newest slot that the op may take as its last operand, else an addition
            fits = [j for j in reversed(range(len(intervals)))
                    if op.allowed(*(intervals[k] for k in operands[:-1]), intervals[j])]
            if fits:
                operands = operands[:-1] + (fits[0],)
            else:
                name, op = "add", EXPRESSION_OPS["add"]
                operands = (operands + operands)[:2]
        instructions.append((name, operands))
        intervals.append(op.bounds(*(intervals[j] for j in operands)))
    return Expression(n_inputs, tuple(instructions), input_range)


def expression_inputs(expression: Expression) -> st.SearchStrategy[list[float]]:
    """Input lists for ``expression``, inside its input range (edges 0 and ±range included)."""
    r = expression.input_range
    x = st.one_of(st.sampled_from((0.0, r, -r, 1e-300)), st.floats(-r, r))
    return st.lists(x, min_size=expression.n_inputs, max_size=expression.n_inputs)
