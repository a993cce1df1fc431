"""The primitive table: every operation the engine differentiates, declared once.

Each :class:`Primitive` row gives a name, the symbol drawn in pictures, the arity, the
forward function on floats (IEEE results, never a ``math`` exception) and the *local
derivative rule*: ``local(*inputs, out)`` returns one partial derivative per input.

The rule contract (read before writing a row):

- ``inputs`` and ``out`` are floats during an ordinary backward pass, and Values when the
  gradient is itself being recorded (``backward(create_graph=True)``); a constant input is
  always passed as a float.  Rules therefore use only ``+ - *``, comparisons, and the
  helpers :func:`div` and :func:`power` below, which accept floats or Values.
- Rules receive the forward result ``out`` so nothing is recomputed (``exp``: ``out``).
- ``max`` splits a tie ½/½, like JAX, HIPS autograd and ``torch.maximum``; it matches central
  differences, and ``max(x, x)`` gets gradient ½ + ½ = 1.

The five primitives of the product are ``add mul max exp log``.  The other rows exist only
where composing those five would give wrong values; each says why in ``reason``.  Rows with
``fuses`` set are derived ops fused into one node for speed and accuracy; their composite
definition stays in :mod:`autograd.functional` as the reference, and the tests hold the two
equal.

>>> MUL.forward(2.0, 3.0), MUL.local(2.0, 3.0, 6.0)
(6.0, (3.0, 2.0))
>>> LOG.forward(0.0), LOG.local(0.0, float("-inf"))
(-inf, (inf,))
>>> MAX.local(1.0, 1.0, 1.0)
(0.5, 0.5)
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Callable

__all__ = [
    "Primitive", "PRIMITIVES", "BY_NAME",
    "ADD", "MUL", "MAX", "EXP", "LOG", "DIV", "POW", "LOG1P", "EXPM1", "TANH", "SIGMOID",
    "LOGADDEXP", "div", "power", "logarithm", "hyperbolic_tangent", "logistic", "exponential",
]

INF = math.inf
NAN = math.nan


# --- IEEE forward functions on floats -------------------------------------------------------

def f_max(a: float, b: float) -> float:
    """max with nan propagation (IEEE 754 maximum): a tie returns ``a``, except that
    max(−0, +0) is +0 (so ``abs(-0.0)`` and ``relu(-0.0)`` are +0.0).

    >>> f_max(-0.0, 0.0), f_max(0.0, -0.0), f_max(-0.0, -0.0)
    (0.0, 0.0, -0.0)
    """
    if a > b or a != a:
        return a
    if a == b:
        return a + b if a == 0.0 else a  # −0 + +0 = +0; equal non-zeros: a
    return b


def f_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def f_log(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -INF if x == 0.0 else NAN


def f_log1p(x: float) -> float:
    if x > -1.0:
        return math.log1p(x)
    return -INF if x == -1.0 else NAN


def f_expm1(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        return INF


def f_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0.0:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _odd_integer(k: float) -> bool:
    return k == int(k) and int(k) % 2 == 1 if math.isfinite(k) else False


def f_pow(x: float, k: float) -> float:
    """``x ** k`` for a constant k with IEEE results (C99 ``pow``); ``k == 0.5`` is ``sqrt``."""
    if k == 0.5:
        return math.sqrt(x) if x >= 0.0 else (INF if x == INF else NAN)
    try:
        return math.pow(x, k)
    except OverflowError:
        return -INF if (x < 0.0 and _odd_integer(k)) else INF
    except ValueError:
        if x == 0.0:  # 0 ** negative
            return math.copysign(INF, x) if _odd_integer(k) else INF
        return NAN  # negative base, non-integer exponent


def f_logaddexp(a: float, b: float) -> float:
    """ln(eᵃ + eᵇ) = m + log1p(e^(−|a−b|)), m = max(a, b)."""
    m = f_max(a, b)
    if m == INF or m == -INF:
        return m
    return m + math.log1p(math.exp(-math.fabs(a - b)))


def f_tanh(x: float) -> float:
    return math.tanh(x)


def f_sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = f_exp(x)  # x < 0: exp cannot overflow
    return e / (1.0 + e)


# --- helpers a rule may call: floats or Values ----------------------------------------------

def div(a: Any, b: Any) -> Any:
    """``a / b`` with IEEE results on floats; on Values, the graph's own division."""
    if a.__class__ is float and b.__class__ is float:
        return f_div(a, b)
    return a / b


def power(x: Any, k: Any) -> Any:
    """``x ** k``: IEEE results on floats, a ``**`` node when either is a Value."""
    if x.__class__ is float and k.__class__ is float:
        return f_pow(x, k)
    return x ** k


def logarithm(x: Any) -> Any:
    """ln x: IEEE on floats, a log node on Values."""
    if x.__class__ is float:
        return f_log(x)
    return x.log()


def exponential(x: Any) -> Any:
    """eˣ: IEEE on floats, an exp node on Values."""
    if x.__class__ is float:
        return f_exp(x)
    return x.exp()


def hyperbolic_tangent(x: Any) -> Any:
    """tanh x: ``math.tanh`` on floats, a tanh node on Values."""
    if x.__class__ is float:
        return math.tanh(x)
    return x.tanh()


def logistic(x: Any) -> Any:
    """σ(x): the stable float sigmoid, or a sigmoid node on Values."""
    if x.__class__ is float:
        return f_sigmoid(x)
    return x.sigmoid()


# --- local derivative rules -------------------------------------------------------------------

def _tanh_local(x, out):
    # tanh' = 1 − tanh² for |x| < ½ (no cancellation there, and its derivative −2·tanh·tanh'
    # keeps relative accuracy near 0), 4σ(2x)σ(−2x) beyond (1 − tanh² rounds to 0 from |x| ≈ 19
    # on).  The branch reads data, so every order differentiates an accurate form.
    if -0.5 < x < 0.5:
        return (1.0 - out * out,)
    return (4.0 * logistic(2.0 * x) * logistic(-2.0 * x),)


def _sigmoid_local(x, out):
    # σ' = ¼(1 − tanh²(x/2)) for |x| < 1 (its derivative −¼·tanh(x/2)·tanh'(x/2) keeps relative
    # accuracy near 0, where σ(x)σ(−x) differentiates to σ(−x) − σ(x), a cancellation),
    # σ(x)σ(−x) beyond (relative accuracy in the tails).
    if -1.0 < x < 1.0:
        t = hyperbolic_tangent(0.5 * x)
        return (0.25 - 0.25 * (t * t),)
    return (out * logistic(-x),)


def _max_local(a, b, out):
    # A subtle one: a tie splits the gradient in half (see the module docstring).
    if a > b:
        return (1.0, 0.0)
    if b > a:
        return (0.0, 1.0)
    return (0.5, 0.5)


def _pow_local(x, y, out):
    # ∂/∂x xʸ = y·x^(y−1), ∂/∂y xʸ = xʸ·ln x, with torch's conventions: ∂/∂x 0⁰ = 0 (x⁰ is
    # flat; elsewhere y·x^(y−1) is already 0 at y = 0 and keeps its own y-derivative) and
    # ∂/∂y = 0 at x = 0 for y ≥ 0 (where 0·ln 0 would be nan); x < 0 gives ∂/∂y = nan
    # (ln x), as in torch.  The branches read data (comparisons, recorded by replay).
    zero_x = x >= 0.0 and x <= 0.0
    dx = 0.0 if (zero_x and y >= 0.0 and y <= 0.0) else y * power(x, y - 1.0)
    if zero_x and y >= 0.0:
        return (dx, 0.0)
    return (dx, out * logarithm(x))


@dataclass(frozen=True, eq=False)
class Primitive:
    """One row of the table: a differentiable operation on floats.

    ``local(*inputs, out)`` returns the partial derivative of ``out`` with respect to each
    input, in argument order.
    """

    name: str
    symbol: str
    arity: int
    forward: Callable[..., float]
    local: Callable[..., tuple]
    reason: str = ""
    fuses: str = ""

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


# name      symbol   arity forward        local derivative rule
ADD = Primitive("add", "+", 2, operator.add, lambda a, b, out: (1.0, 1.0))
MUL = Primitive("mul", "*", 2, operator.mul, lambda a, b, out: (b, a))
MAX = Primitive("max", "max", 2, f_max, _max_local)
EXP = Primitive("exp", "exp", 1, f_exp, lambda x, out: (out,))
LOG = Primitive("log", "log", 1, f_log, lambda x, out: (div(1.0, x),))
DIV = Primitive("div", "/", 2, f_div, lambda a, b, out: (div(1.0, b), -div(out, b)),
                reason="a * b**-1 rounds twice; a/b must equal a.data/b.data exactly")
POW = Primitive("pow", "**", 2, f_pow, _pow_local,
                reason="exp(y*log x) is inexact (2**3 = 7.999999999999998) and fails for "
                       "x <= 0; C's pow is exact at 0, for integers and negative bases")
LOG1P = Primitive("log1p", "log1p", 1, f_log1p, lambda x, out: (div(1.0, 1.0 + x),),
                  reason="log(1 + x) loses every digit of x below 1e-16 (softplus, logaddexp)")
# Rules below use x, not the rounded output, where out-based forms lose relative accuracy:
# expm1' = eˣ (out + 1 cancels for x ≪ 0), σ' = σ(x)σ(−x) (σ(1 − σ) loses it for x ≫ 0),
# tanh' and σ' switch form on the data (see _tanh_local, _sigmoid_local).
EXPM1 = Primitive("expm1", "expm1", 1, f_expm1, lambda x, out: (exponential(x),),
                  reason="exp(x) - 1 cancels near 0 (ELU)")
TANH = Primitive("tanh", "tanh", 1, f_tanh,
                 _tanh_local,
                 fuses="tanh", reason="the composite 2σ(2x) − 1 loses digits near 0")
SIGMOID = Primitive("sigmoid", "sigmoid", 1, f_sigmoid, _sigmoid_local,
                    fuses="sigmoid", reason="one node instead of six, for speed")
LOGADDEXP = Primitive("logaddexp", "logaddexp", 2, f_logaddexp,
                      lambda a, b, out: (logistic(a - b), logistic(b - a)), fuses="logaddexp",
                      reason="as a composite, log(eᵃ + eᵇ) loses results below 1e-16 and its "
                             "second derivative at a = b (through |a − b|)")

PRIMITIVES: tuple[Primitive, ...] = (ADD, MUL, MAX, EXP, LOG, DIV, POW, LOG1P, EXPM1, TANH,
                                     SIGMOID, LOGADDEXP)
BY_NAME: dict[str, Primitive] = {p.name: p for p in PRIMITIVES}
