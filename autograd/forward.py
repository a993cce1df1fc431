"""Forward mode: dual numbers, an independent second engine.

A :class:`Dual` carries a value and its tangent (the directional derivative).  Its rules are
written here from calculus, separately from the reverse-mode table in :mod:`autograd.ops`, so
the two engines check each other.  The same functions from :mod:`autograd.functional` run on
Duals, so any function written for Values has a forward-mode derivative too.

>>> x = Dual(2.0, 1.0)
>>> y = x * x + x.exp()
>>> y.tangent == 2 * 2.0 + math.exp(2.0)
True
>>> jvp(lambda a, b: (a + b) * (b + 1), (2.0, 1.0), (0.0, 1.0))
(6.0, 5.0)
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from . import ops
from .errors import OperandTypeError
from .value import _is_real

__all__ = ["Dual", "jvp", "forward_derivative", "forward_gradient", "TANGENT_RULES"]


def _recip(x: float) -> float:
    return ops.f_div(1.0, x)


def _max_tangent(a: float, da: float, b: float, db: float, out: float) -> float:
    if a > b:
        return da
    if b > a:
        return db
    return 0.5 * (da + db)  # the tie convention: the average of both sides


def _pow_tangent(x: float, dx: float, k: float, dk: float, out: float) -> float:
    # d(x^k) = k x^(k-1) dx + x^k ln x dk; x^0 is flat in x, and 0^k (k >= 0) flat in k.
    t = 0.0 if (k == 0.0 or dx == 0.0) else k * ops.f_pow(x, k - 1.0) * dx
    if dk == 0.0 or (x == 0.0 and k >= 0.0):
        return t
    return t + out * ops.f_log(x) * dk


def _sigmoid_tangent(x: float, dx: float, out: float) -> float:
    # σ'(x) = e^(-|x|) / (1 + e^(-|x|))², written without σ itself.
    e = math.exp(-math.fabs(x)) if x == x else math.nan
    return e / ((1.0 + e) * (1.0 + e)) * dx


def _tanh_tangent(x: float, dx: float, out: float) -> float:
    # tanh'(x) = 1/cosh²(x) = 4 e^(-2|x|) / (1 + e^(-2|x|))²
    e = math.exp(-2.0 * math.fabs(x)) if x == x else math.nan
    return 4.0 * e / ((1.0 + e) * (1.0 + e)) * dx


def _logaddexp_tangent(a: float, da: float, b: float, db: float, out: float) -> float:
    # d ln(eᵃ + eᵇ) = (eᵃ da + eᵇ db) / (eᵃ + eᵇ), scaled by e^(-max) to stay finite.
    m = a if a >= b else b
    if m == math.inf or m == -math.inf or m != m:
        return math.nan if m != m else (da if a >= b else db)
    ea, eb = math.exp(a - m), math.exp(b - m)
    return (ea * da + eb * db) / (ea + eb)


#: name → tangent rule ``(x, dx[, y, dy], out) -> d out``, one per primitive.
TANGENT_RULES: dict[str, Callable[..., float]] = {
    "add": lambda a, da, b, db, out: da + db,
    "mul": lambda a, da, b, db, out: da * b + a * db,
    "max": _max_tangent,
    "exp": lambda x, dx, out: out * dx,
    "log": lambda x, dx, out: ops.f_div(dx, x),
    "div": lambda a, da, b, db, out: ops.f_div(da - out * db, b),
    "pow": _pow_tangent,
    "log1p": lambda x, dx, out: ops.f_div(dx, 1.0 + x),
    "expm1": lambda x, dx, out: ops.f_exp(x) * dx,
    "tanh": _tanh_tangent,
    "sigmoid": _sigmoid_tangent,
    "logaddexp": _logaddexp_tangent,
}


class Dual:
    """A dual number ``value + tangent·ε`` with ε² = 0.

    Accepts the same operands as Value: numbers, numpy scalars and Duals.
    """

    __slots__ = ("value", "tangent")
    __array_ufunc__ = None

    def __init__(self, value: float, tangent: float = 0.0) -> None:
        self.value = float(value)
        self.tangent = float(tangent)

    @property
    def data(self) -> float:
        """The primal value (named like ``Value.data`` so shared code can read it)."""
        return self.value

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, {self.tangent!r})"

    @staticmethod
    def apply(op: ops.Primitive, *args: Any) -> "Dual":
        """Apply a primitive by its tangent rule."""
        duals = [_lift(a, op.name) for a in args]
        out = op.forward(*(d.value for d in duals))
        rule = TANGENT_RULES[op.name]
        flat = [v for d in duals for v in (d.value, d.tangent)]
        return Dual(out, rule(*flat, out))

    def __add__(self, other: Any) -> "Dual":
        return Dual.apply(ops.ADD, self, other)

    __radd__ = __add__

    def __mul__(self, other: Any) -> "Dual":
        return Dual.apply(ops.MUL, self, other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> "Dual":
        return Dual.apply(ops.DIV, self, other)

    def __rtruediv__(self, other: Any) -> "Dual":
        return Dual.apply(ops.DIV, other, self)

    def __neg__(self) -> "Dual":
        return _F.neg(self)

    def __sub__(self, other: Any) -> "Dual":
        return _F.sub(self, _lift(other, "-"))

    def __rsub__(self, other: Any) -> "Dual":
        return _F.sub(_lift(other, "-"), self)

    def __pow__(self, other: Any) -> "Dual":
        return _F.pow(self, other)

    def __rpow__(self, other: Any) -> "Dual":
        return _F.pow(_lift(other, "**"), self)

    def __abs__(self) -> "Dual":
        return _F.abs(self)

    def __float__(self) -> float:
        return self.value

    def __lt__(self, other: Any) -> bool:
        return self.value < _lift(other, "<").value

    def __le__(self, other: Any) -> bool:
        return self.value <= _lift(other, "<=").value

    def __gt__(self, other: Any) -> bool:
        return self.value > _lift(other, ">").value

    def __ge__(self, other: Any) -> bool:
        return self.value >= _lift(other, ">=").value

    def exp(self) -> "Dual":
        return Dual.apply(ops.EXP, self)

    def log(self) -> "Dual":
        return Dual.apply(ops.LOG, self)

    def log1p(self) -> "Dual":
        return Dual.apply(ops.LOG1P, self)

    def expm1(self) -> "Dual":
        return Dual.apply(ops.EXPM1, self)

    def tanh(self) -> "Dual":
        return Dual.apply(ops.TANH, self)

    def sigmoid(self) -> "Dual":
        return Dual.apply(ops.SIGMOID, self)

    def maximum(self, other: Any) -> "Dual":
        return Dual.apply(ops.MAX, self, other)

    def minimum(self, other: Any) -> "Dual":
        return _F.minimum(self, other)

    def relu(self) -> "Dual":
        return _F.relu(self)

    def softplus(self) -> "Dual":
        return _F.softplus(self)

    def sqrt(self) -> "Dual":
        return _F.sqrt(self)


def _lift(x: Any, opname: str) -> Dual:
    if isinstance(x, Dual):
        return x
    if _is_real(x):  # the same operands as Value accepts (numpy scalars, np.bool_ too)
        return Dual(float(x), 0.0)
    raise OperandTypeError(f"unsupported operand for {opname}: {type(x).__name__} {x!r:.60}")


def jvp(f: Callable[..., Any], primals: Sequence[float], tangents: Sequence[float]
        ) -> tuple[float, float]:
    """Value of ``f`` at ``primals`` and its directional derivative along ``tangents``."""
    out = f(*(Dual(p, t) for p, t in zip(primals, tangents)))
    if isinstance(out, Dual):
        return out.value, out.tangent
    return float(out), 0.0


def forward_derivative(f: Callable[[Any], Any], x: float) -> float:
    """f'(x) by forward mode."""
    return jvp(f, (x,), (1.0,))[1]


def forward_gradient(f: Callable[..., Any], xs: Sequence[float]) -> list[float]:
    """The gradient of ``f`` at ``xs`` by forward mode, one pass per input."""
    xs = [float(x) for x in xs]
    return [jvp(f, xs, [1.0 if j == i else 0.0 for j in range(len(xs))])[1]
            for i in range(len(xs))]


from . import functional as _F  # noqa: E402
