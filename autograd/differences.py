"""Finite differences: numerical derivatives, the step rule, and reverse mode on fresh leaves.

The witness every gradient check is built on (:mod:`autograd.check`, :mod:`autograd.blame`,
:mod:`autograd.taylor`, :mod:`autograd.testing`).

Finite differences need no engine, so they are an independent witness.  The central difference
``(f(x+h) − f(x−h)) / 2h`` has truncation error ≈ h²·|f'''|/6 and rounding error ≈ ε·|f|/h,
so the best step is h ≈ ε^(1/3)·max(1, |x|); the forward difference ``(f(x+h) − f(x)) / h``
has errors h·|f''|/2 and ε·|f|/h, best at h ≈ √ε·max(1, |x|).

**The step rule** (every finite-difference helper here, and :mod:`autograd.blame`,
:mod:`autograd.testing`): the default step is *relative*,

- central: ``h = ε^(1/3)·max(1, |x|)``, one-sided: ``h = √ε·max(1, |x|)``,

where ε is the machine epsilon of the format ``f`` computes in: ``dtype="float64"`` (ε = 2⁻⁵²,
the default), ``"float32"`` (2⁻²³), ``"float16"`` (2⁻¹⁰), ``"bfloat16"`` (2⁻⁷), or ``eps=``
any ε of your own.  An explicit ``h=`` is an *absolute* step, used as given (rounded so that
``x ± h`` is exact); a step below ε·max(1, |x|) for the format is refused with a
``ValueError`` (``too small``), so a fixed step under the format's machine epsilon cannot
silently return noise.  :func:`gradcheck`'s ``eps`` is *relative*, applied as
``h = eps·max(1, |x|)`` (torch's 1e-6 at |x| ≤ 1).

>>> numerical_derivative(lambda x: x ** 3, 2.0)        # 3·2² = 12
12.000000000...
>>> f"{default_step(1000.0, dtype='float32'):.3g}"     # 1000·(2⁻²³)^(1/3)
'4.92'
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

from .errors import OperandTypeError
from .value import Value

__all__ = ["function_name", "reverse_pass", "numerical_derivative", "numerical_gradient", "default_step", "reverse_gradient",
           "machine_epsilon", "MACHINE_EPSILON"]

_EPS = 2.0 ** -52
_METHODS = ("central", "forward", "backward")

#: Machine epsilon (the gap from 1.0 to the next float) of each float format by name.
MACHINE_EPSILON: dict[str, float] = {"float64": 2.0 ** -52, "float32": 2.0 ** -23,
                                     "float16": 2.0 ** -10, "bfloat16": 2.0 ** -7}


def machine_epsilon(dtype: Any = "float64") -> float:
    """ε of a float format: a name from :data:`MACHINE_EPSILON`, or anything with a ``name``
    or ``__name__`` of one (a numpy dtype or scalar type).

    >>> machine_epsilon("float32") == 2.0 ** -23
    True
    """
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None) or getattr(
        dtype, "__name__", None)
    if dtype is float:
        name = "float64"
    try:
        return MACHINE_EPSILON[str(name)]
    except KeyError:
        raise ValueError(f"unknown float format {dtype!r}; known: {', '.join(MACHINE_EPSILON)}"
                         " (or pass eps= directly)") from None


def _format_eps(dtype: Any, eps: Optional[float]) -> float:
    if eps is None:
        return machine_epsilon(dtype)
    if not (isinstance(eps, (int, float)) and 0.0 < eps < 1.0):
        raise ValueError(f"eps (machine epsilon) must be a float in (0, 1), got {eps!r}")
    return float(eps)


def default_step(x: float, method: str = "central", *, dtype: Any = "float64",
                 eps: Optional[float] = None) -> float:
    """The step that balances truncation against rounding at ``x``, for the float format
    ``dtype`` (or machine epsilon ``eps``).

    ε^(1/3)·max(1, |x|) for central differences, √ε·max(1, |x|) for one-sided ones.

    >>> default_step(0.0) == default_step(1.0) == _EPS ** (1 / 3)
    True
    >>> default_step(2.0, "forward", dtype="float32") == 2.0 * 2.0 ** -11.5
    True
    """
    e = _format_eps(dtype, eps)
    scale = max(1.0, math.fabs(x))
    return scale * (e ** (1.0 / 3.0) if method == "central" else math.sqrt(e))


def numerical_derivative(f: Callable[[float], Any], x: float, h: float | None = None,
                         method: str = "central", *, dtype: Any = "float64",
                         eps: Optional[float] = None) -> float:
    """f'(x) by finite differences: ``central`` (default), ``forward`` or ``backward``.

    ``f`` takes and returns floats (a returned Value counts by its ``data``).  ``h`` is an
    absolute step; it defaults to :func:`default_step` for ``dtype`` (relative to
    max(1, |x|)).  The step is rounded so that ``x ± h`` is exact, and a step below the
    format's ε·max(1, |x|) is refused.

    >>> round(numerical_derivative(math.exp, 0.0), 9)
    1.0
    >>> round(numerical_derivative(math.sin, 0.0, method="forward"), 7)
    1.0
    >>> numerical_derivative(math.exp, 1.0, h=1e-9, dtype="float32")
    Traceback (most recent call last):
    ...
    ValueError: step h=1e-09 is too small for x = 1.0 in float32: below ε·max(1, |x|) = 1.19e-07
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    x = float(x)
    e = _format_eps(dtype, eps)
    if h is None:
        h = default_step(x, method, eps=e)
    if not h > 0.0:
        raise ValueError(f"step h must be positive, got {h!r}")
    floor = e * max(1.0, math.fabs(x))
    if h < floor:
        where = dtype if eps is None else f"a format with eps={e:g}"
        raise ValueError(f"step h={h!r} is too small for x = {x!r} in {where}: below "
                         f"ε·max(1, |x|) = {floor:.3g}")
    h = (x + h) - x  # a representable step: x + h - x == h exactly
    if h == 0.0:
        raise ValueError(f"step too small to move x = {x!r}")
    if method == "central":
        return (_scalar(f(x + h)) - _scalar(f(x - h))) / (2.0 * h)
    if method == "forward":
        return (_scalar(f(x + h)) - _scalar(f(x))) / h
    return (_scalar(f(x)) - _scalar(f(x - h))) / h


def numerical_gradient(f: Callable[..., Any], xs: Sequence[float], h: float | None = None,
                       method: str = "central", *, dtype: Any = "float64",
                       eps: Optional[float] = None) -> list[float]:
    """The gradient of ``f(*xs)`` by finite differences, one input at a time (steps as in
    :func:`numerical_derivative`: ``h`` absolute, the default relative to each input).

    >>> [round(g, 6) for g in numerical_gradient(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])]
    [2.0, 5.0]
    """
    xs = [float(x) for x in xs]
    gradient = []
    for i in range(len(xs)):
        def along(t: float, i: int = i) -> Any:
            moved = list(xs)
            moved[i] = t
            return f(*moved)
        gradient.append(numerical_derivative(along, xs[i], h, method, dtype=dtype, eps=eps))
    return gradient


def _partial(f: Callable[..., Any], xs: list[float], i: int, h: float) -> float:
    """∂f/∂xᵢ by a central difference with the absolute step ``h``."""
    def along(t: float) -> Any:
        moved = list(xs)
        moved[i] = t
        return f(*moved)
    return numerical_derivative(along, xs[i], h, "central")


def reverse_gradient(f: Callable[..., Any], xs: Sequence[float]) -> list[float]:
    """The gradient of ``f`` at ``xs`` by reverse mode (one ``backward`` on fresh leaves).

    >>> reverse_gradient(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])
    [2.0, 5.0]
    """
    return reverse_pass(f, xs)[0]


def reverse_pass(f: Callable[..., Any], xs: Sequence[float]) -> tuple[list[float], Any]:
    """``(gradient, output)``: :func:`reverse_gradient` and what ``f`` returned (its graph,
    for a checker that needs to look at it without running ``f`` again)."""
    leaves = [Value(float(x)) for x in xs]
    out = f(*leaves)
    if not isinstance(out, Value):
        return [0.0] * len(leaves), out
    out.backward()
    return [leaf.grad for leaf in leaves], out


def _scalar(y: Any) -> float:
    if isinstance(y, Value):
        return y.data
    try:
        return float(y)
    except (TypeError, ValueError):
        raise OperandTypeError(
            f"the checked function must return a number or a Value, not {type(y).__name__}"
        ) from None


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    """``|a − b| ≤ atol + rtol·|b|``; equal infinities and two nans count as agreeing."""
    if a == b or (a != a and b != b):
        return True
    return math.fabs(a - b) <= atol + rtol * math.fabs(b)




def function_name(f: Callable[..., Any]) -> str:
    """How a report names the checked function: its one-line program when it has one (a
    drawn :class:`~autograd.testing.Expression`), else its ``__name__``, else its repr."""
    program = getattr(f, "to_python", None)
    if callable(program):
        return program()
    return getattr(f, "__name__", None) or f"{f!r:.200}"
