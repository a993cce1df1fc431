"""Hypothesis strategies for property-testing gradients, yours and the engine's.

This module imports ``hypothesis`` (a test dependency: ``pip install "pathgrad[test]"``); the
engine itself never imports it.

- :func:`domain_floats` — floats where an op's value and derivative are finite, with its
  extremes and edges (0, ±1e-300, ±700, ±1e300 where defined) and kinks drawn often;
  :func:`arguments` — whole argument tuples for an op (ties included for ``max``).
- :func:`values` — leaf :class:`~autograd.value.Value` nodes.
- :func:`expressions` — random expression DAGs with shared subexpressions, as a small
  program (:class:`Expression`) that runs on floats, Values and Duals and prints readably.
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
import operator
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from hypothesis import strategies as st

from . import functional as F
from . import ops
from .check import _close, default_step, numerical_gradient, reverse_gradient
from .errors import GradcheckError
from .forward import forward_gradient
from .value import Value

__all__ = [
    "EDGES", "Domain", "DOMAINS", "POW_EXPONENTS", "domain_floats", "arguments", "values",
    "Expression", "EXPRESSION_OPS", "SMOOTH_OPS", "KINKED_OPS", "expressions",
    "expression_inputs", "assert_gradients_match",
]

#: The extremes every domain is probed at, where the op is defined there.
EDGES: tuple[float, ...] = (0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 700.0, -700.0,
                            1e300, -1e300)

_BIG = 1e300


@dataclass(frozen=True)
class Domain:
    """Where an op (one argument of it) has a finite value and a finite derivative.

    ``low``/``high`` bound the interval, ``open_low`` excludes ``low`` itself; ``kinks`` are
    points where the op is not differentiable (the ½/½ tie convention applies there).
    """

    low: float = -_BIG
    high: float = _BIG
    open_low: bool = False
    kinks: tuple[float, ...] = ()
    extra: tuple[float, ...] = ()

    def contains(self, x: float) -> bool:
        if self.open_low and x == self.low:
            return False
        return self.low <= x <= self.high

    def edges(self) -> list[float]:
        """The extremes, kinks and special points inside the domain, in a fixed order."""
        points = [x for x in EDGES + self.kinks + self.extra if self.contains(x)]
        for bound in (self.low, self.high):
            if self.contains(bound):
                points.append(bound)
        unique: list[float] = []
        for x in points:
            if not any(x == u and math.copysign(1, x) == math.copysign(1, u) for u in unique):
                unique.append(x)
        return unique


_ALL = Domain()
_EXP = Domain(high=709.78, extra=(-745.0, 709.5))          # e^709.7828 overflows
_POSITIVE = Domain(low=0.0, open_low=True, extra=(5e-324, 1e-10, 0.5, 2.0))
#: Domains by op name (primitives and derived ops); binary ops use it for each argument.
DOMAINS: dict[str, Domain] = {
    "add": _ALL, "mul": _ALL, "max": _ALL, "sub": _ALL, "minimum": _ALL, "logaddexp": _ALL,
    "exp": _EXP, "expm1": _EXP,
    "log": _POSITIVE, "sqrt": _POSITIVE,
    "log1p": Domain(low=-1.0, open_low=True, extra=(-1.0 + 2 ** -52, -0.5, 1e-17)),
    "div": _ALL, "truediv": _ALL, "pow": _ALL,
    "tanh": Domain(extra=(20.0, -20.0, 1e-8)), "sigmoid": Domain(extra=(40.0, -40.0, 1e-8)),
    "neg": _ALL, "abs": Domain(kinks=(0.0,)), "relu": Domain(kinks=(0.0,)),
    "leaky_relu": Domain(kinks=(0.0,)), "elu": Domain(kinks=(0.0,)),
    "hard_sigmoid": Domain(kinks=(-2.0, 2.0)), "hard_tanh": Domain(kinks=(-1.0, 1.0)),
    "softplus": Domain(extra=(-40.0, 40.0, -800.0, 800.0)),
    "swish": Domain(high=1e150, low=-1e150, extra=(-40.0, 40.0)),
    "silu": Domain(high=1e150, low=-1e150, extra=(-40.0, 40.0)),
}

#: Constant exponents drawn for ``x ** k``.
POW_EXPONENTS: tuple[float, ...] = (2.0, 3.0, -1.0, -2.0, 0.0, 1.0, 0.5, 1.5, -0.5, 2.5, 4.0)


def domain_floats(op_name: str) -> st.SearchStrategy[float]:
    """Floats where ``op_name`` (one argument of it) has a finite value and derivative,
    drawing the domain's edges and kinks about a third of the time.

    >>> from hypothesis import find
    >>> find(domain_floats("log"), lambda x: x < 1e-200) > 0.0
    True
    """
    try:
        domain = DOMAINS[op_name]
    except KeyError:
        raise ValueError(f"no domain for op {op_name!r}; known: {sorted(DOMAINS)}") from None
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
    if op_name == "pow":
        return _pow_arguments()
    prim = ops.BY_NAME.get(op_name)
    if prim is not None:
        arity, forward = prim.arity, prim.forward
    else:
        fn, arity = F.DERIVED[op_name]
        forward = fn
    x = domain_floats(op_name)
    if arity == 1:
        drawn = x.map(lambda v: (v,))
    else:
        drawn = st.one_of(st.tuples(x, x), x.map(lambda v: (v, v)),
                          st.tuples(x, st.floats(-4, 4)).map(lambda p: (p[0], p[0] + p[1])))
        if op_name in ("div", "truediv"):
            drawn = drawn.filter(lambda ab: ab[1] != 0.0)
    return drawn.filter(lambda args: _finite(forward(*args)))


def values(elements: Optional[st.SearchStrategy[float]] = None, *,
           requires_grad: bool = True) -> st.SearchStrategy[Value]:
    """Leaf Values whose data are drawn from ``elements`` (finite floats by default)."""
    if elements is None:
        elements = st.floats(allow_nan=False, allow_infinity=False)
    return elements.map(lambda x: Value(x, requires_grad=requires_grad))


# --- random expression DAGs --------------------------------------------------------------------

def _interval_mul(a: tuple, b: tuple) -> tuple:
    products = [x * y for x in a for y in b]
    return min(products), max(products)


def _monotone(f: Callable[[float], float]) -> Callable[[tuple], tuple]:
    return lambda a: (f(a[0]), f(a[1]))


def _math_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _math_softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-math.fabs(x)))


@dataclass(frozen=True)
class _ExprOp:
    arity: int
    generic: Callable[..., Any]          # floats, Values or Duals (autograd.functional)
    reference: Callable[..., float]      # plain floats, from math
    bounds: Callable[..., tuple]         # interval of the result from intervals of inputs
    allowed: Callable[..., bool]         # may the op take operands with these intervals?


def _always(*_: tuple) -> bool:
    return True


#: Ops random expressions are made of: generic form, ``math`` reference, interval rule and
#: the condition under which the op may be used (so every expression is well conditioned:
#: log only of operands ≥ 0.05, division by operands of size ≥ 0.05, exp of operands ≤ 20,
#: products bounded by 1e4).
EXPRESSION_OPS: dict[str, _ExprOp] = {
    "add": _ExprOp(2, operator.add, operator.add,
                   lambda a, b: (a[0] + b[0], a[1] + b[1]), _always),
    "sub": _ExprOp(2, operator.sub, operator.sub,
                   lambda a, b: (a[0] - b[1], a[1] - b[0]), _always),
    "mul": _ExprOp(2, operator.mul, operator.mul, _interval_mul,
                   lambda a, b: max(map(math.fabs, _interval_mul(a, b))) <= 1e4),
    "div": _ExprOp(2, F.truediv, operator.truediv,
                   lambda a, b: _interval_mul(a, (1.0 / b[1], 1.0 / b[0])),
                   lambda a, b: b[0] >= 0.05 or b[1] <= -0.05),
    "neg": _ExprOp(1, F.neg, operator.neg, lambda a: (-a[1], -a[0]), _always),
    "exp": _ExprOp(1, F.exp, math.exp, _monotone(math.exp), lambda a: a[1] <= 20.0),
    "log": _ExprOp(1, F.log, math.log, _monotone(math.log), lambda a: a[0] >= 0.05),
    "tanh": _ExprOp(1, F.tanh, math.tanh, _monotone(math.tanh), _always),
    "sigmoid": _ExprOp(1, F.sigmoid, _math_sigmoid, _monotone(_math_sigmoid), _always),
    "softplus": _ExprOp(1, F.softplus, _math_softplus, _monotone(_math_softplus), _always),
    "max": _ExprOp(2, F.maximum, max, lambda a, b: (max(a[0], b[0]), max(a[1], b[1])),
                   _always),
    "relu": _ExprOp(1, F.relu, lambda x: max(x, 0.0), _monotone(lambda x: max(x, 0.0)),
                    _always),
    "abs": _ExprOp(1, F.abs, math.fabs,
                   lambda a: (0.0 if a[0] <= 0.0 <= a[1] else min(map(math.fabs, a)),
                              max(map(math.fabs, a))), _always),
}

#: Smooth ops: derivatives exist everywhere, so central differences apply.
SMOOTH_OPS: tuple[str, ...] = ("add", "sub", "mul", "div", "neg", "exp", "log", "tanh",
                               "sigmoid", "softplus")
#: Ops with kinks (ties in max): reverse and forward mode still agree (same ½/½ convention).
KINKED_OPS: tuple[str, ...] = ("max", "relu", "abs")


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


# --- the three-line property test ------------------------------------------------------------

def assert_gradients_match(f: Callable[..., Any], xs: Sequence[float], *,
                           forward: bool = True, numeric: bool = True, rtol: float = 1e-5,
                           atol: float = 1e-8) -> None:
    """Assert that reverse mode, forward mode and central differences agree on ``f`` at ``xs``.

    ``f`` takes one Value (or Dual) per input and uses operators and
    :mod:`autograd.functional` ops.  Raises :class:`~autograd.errors.GradcheckError` naming
    every disagreeing input.  Tolerances:

    - reverse vs forward mode: relative 1e-10, absolute 1e-12·max(1, |f|, |gradient|).  The
      rules are relative-accurate one by one; the absolute part is there because the chain
      rule adds terms, and where terms of opposite signs cancel the two modes (which round
      differently) agree only to about ε times the terms;
    - reverse vs central differences (step ε^(1/3)·max(1, |x|)): ``atol + rtol·|g|`` plus the
      differences' own rounding error 4ε·max(1, |f|)/h.

    >>> assert_gradients_match(lambda x, y: (x * y).tanh() + x.exp() / y, [0.3, -2.0])
    >>> assert_gradients_match(lambda x: x.relu(), [0.0])     # ½ matches (h − 0) / 2h
    """
    xs = [float(x) for x in xs]
    reverse = reverse_gradient(f, xs)
    scale = _scale(f, xs)
    problems = []
    if forward:
        fwd = forward_gradient(f, xs)
        modes_atol = 1e-12 * max([scale] + [math.fabs(g) for g in reverse if math.isfinite(g)])
        for i, (r, d) in enumerate(zip(reverse, fwd)):
            if not _close(r, d, modes_atol, 1e-10):
                problems.append(f"  input {i}: reverse {r!r} != forward {d!r}")
    if numeric:
        num = numerical_gradient(_on_values(f), xs)
        for i, (r, n) in enumerate(zip(reverse, num)):
            h = default_step(xs[i])
            noise = 4 * 2.0 ** -52 * scale / h
            if not _close(r, n, atol + noise, rtol):
                problems.append(f"  input {i}: reverse {r!r} != central difference {n!r} "
                                f"(h={h:.3g}, rounding allowance {noise:.3g})")
    if problems:
        name = getattr(f, "__name__", None) or repr(f)
        raise GradcheckError(f"gradients of {name:.600} disagree at {xs!r}:\n"
                             + "\n".join(problems))


def _on_values(f: Callable[..., Any]) -> Callable[..., Any]:
    def on_values(*a: float) -> float:
        y = f(*(Value(t) for t in a))
        return y.data if isinstance(y, Value) else float(y)
    return on_values


def _scale(f: Callable[..., Any], xs: list[float]) -> float:
    """max(1, |f(xs)|): the size rounding errors in differences of f are measured against."""
    y = _on_values(f)(*xs)
    return max(1.0, math.fabs(y)) if math.isfinite(y) else 1.0
