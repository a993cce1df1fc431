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
from typing import Any, Callable, Optional, Union

from . import ops  # noqa: F401  (the doctests use it)
from .ops import (ADD, DIV, EVERYWHERE, EXP, EXPM1, LOG, LOG1P, LOGADDEXP, MAX, MUL, POW,
                  POSITIVE, SIGMOID, TANH, Derived, Domain, Primitive, register)
from .value import Value, _binary, _Meta, _unary, method_for

__all__ = [
    "apply", "derived", "exp", "log", "log1p", "expm1", "maximum",
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
    return op(*args)


def derived(name: Optional[str] = None, *, arity: Optional[int] = None,
            symbol: Optional[str] = None, domain: Union[Domain, tuple] = EVERYWHERE,
            ulps: Optional[tuple] = None, method: Optional[str] = None,
            operator: Optional[str] = None, cli: Optional[str] = None,
            params: tuple[str, ...] = (), abs_error: float = 0.0, reference_for: str = "",
            grouped: bool = True, reason: str = "") -> Callable[[Callable], Callable]:
    """Declare a derived op: a function of primitives, with the facts every tool reads.

    The decorated function runs on floats, Values and Duals (write it with operators and
    this module's functions); on Values its output node remembers the op (``node.group``), so
    pictures and the stepper draw it as one box.  ``arity`` defaults to the number of
    parameters without defaults; ``params`` names the optional numeric ones after them.

    >>> @derived("softsign_doc", method="softsign_doc")
    ... def softsign(x):
    ...     return x / (1.0 + abs(x))
    >>> from autograd import Value
    >>> y = Value(1.0).softsign_doc(); y.data, y.group[0]
    (0.5, 'softsign_doc')
    """
    def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
        op_name = name or fn.__name__
        n = ops._arity_of(fn, op_name) if arity is None else arity
        shown = symbol or op_name
        op = _grouping(fn, shown, n) if grouped else fn
        register(Derived(op_name, n, op, params=params, reference_for=reference_for,
                         symbol=shown, domain=domain, ulps=ulps, method=method,
                         operator=operator, cli=cli, abs_error=abs_error, reason=reason))
        return op
    return declare


def _grouping(fn: Callable[..., Any], name: str, arity: int) -> Callable[..., Any]:
    """``fn`` whose Value output remembers ``(name, inputs)``; a one-input op whose output's
    first parent is its input shares one meta among all its nodes (no allocation)."""
    shared = _Meta.shared_group(name)

    def op(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        if out.__class__ is Value and out._op is not None:
            if arity == 1 and out._meta is None and out._a is args[0]:
                out._meta = shared
            else:
                out._ensure_meta().group = (name, args[:arity])
        return out
    op.__name__ = op.__qualname__ = fn.__name__
    op.__doc__ = fn.__doc__
    op.__wrapped__ = fn
    return op


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


# --- derived ops: one declaration each -----------------------------------------------------------
_KINK0 = Domain(kinks=(0.0,))


@derived(operator="neg", ulps=(0, 0, 0))
def neg(x: Any) -> Any:
    """−x = x · (−1); exact."""
    return apply(MUL, x, -1.0)


@derived(operator="sub", ulps=(1, 0, 0))
def sub(a: Any, b: Any) -> Any:
    """a − b = a + (−b); exact (one rounding, as float subtraction)."""
    return apply(ADD, a, neg(b))


def truediv(a: Any, b: Any) -> Any:
    """a / b (the primitive ``div``: exact, ``(a/b).data == a.data / b.data``)."""
    return apply(DIV, a, b)


def pow(x: Any, y: Any) -> Any:  # noqa: A001 - mirrors operator.pow
    """xʸ, the ``**`` primitive (C's ``pow``: exact for 2³, (−2)², 0⁰ = 1), constant or
    variable exponent.  Partials y·x^(y−1) and xʸ·ln x (see :data:`autograd.ops.POW`).

    >>> pow(2.0, 10), pow(-2.0, 2)
    (1024.0, 4.0)
    """
    return apply(POW, x, y)


@derived(operator="abs", cli="abs", domain=_KINK0, ulps=(0, 0, 0))
def abs(x: Any) -> Any:  # noqa: A001
    """|x| = max(x, −x).  At 0 the tie gives ½·1 + ½·(−1) = 0; |−0.0| = +0.0 because
    ``max`` is IEEE's maximum (max(−0, +0) = +0).

    >>> abs(-0.0)
    0.0
    """
    return maximum(x, neg(x))


@derived(symbol="min", method="minimum", cli="min", domain=_KINK0)
def minimum(a: Any, b: Any) -> Any:
    """min(a, b) = −max(−a, −b); a tie splits the gradient ½/½."""
    return neg(maximum(neg(a), neg(b)))


_maximum = method_for(MAX)


@derived(method="relu", cli="relu", domain=_KINK0, ulps=(0, 0, 0))
def relu(x: Any) -> Any:
    """max(x, 0).  ``relu'(0) = ½`` (the max tie convention).

    >>> relu(-2.0), relu(3.0)
    (0.0, 3.0)
    """
    if x.__class__ is Value:  # the hot path (every hidden unit of an MLP): no dispatch
        return _maximum(x, 0.0)
    return apply(MAX, x, 0.0)


@derived(reference_for="sigmoid", grouped=False)
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


@derived(reference_for="tanh", grouped=False)
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


@derived(reference_for="logaddexp", grouped=False)
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


@derived(method="softplus", cli="softplus", ulps=(2, 3, 4),
         domain=Domain(extra=(-40.0, 40.0, -800.0, 800.0), unit_scale=True))
def softplus(x: Any) -> Any:
    """ln(1 + eˣ) = logaddexp(x, 0); softplus' = σ(x) (½ at 0), softplus'' = σ(1 − σ).

    >>> softplus(0.0) == math.log(2), softplus(-40.0) > 0.0
    (True, True)
    """
    return apply(LOGADDEXP, x, 0.0)


@derived(cli="leaky_relu", params=("slope",), domain=_KINK0, ulps=(1, 1, 0))
def leaky_relu(x: Any, slope: float = 0.01) -> Any:
    """max(x, slope·x) for 0 ≤ slope ≤ 1; at 0 the gradient is (1 + slope)/2."""
    if not 0.0 <= slope <= 1.0:
        raise ValueError(f"leaky_relu slope must be in [0, 1], got {slope!r}")
    return maximum(x, slope * x)


@derived(cli="elu", params=("alpha",), domain=Domain(kinks=(0.0,), unit_scale=True),
         ulps=(1, 1, 1))
def elu(x: Any, alpha: float = 1.0) -> Any:
    """x for x > 0, α(eˣ − 1) otherwise = max(x, 0) + α·expm1(min(x, 0)).

    Gradient at 0 is (1 + α)/2 (both max ties split).
    """
    return relu(x) + alpha * expm1(minimum(x, 0.0))


@derived(cli="hard_sigmoid", domain=Domain(kinks=(-2.0, 2.0)), ulps=(1, 0, 0))
def hard_sigmoid(x: Any) -> Any:
    """The seeds' hard-logistic: max(min(0.25x + 0.5, 1), 0)."""
    return maximum(minimum(0.25 * x + 0.5, 1.0), 0.0)


hard_logistic = hard_sigmoid


@derived(cli="hard_tanh", domain=Domain(kinks=(-1.0, 1.0)), ulps=(0, 0, 0))
def hard_tanh(x: Any) -> Any:
    """max(min(x, 1), −1)."""
    return maximum(minimum(x, 1.0), -1.0)


# swish' = σ(x) + x·σ'(x) adds two terms of opposite signs for x < 0: near its zero
# (x ≈ −1.28) it is accurate to about 4ε·max(1, |x|) absolute (abs_error), and its
# derivatives cross zero, where no relative (ulp) bound can hold for a composite.
_SWISH = Domain(high=1e150, low=-1e150, extra=(-40.0, 40.0), unit_scale=True)


@derived(cli="swish", params=("beta",), domain=_SWISH, ulps=(3, None, None), abs_error=4.0)
def swish(x: Any, beta: float = 1.0) -> Any:
    """x·σ(βx) (SiLU when β = 1)."""
    return x * sigmoid(beta * x)


@derived(cli="silu", domain=_SWISH, abs_error=4.0)
def silu(x: Any) -> Any:
    """x·σ(x)."""
    return swish(x, 1.0)


@derived(method="sqrt", cli="sqrt", domain=POSITIVE, ulps=(1, 1, 1))
def sqrt(x: Any) -> Any:
    """√x = x ** 0.5 (correctly rounded, as ``math.sqrt``); √x' = 1/(2√x), +inf at 0."""
    return apply(POW, x, 0.5)


# --- views of the registry, for the tests and tools that list the built-in ops ------------------

_BUILTIN = [r for r in ops.derived_ops()]

#: Each fused primitive's reference composite, held equal to it by the tests.
REFERENCES = {r.reference_for: r.fn for r in _BUILTIN if r.reference_for}

#: Every built-in derived op with its arity (composite references excluded).
DERIVED = {r.name: (r.fn, r.arity) for r in _BUILTIN if not r.reference_for}

#: Accuracy in ulps against the exact result (mpmath at 50 digits), of the value and of the
#: first and second derivative, from each op's record (``ulps``); tests/test_mpmath_oracle.py
#: holds every op to it.  ``None``: not bounded in ulps.  For ``pow`` the bound is at moderate
#: arguments (x in [1e-3, 1e3], |y| ≤ 40); x**k's second derivative k(k−1)·x^(k−2) overflows
#: where x^(k−2) alone does (sqrt'' below x ≈ 1e-205).  logaddexp's derivatives σ(±(a − b))
#: carry the rounding of a − b: their bound is times (1 + |a − b|), and its value's is times
#: (1 + its condition number Σ|xᵢ ∂f/∂xᵢ|/|f|).  ``div``'s ∂/∂b = −out/b holds where a/b is a
#: normal float (a subnormal out has fewer digits).  pow's cross derivative x^(y−1)(1 + y ln x)
#: is a sum of two terms: bounded in ulps of the larger, and pow's derivative bounds are times
#: (1 + |ln x|) (the exponents y − 1, y − 2 round).
ULP_BOUNDS: dict[str, tuple] = {r.name: r.ulps for r in ops.primitives() + _BUILTIN
                                if r.ulps is not None}
