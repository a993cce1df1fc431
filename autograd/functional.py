"""Derived ops: algebra on the primitives, stable over the whole float range.

Every function here accepts floats, :class:`~autograd.value.Value` nodes or
:class:`~autograd.forward.Dual` numbers, so one definition serves plain evaluation, the
reverse-mode graph and forward mode alike.  On Values the output node remembers which derived
op made it (``node.group``), so pictures and the stepper can draw ``tanh`` as one box or open
it into its primitives.

Ties in ``max`` split the gradient ½/½ (see :mod:`autograd.ops`); the kink conventions below
follow from that.

>>> softplus(-800.0), softplus(800.0)
(0.0, 800.0)
>>> from autograd import Value
>>> x = Value(0.0)
>>> y = relu(x); y.backward(); x.grad
0.5
"""

from __future__ import annotations

import math  # noqa: F401  (the doctests use it)
import numbers
from typing import Any, Optional

from . import ops  # noqa: F401  (the doctests use it)
from .errors import OperandTypeError
from .ops import (ADD, DIV, EXP, EXPM1, LOG, LOG1P, LOGADDEXP, MAX, MUL, POW, SIGMOID, TANH,
                  Primitive)
from .value import _METHODS, Value, _binary, _lift, _Meta, _unary

__all__ = [
    "apply", "exp", "log", "log1p", "expm1", "maximum",
    "neg", "sub", "truediv", "pow", "abs", "minimum", "relu", "sigmoid", "tanh", "softplus",
    "logaddexp", "leaky_relu", "elu", "hard_sigmoid", "hard_logistic", "hard_tanh", "swish",
    "silu", "sqrt", "REFERENCES", "DERIVED", "ULP_BOUNDS",
]


def apply(op: Primitive, *args: Any) -> Any:
    """Apply a primitive to floats, Values or Duals (whichever the arguments are).

    >>> apply(ops.MUL, 2.0, 3)
    6.0
    """
    first = args[0]
    if first.__class__ is Value:  # the hot path: a Value first
        return _unary(op, first) if op.arity == 1 else _binary(op, first, args[1])
    for x in args:
        if isinstance(x, Value):
            return _binary(op, _lift(first, op.symbol), args[1])
    for x in args:
        if isinstance(x, _forward.Dual):
            return _forward.Dual.apply(op, *args)
    return op.forward(*(_as_float(x, op) for x in args))


def _as_float(x: Any, op: Primitive) -> float:
    if isinstance(x, numbers.Real):
        return float(x)
    raise OperandTypeError(f"unsupported operand for {op.name}: {type(x).__name__} {x!r:.60}")


def _grouped(name: str, out: Any, *inputs: Any) -> Any:
    """Mark ``out`` as the output of derived op ``name`` applied to ``inputs``."""
    if out.__class__ is Value and out._op is not None:
        out._ensure_meta().group = (name, inputs)
    return out


def _grouped1(meta: _Meta, out: Any) -> Any:
    """Mark ``out`` as the output of a one-input derived op whose input is ``out``'s first
    parent, with a shared meta (no allocation on this hot path)."""
    if out.__class__ is Value and out._op is not None:
        if out._meta is None:
            out._meta = meta
        else:
            out._ensure_meta().group = (meta.group[0], (out._a,))
    return out


_maximum = _METHODS[MAX]
_NEG, _RELU, _SQRT, _SOFTPLUS = (_Meta.shared_group(name)
                                 for name in ("neg", "relu", "sqrt", "softplus"))


# --- primitives, generic over floats, Values and Duals ------------------------------------------

def exp(x: Any) -> Any:
    """eˣ; ``exp(1000) = inf``."""
    return apply(EXP, x)


def log(x: Any) -> Any:
    """ln x; ``log(0) = -inf`` (gradient +inf), ``log(-1) = nan``."""
    return apply(LOG, x)


def log1p(x: Any) -> Any:
    """ln(1 + x), exact for tiny x."""
    return apply(LOG1P, x)


def expm1(x: Any) -> Any:
    """eˣ − 1, exact for tiny x."""
    return apply(EXPM1, x)


def maximum(a: Any, b: Any) -> Any:
    """max(a, b); a tie sends half the gradient to each side."""
    return apply(MAX, a, b)


# --- derived ops ----------------------------------------------------------------------------------

def neg(x: Any) -> Any:
    """−x = x · (−1); exact."""
    return _grouped1(_NEG, apply(MUL, x, -1.0))


def sub(a: Any, b: Any) -> Any:
    """a − b = a + (−b); exact (one rounding, as float subtraction)."""
    return _grouped("sub", apply(ADD, a, neg(b)), a, b)


def truediv(a: Any, b: Any) -> Any:
    """a / b (a primitive: exact, ``(a/b).data == a.data / b.data``)."""
    return apply(DIV, a, b)


def pow(x: Any, y: Any) -> Any:  # noqa: A001 - mirrors operator.pow
    """xʸ, the ``**`` primitive (C's ``pow``: exact for 2³, (−2)², 0⁰ = 1), constant or
    variable exponent.  Partials y·x^(y−1) and xʸ·ln x (see :data:`autograd.ops.POW`).

    >>> pow(2.0, 10), pow(-2.0, 2)
    (1024.0, 4.0)
    """
    return apply(POW, x, y)


def abs(x: Any) -> Any:  # noqa: A001
    """|x| = max(x, −x).  At 0 the tie gives ½·1 + ½·(−1) = 0; |−0.0| = +0.0 because
    ``max`` is IEEE's maximum (max(−0, +0) = +0).

    >>> abs(-0.0)
    0.0
    """
    return _grouped("abs", maximum(x, neg(x)), x)


def minimum(a: Any, b: Any) -> Any:
    """min(a, b) = −max(−a, −b); a tie splits the gradient ½/½."""
    return _grouped("min", neg(maximum(neg(a), neg(b))), a, b)


def relu(x: Any) -> Any:
    """max(x, 0).  ``relu'(0) = ½`` (the max tie convention).

    >>> relu(-2.0), relu(3.0)
    (0.0, 3.0)
    """
    if x.__class__ is Value:  # the hot path (every hidden unit of an MLP): no dispatch
        return _grouped1(_RELU, _maximum(x, 0.0))
    return _grouped1(_RELU, apply(MAX, x, 0.0))


def sigmoid_composite(x: Any) -> Any:
    """Reference for the fused sigmoid: e^(x−m) / (e^(x−m) + e^(−m)), m = max(x, 0).

    Never overflows: both exponents are ≤ 0.
    """
    m = maximum(x, 0.0)
    z = exp(x - m)
    return z / (z + exp(neg(m)))


def sigmoid(x: Any) -> Any:
    """The logistic function 1 / (1 + e^(−x)); σ' = σ(1 − σ).  Fused into one node.

    >>> sigmoid(0.0), sigmoid(-1000.0), sigmoid(1000.0)
    (0.5, 0.0, 1.0)
    """
    return apply(SIGMOID, x)


def tanh_composite(x: Any) -> Any:
    """Reference for the fused tanh: 2σ(2x) − 1 (loses digits near 0 to cancellation)."""
    return 2.0 * sigmoid_composite(2.0 * x) - 1.0


def tanh(x: Any) -> Any:
    """Hyperbolic tangent; tanh' = 1 − tanh² = 4σ(2x)σ(−2x) (the form used: it keeps its
    digits for large |x|, where 1 − tanh² rounds to 0).  Fused: the composite loses digits
    near 0.

    >>> tanh(0.0), tanh(800.0)
    (0.0, 1.0)
    """
    return apply(TANH, x)


def logaddexp_composite(a: Any, b: Any) -> Any:
    """Reference for the fused logaddexp: m + log(e^(a−m) + e^(b−m)), m = max(a, b)."""
    m = maximum(a, b)
    return m + log(exp(a - m) + exp(b - m))


def logaddexp(a: Any, b: Any) -> Any:
    """ln(eᵃ + eᵇ), fused: m + log1p(e^(−|a−b|)), m = max(a, b).  Gradient (σ(a−b), σ(b−a)),
    ½/½ at a tie, smooth to every order.

    >>> logaddexp(1000.0, 1000.0) == 1000.0 + math.log(2)
    True
    """
    return apply(LOGADDEXP, a, b)


def softplus(x: Any) -> Any:
    """ln(1 + eˣ) = logaddexp(x, 0); softplus' = σ(x) (½ at 0), softplus'' = σ(1 − σ).

    >>> softplus(0.0) == math.log(2), softplus(-40.0) > 0.0
    (True, True)
    """
    return _grouped1(_SOFTPLUS, apply(LOGADDEXP, x, 0.0))


def leaky_relu(x: Any, slope: float = 0.01) -> Any:
    """max(x, slope·x) for 0 ≤ slope ≤ 1; at 0 the gradient is (1 + slope)/2."""
    if not 0.0 <= slope <= 1.0:
        raise ValueError(f"leaky_relu slope must be in [0, 1], got {slope!r}")
    return _grouped("leaky_relu", maximum(x, slope * x), x)


def elu(x: Any, alpha: float = 1.0) -> Any:
    """x for x > 0, α(eˣ − 1) otherwise = max(x, 0) + α·expm1(min(x, 0)).

    Gradient at 0 is (1 + α)/2 (both max ties split).
    """
    return _grouped("elu", relu(x) + alpha * expm1(minimum(x, 0.0)), x)


def hard_sigmoid(x: Any) -> Any:
    """The seeds' hard-logistic: max(min(0.25x + 0.5, 1), 0)."""
    return _grouped("hard_sigmoid", maximum(minimum(0.25 * x + 0.5, 1.0), 0.0), x)


hard_logistic = hard_sigmoid


def hard_tanh(x: Any) -> Any:
    """max(min(x, 1), −1)."""
    return _grouped("hard_tanh", maximum(minimum(x, 1.0), -1.0), x)


def swish(x: Any, beta: float = 1.0) -> Any:
    """x·σ(βx) (SiLU when β = 1)."""
    return _grouped("swish", x * sigmoid(beta * x), x)


def silu(x: Any) -> Any:
    """x·σ(x)."""
    return swish(x, 1.0)


def sqrt(x: Any) -> Any:
    """√x = x ** 0.5 (correctly rounded, as ``math.sqrt``); √x' = 1/(2√x), +inf at 0."""
    return _grouped1(_SQRT, apply(POW, x, 0.5))


#: Each fused primitive's reference composite, held equal to it by the tests.
REFERENCES = {"sigmoid": sigmoid_composite, "tanh": tanh_composite,
              "logaddexp": logaddexp_composite}

#: Accuracy in ulps against the exact result (mpmath at 50 digits), of the value and of the
#: first and second derivative (derivative of a derivative, recorded graphs), over the op's
#: whole domain including its extremes; tests/test_mpmath_oracle.py holds every op to it.
#: ``None``: not bounded in ulps — swish's derivatives cross zero, where a relative bound
#: cannot hold for a composite (held there by central differences instead).  For ``pow`` the
#: bound is at moderate arguments (x in [1e-3, 1e3], |y| ≤ 40); x**k's second derivative
#: k(k−1)·x^(k−2) overflows where x^(k−2) alone does (sqrt'' below x ≈ 1e-205).  logaddexp's
#: derivatives σ(±(a − b)) carry the rounding of a − b: their bound is times (1 + |a − b|),
#: and its value's is times (1 + its condition number Σ|xᵢ ∂f/∂xᵢ|/|f|).  ``truediv``'s
#: ∂/∂b = −out/b holds where a/b is a normal float (a subnormal out has fewer digits).  pow's cross
#: derivative x^(y−1)(1 + y ln x) is a sum of two terms: bounded in ulps of the larger, and
#: pow's derivative bounds are times (1 + |ln x|) (the exponents y − 1, y − 2 round).
ULP_BOUNDS: dict[str, tuple[Optional[float], Optional[float], Optional[float]]] = {
    "exp": (1, 1, 1), "log": (1, 1, 2), "log1p": (1, 2, 3), "expm1": (1, 1, 1),
    "sqrt": (1, 1, 1), "neg": (0, 0, 0), "tanh": (2, 4, 6), "sigmoid": (2, 4, 6),
    "softplus": (2, 3, 4), "swish": (3, None, None), "pow": (1, 4, 8),
    "logaddexp": (2, 2, 4), "add": (1, 0, 0), "sub": (1, 0, 0), "mul": (1, 0, 0),
    "truediv": (1, 2, 3), "relu": (0, 0, 0), "abs": (0, 0, 0), "elu": (1, 1, 1),
    "leaky_relu": (1, 1, 0), "hard_tanh": (0, 0, 0), "hard_sigmoid": (1, 0, 0),
}

#: Every derived op with its arity, for tests, strategies and the command line.
DERIVED = {
    "neg": (neg, 1), "sub": (sub, 2), "truediv": (truediv, 2), "pow": (pow, 2),
    "abs": (abs, 1), "minimum": (minimum, 2), "relu": (relu, 1), "sigmoid": (sigmoid, 1),
    "tanh": (tanh, 1), "softplus": (softplus, 1), "logaddexp": (logaddexp, 2),
    "leaky_relu": (leaky_relu, 1), "elu": (elu, 1), "hard_sigmoid": (hard_sigmoid, 1),
    "hard_tanh": (hard_tanh, 1), "swish": (swish, 1), "sqrt": (sqrt, 1),
}

from . import forward as _forward  # noqa: E402  (forward imports this module's names lazily)
