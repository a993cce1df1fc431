"""Shared machinery for the proof tests: one op's derivatives three ways, and the tolerances.

Tolerances, and why:

- **Reverse vs forward mode.**  The rules are written twice (``ops.py`` and ``forward.py``,
  in different forms), so they agree to rounding: relative 1e-12, plus ``SUBNORMAL`` absolute
  (below 2⁻¹⁰²² floats carry fewer digits).  Derived ops that add terms of opposite signs
  (swish) also get an absolute ``8ε·scale``.
- **The step of a central difference** (:func:`step`) is ``ε^(1/3)·s``: ``s`` is the distance
  to the singular point for log, log1p, sqrt, x**k and 1/b (their derivatives vary on that
  scale), and 1 for every other op (exp, tanh, logaddexp ... vary on a scale of 1).  It is
  never below 16 ulp of x, so that x ± h differ from x by more than its rounding; where even
  that is impossible (within a few ulp of a singular point) no difference is formed and the
  point is checked by reverse = forward only.  For unit-scale ops 16 ulp exceed 1e-2 beyond
  |x| ≈ 1e13, where no step can resolve them (:func:`resolvable`): reverse = forward only.
- **The comparison** allows ``rtol 1e-6`` plus the rounding error of the two evaluations,
  ``4ε·max|f(x±h)|/(2h)`` (plus 2⁻¹⁰⁷⁴ per value below the normal range), plus the truncation
  error estimated Richardson-style as ``|D(h) − D(2h)|`` (about 3 times the h²·|f⁽³⁾|/6 of
  D(h)).  The estimate cannot hide a wrong derivative: a wrong rule is off by the same amount
  from D(h) and D(2h), which agree with each other.
- **Second derivatives** difference a reverse-mode first derivative; where that has an
  absolute error (swish, see :func:`rule_abs_error`) it enters the allowance as ``3·error/h``.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence

from hypothesis import assume, settings

from autograd import Value, functional as F, ops
from autograd.forward import Dual
from autograd.graph import grad

#: Per-op property tests run for every row of a table; half the profile's examples each
#: (ci: 50 per op) keeps the suite fast, ``HYPOTHESIS_PROFILE=thorough`` still scales up.
PER_OP = settings(max_examples=max(20, settings.default.max_examples // 2))
SECOND_ORDER = settings(max_examples=max(15, settings.default.max_examples // 3))

EPS = 2.0 ** -52
SUBNORMAL = 8.0 * 2.0 ** -1022  # absolute allowance: below the normal range digits are lost
CBRT_EPS = EPS ** (1.0 / 3.0)



def _singular(op_name: str, i: int) -> float | None:
    """Where argument ``i`` of ``op_name`` is singular (its record's domain), or None."""
    record = ops.REGISTRY[op_name]
    return record.domain_of(i).singular if i < record.arity else None


def worked_example() -> tuple[Value, Value, Value, Value, Value]:
    """The seeds' e = (a + b)(b + 1) at a = 2, b = 1, every node labelled: (a, b, c, d, e)."""
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b; c.label = "c"
    d = b + 1; d.label = "d"
    e = c * d; e.label = "e"
    return a, b, c, d, e


def step(op_name: str, i: int, x: float) -> float | None:
    """The central-difference step for argument ``i`` of ``op_name`` at ``x``, or None where
    no step can be formed (within a few ulp of a singular point, e.g. log1p at −1 + 2ε)."""
    p = _singular(op_name, i)
    floor = 16.0 * math.ulp(x)  # x ± h must differ from x by more than its rounding
    if p is not None and x != p:
        h = max(CBRT_EPS * math.fabs(x - p), floor)
        return h if 4.0 * h < math.fabs(x - p) else None
    return max(CBRT_EPS, floor)


def resolvable(op_name: str, h: float | None) -> bool:
    """Can a central difference with step ``h`` resolve ``op_name``'s derivative?"""
    # unit-scale ops (their records say so: exp, tanh, ...) vary on a scale of 1 whatever |x|
    # is: a central difference needs a step well below 1, which 16 ulp of x provide only for
    # |x| ≲ 1e13 (h ≤ 1e-2).
    unit = any(d.unit_scale for d in _domains(op_name))
    return h is not None and (h <= 1e-2 or not unit)


def _domains(op_name: str) -> list:
    record = ops.REGISTRY[op_name]
    return [record.domain_of(i) for i in range(record.arity)]


def rule_abs_error(op_name: str, args: Sequence[float]) -> float:
    """Absolute error of the reverse-mode first derivative beyond relative rounding.

    Every primitive's rule is relative-accurate (tanh', σ' and expm1' are computed from x, not
    from the rounded output).  swish' = σ(x) + x·σ'(x) adds two terms of opposite signs for
    x < 0, so near its zero (x ≈ −1.28) it is accurate to about ε·max(1, |x|) *absolute*.
    A central difference of such a first derivative must allow for that noise.
    """
    return ops.REGISTRY[op_name].abs_error * EPS * max(1.0, math.fabs(args[0]))


def central(f, xs: Sequence[float], i: int, h: float) -> tuple[float, float]:
    """(central difference of f along input i, its rounding + truncation error bound)."""
    d, noise = _central(f, xs, i, h)
    d2, noise2 = _central(f, xs, i, 2.0 * h)
    return d, noise + noise2 + math.fabs(d - d2)


def _central(f, xs: Sequence[float], i: int, h: float) -> tuple[float, float]:
    xs = list(xs)
    x = xs[i]
    h = (x + h) - x
    up, down = list(xs), list(xs)
    up[i], down[i] = x + h, x - h
    fu, fd = f(*up), f(*down)
    d = (fu - fd) / (2.0 * h)
    # relative rounding (ε each) and absolute rounding below the normal range (2^-1074 each)
    noise = (4.0 * EPS * max(math.fabs(fu), math.fabs(fd)) + 4.0 * 2.0 ** -1074) / (2.0 * h) \
        if math.isfinite(d) else math.inf
    return d, noise


def close(a: float, b: float, atol: float, rtol: float) -> bool:
    if a == b:
        return True
    return math.fabs(a - b) <= atol + rtol * max(math.fabs(a), math.fabs(b))


def reverse(fn, args: Sequence[float], differentiable: Sequence[bool]) -> tuple[Any, list]:
    """(output Value, gradient list) by reverse mode; constant arguments stay floats."""
    leaves = [Value(a) if d else a for a, d in zip(args, differentiable)]
    out = fn(*leaves)
    out.backward()
    return out, [leaf.grad if d else None for leaf, d in zip(leaves, differentiable)]


def forward(fn, args: Sequence[float], i: int, differentiable: Sequence[bool]) -> Dual:
    duals = [Dual(a, 1.0 if j == i else 0.0) if d else a
             for j, (a, d) in enumerate(zip(args, differentiable))]
    return fn(*duals)


def hessian_row(fn, args: Sequence[float], i: int, differentiable: Sequence[bool]) -> list:
    """Row i of the Hessian by reverse-over-reverse (``grad(..., create_graph=True)``)."""
    leaves = [Value(a) if d else a for a, d in zip(args, differentiable)]
    variables = [v for v in leaves if isinstance(v, Value)]
    out = fn(*leaves)
    g = grad(out, variables, create_graph=True)[variables.index(leaves[i])]
    if not isinstance(g, Value):
        return [0.0] * len(variables)
    return [float(h) for h in grad(g, variables)]


def assert_hessian_entry(op_name: str, fn, args: Sequence[float], differentiable, i: int,
                         j: int, entry: float, h: float) -> None:
    """``entry`` (∂²f/∂xⱼ∂xᵢ by reverse over reverse) against central differences, step ``h``
    in xⱼ, of the reverse-mode ∂f/∂xᵢ; the rule's own rounding error counts as noise."""
    def d_i(*xs):
        return reverse(fn, xs, differentiable)[1][i]
    numeric, noise = central(d_i, args, j, h)
    noise += 3.0 * rule_abs_error(op_name, args) / h  # |d(x±h) errors| / 2h, at h and 2h
    assume(math.isfinite(numeric))
    assert close(entry, numeric, noise + 1e-300, 1e-5), \
        (op_name, args, i, j, entry, numeric, noise)


def first_derivative(fn, args: Sequence[float], i: int, differentiable: Sequence[bool]) -> float:
    return reverse(fn, args, differentiable)[1][i]


def primitive_fn(op: ops.Primitive):
    """The primitive as a function of floats, Values or Duals."""
    return lambda *args: F.apply(op, *args)


def differentiable_args(op_name: str, arity: int) -> tuple[bool, ...]:
    """Which arguments are variables: all but the constant exponent of ``x ** k``."""
    return (True, False) if op_name == "pow" else (True,) * arity


def assert_reverse_forward_central(op_name: str, fn, args: Sequence[float], var, i: int,
                                   out: Value, gradient: float, atol: float = SUBNORMAL,
                                   kinks: Sequence[float] = ()) -> None:
    """∂out/∂args[i] from reverse mode (``gradient``) against forward mode, then against
    central differences where a step resolves the op and does not straddle a kink (at a
    kink itself the ½/½ convention is exactly the symmetric difference)."""
    dual = forward(fn, args, i, var)
    assert dual.value == out.data
    assert close(gradient, dual.tangent, atol, 1e-12), \
        (op_name, args, i, gradient, dual.tangent)
    h = step(op_name, i, args[i])
    if not resolvable(op_name, h) or 0.0 < distance_to_kink(op_name, args, kinks) < 4.0 * h:
        return  # checked by reverse = forward only
    numeric, noise = central(fn, args, i, h)
    assert close(gradient, numeric, noise + 1e-300, 1e-6), \
        (op_name, args, i, gradient, numeric, noise)


def distance_to_kink(op_name: str, args: Sequence[float], kinks: Sequence[float]) -> float:
    """How far the arguments are from a point where the op is not differentiable."""
    if op_name in ("max", "minimum"):
        return math.fabs(args[0] - args[1])
    if not kinks:
        return math.inf
    return min(math.fabs(args[0] - k) for k in kinks)


def cluster_bodies(source):
    """{cluster name: the DOT lines inside it (nested clusters included)}."""
    bodies, stack = {}, []
    for line in source.splitlines():
        found = re.match(r"\s*subgraph (\w+) \{", line)
        if found:
            stack.append(found.group(1))
            bodies[found.group(1)] = []
            continue
        if line.strip() == "}" and stack:
            stack.pop()
            continue
        for name in stack:
            bodies[name].append(line)
    return bodies
