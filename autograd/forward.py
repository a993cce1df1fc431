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

import math  # noqa: F401  (the doctests use it)
from typing import Any, Callable, Sequence

from . import ops
from .errors import OperandTypeError
from .ops import Primitive
from .value import _is_real, operator_methods

__all__ = ["Dual", "jvp", "forward_derivative", "forward_gradient", "TANGENT_RULES"]


class Dual:
    """A dual number ``value + tangent·ε`` with ε² = 0.

    Accepts the same operands as Value: numbers, numpy scalars and Duals.  Each op's method
    and operator comes from its record (``Dual(2.0, 1.0).exp()``), as on Value.
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
    def apply(op: Primitive, *args: Any) -> "Dual":
        """Apply a primitive by its tangent rule (its own, or Σ local·dx from its local rule)."""
        duals = [_lift(a, op.name) for a in args]
        out = op.forward(*(d.value for d in duals))
        flat = [v for d in duals for v in (d.value, d.tangent)]
        return Dual(out, op.tangent_rule()(*flat, out))

    def __pos__(self) -> "Dual":
        return self

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


class _Tangents(dict):
    """name → each declared primitive's tangent rule (a view of the registry)."""

    def __missing__(self, name: str) -> Any:
        record = ops.REGISTRY.get(name)
        if not isinstance(record, Primitive):
            raise KeyError(name)
        return record.tangent_rule()

    def __contains__(self, name: object) -> bool:
        return isinstance(ops.REGISTRY.get(name), Primitive)  # type: ignore[arg-type]


#: name → tangent rule ``(x, dx[, y, dy], out) -> d out`` of every declared primitive.
TANGENT_RULES: dict[str, Callable[..., float]] = _Tangents()


def _install(record: Any) -> None:
    """Give Dual the method and operator of a newly declared op."""
    if isinstance(record, Primitive):
        def function(*args: Any, _op: Primitive = record) -> Dual:
            return Dual.apply(_op, *args)
        function.__name__ = record.method or record.name
    else:
        function = record.fn
    if record.method:
        setattr(Dual, record.method, function)
    if record.operator:
        for name, fn in operator_methods(record, function, lambda x: _lift(x, record.name)
                                         ).items():
            setattr(Dual, name, fn)


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


ops.add_carrier(Dual, Dual.apply)
ops.subscribe(_install)
