"""The Taylor-remainder test: a verdict on a gradient that depends on no step size.

If ``g`` is the gradient of ``f`` at ``x``, the first-order remainder

    r(h) = |f(x + h·v) − f(x) − h·(g·v)|

shrinks like h² as h → 0 (it is the ½h²·vᵀHv term), so halving h quarters it: on a log–log
plot the slope is 2.  If ``g`` is wrong, ``h·(∇f − g)·v`` is left over and the slope is 1.
No tolerance on the gradient and no step size need choosing: the test looks at the *rate*.

How the slope is read: the remainders are computed for h = h0·2⁻ᵏ, k = 0 … ``halvings``−1;
a remainder counts only where it is at least 100 times its rounding noise
4ε·max(|f(x+hv)|, |f(x)|) + ε·|h·g·v| (below that it is noise, and its slope means
nothing); the slope is the least-squares fit of log r against log h over the (up to) 4
*smallest* steps that count (the asymptotic regime: a small gradient error shows only at
small h, where h·|error| outgrows ½h²·|vᵀHv|).  It passes when the slope is at least 1.75
(2, or more when vᵀHv = 0); with fewer than 3 steps that count, every remainder is at the
rounding level (f is linear along v, or the gradient is exact to rounding) and it passes.
The direction ``v`` is random (seeded, unit length) by default; ``h0`` defaults to
2⁻³·max(1, max|xᵢ|).  Kinks within h0·|v| of x spoil the test (f is not smooth there).

>>> report = taylor_check(lambda x, y: (x * y).tanh() + x.exp(), [0.5, -0.3])
>>> report.ok, round(report.slope, 1)
(True, 2.0)
>>> from autograd import Value
>>> bad = taylor_check(lambda x: x * Value(x.data), [1.5])     # gradient x instead of 2x
>>> bad.ok, round(bad.slope, 1)
(False, 1.0)
"""

from __future__ import annotations

import html
import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from .differences import function_name, _format_eps, _scalar, reverse_gradient
from .display import html_table
from .value import Value

__all__ = ["taylor_check", "TaylorReport", "TaylorRow", "PASS_SLOPE"]

#: The least fitted slope that passes (2 is exact first order; 1 a wrong gradient).
PASS_SLOPE = 1.75
_NOISE_FACTOR = 100.0
_FIT_POINTS = 4


@dataclass(frozen=True)
class TaylorRow:
    """One step: h, the remainder r(h), its rounding noise, and the slope from the step
    before (log₂ r(h/2)/r(h) ... read as the local order)."""

    h: float
    remainder: float
    noise: float
    slope: Optional[float]

    @property
    def counts(self) -> bool:
        """Is the remainder far enough above its rounding noise to mean anything?"""
        return math.isfinite(self.remainder) and self.remainder >= _NOISE_FACTOR * self.noise


@dataclass(frozen=True, repr=False)
class TaylorReport:
    """The result of :func:`taylor_check`: the table of steps, the fitted slope, the verdict.

    ``slope`` is None when too few remainders stand above rounding noise (then ``ok``).
    """

    what: str
    inputs: tuple
    direction: tuple
    gradient: tuple
    rows: tuple
    slope: Optional[float]
    fitted: tuple  # the steps h the slope was fitted on

    @property
    def ok(self) -> bool:
        return self.slope is None or self.slope >= PASS_SLOPE

    def __bool__(self) -> bool:
        return self.ok

    def verdict(self) -> str:
        if self.slope is None:
            return ("ok: every remainder is at the rounding level (f is linear along v, or "
                    "the gradient is exact to rounding)")
        if self.ok:
            return f"ok: slope {self.slope:.2f} (≈ 2: the gradient is right to first order)"
        if self.slope < 1.25:
            return (f"FAILED: slope {self.slope:.2f} (≈ 1: the gradient is wrong along v; "
                    "run autograd.blame.blame to find the node)")
        return f"FAILED: slope {self.slope:.2f} (below {PASS_SLOPE}: the gradient is suspect)"

    def __str__(self) -> str:
        lines = [f"{self.what} at {list(self.inputs)!r}: {self.verdict()}",
                 f"  direction v = {[round(c, 6) for c in self.direction]}, "
                 f"reverse-mode g·v = {sum(g * c for g, c in zip(self.gradient, self.direction))!r}",
                 f"  {'h':>10}  {'remainder':>11}  {'noise':>9}  {'slope':>6}"]
        for row in self.rows:
            slope = "" if row.slope is None else f"{row.slope:.3f}"
            mark = "  fitted" if row.h in self.fitted else ("" if row.counts else "  noise")
            lines.append(f"  {row.h:>10.4g}  {row.remainder:>11.4g}  {row.noise:>9.2g}  "
                         f"{slope:>6}{mark}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = html.unescape(str(self).splitlines()[0])
        rows = [(f"{r.h:.4g}", f"{r.remainder:.4g}", f"{r.noise:.2g}",
                 "" if r.slope is None else f"{r.slope:.3f}",
                 "fitted" if r.h in self.fitted else ("" if r.counts else "noise"))
                for r in self.rows]
        return html_table(("h", "remainder", "rounding noise", "slope", ""), rows, head)


def _direction(n: int, seed: Optional[int]) -> list[float]:
    rng = random.Random(seed)
    v = [rng.gauss(0.0, 1.0) for _ in range(n)]
    norm = math.sqrt(sum(c * c for c in v)) or 1.0
    return [c / norm for c in v]


def _fit(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of log r against log h."""
    xs = [math.log(h) for h, _ in points]
    ys = [math.log(r) for _, r in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def taylor_check(f: Callable[..., Any], xs: Sequence[float], v: Optional[Sequence[float]] = None,
                 *, gradient: Optional[Sequence[float]] = None, h0: Optional[float] = None,
                 halvings: int = 12, seed: Optional[int] = 0, dtype: Any = "float64",
                 eps: Optional[float] = None) -> TaylorReport:
    """The Taylor-remainder test of the reverse-mode gradient of ``f`` at ``xs``.

    ``f`` takes one Value per input.  ``v``: the direction (random unit vector from ``seed``
    by default); ``gradient``: the gradient to test (default: reverse mode of ``f``);
    ``h0`` and ``halvings``: the steps h0·2⁻ᵏ; ``dtype``/``eps``: the float format, for the
    rounding-noise floor (see the module docstring for how the slope is read).

    >>> print(taylor_check(lambda x: x * x * x, [1.0], halvings=4))
    taylor_check of <lambda> at [1.0]: ok: slope 2.02 (≈ 2: the gradient is right to first order)
      direction v = [1.0], reverse-mode g·v = 3.0
               h    remainder      noise   slope
           0.125      0.04883    1.3e-15          fitted
          0.0625      0.01196    1.1e-15   2.029  fitted
         0.03125      0.00296    9.9e-16   2.015  fitted
         0.01562    0.0007362    9.4e-16   2.007  fitted
    """
    e = _format_eps(dtype, eps)
    xs = [float(x.data if isinstance(x, Value) else x) for x in xs]
    n = len(xs)
    direction = list(v) if v is not None else _direction(n, seed)
    if len(direction) != n:
        raise ValueError(f"direction v has {len(direction)} entries for {n} inputs")
    g = list(gradient) if gradient is not None else reverse_gradient(f, xs)
    gv = sum(a * b for a, b in zip(g, direction))

    def value(*a: float) -> float:
        return _scalar(f(*(Value(t) for t in a)))

    f0 = value(*xs)
    if h0 is None:
        h0 = 0.125 * max([1.0] + [math.fabs(x) for x in xs])
    rows = []
    previous: Optional[float] = None
    for k in range(halvings):
        h = h0 * 2.0 ** -k
        try:
            fh = value(*(x + h * c for x, c in zip(xs, direction)))
        except (ArithmeticError, ValueError):
            fh = math.nan
        r = math.fabs(fh - f0 - h * gv)
        noise = 4.0 * e * max(math.fabs(fh), math.fabs(f0)) + e * math.fabs(h * gv)
        slope = None
        if previous is not None and previous > 0.0 and r > 0.0 and math.isfinite(r):
            slope = math.log2(previous / r)
        rows.append(TaylorRow(h, r, noise, slope))
        previous = r if math.isfinite(r) else None
    counting = [row for row in rows if row.counts and row.remainder > 0.0]
    if len(counting) >= 3:
        use = counting[-_FIT_POINTS:]
        slope: Optional[float] = _fit([(row.h, row.remainder) for row in use])
        fitted = tuple(row.h for row in use)
    else:
        slope, fitted = None, ()
    name = function_name(f)
    return TaylorReport(f"taylor_check of {name}", tuple(xs), tuple(direction), tuple(g),
                        tuple(rows), slope, fitted)
