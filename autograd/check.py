"""Numerical derivatives and gradient checks: the reference every gradient is held against.

Finite differences need no engine, so they are an independent witness; the numerical
derivatives and the step rule (relative steps, scaled to |x| and the float format) live in
:mod:`autograd.differences` and are re-exported here.  :func:`gradcheck`'s ``eps`` is
*relative*, applied as ``h = eps·max(1, |x|)`` (torch's 1e-6 at |x| ≤ 1).

:func:`gradcheck` compares the engine's reverse-mode gradient with central differences, with
torch's defaults (step 1e-6, atol 1e-5, rtol 1e-3), and reports every mismatching input.
:func:`check_modes` compares reverse mode with forward mode (:mod:`autograd.forward`).
:func:`assert_gradients_match` holds reverse mode against forward mode and central
differences and, on a mismatch, says which node is to blame (:mod:`autograd.blame`).
:func:`taylor_check` (from :mod:`autograd.taylor`) gives a step-free verdict.

>>> numerical_derivative(lambda x: x ** 3, 2.0)        # 3·2² = 12
12.000000000...
>>> report = gradcheck(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])
>>> report.ok, [round(row.analytic, 6) for row in report.rows]
(True, [2.0, 5.0])
>>> f"{default_step(1000.0, dtype='float32'):.3g}"     # 1000·(2⁻²³)^(1/3)
'4.92'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .blame import blame as _blame
from .blame import difference
from .differences import (MACHINE_EPSILON, _close, _format_eps, _partial, _scalar,
                          default_step, function_name, machine_epsilon, numerical_derivative,
                          numerical_gradient, reverse_gradient, reverse_pass)
from .display import html_table
from .errors import GradcheckError, OperandTypeError
from .forward import forward_gradient
from .graph import grad as _grad
from .graph import topological_order
from .taylor import TaylorReport, taylor_check
from .value import Value

__all__ = [
    "numerical_derivative", "numerical_gradient", "default_step", "reverse_gradient",
    "gradcheck", "gradgradcheck", "check_modes", "GradientReport", "GradientRow",
    "assert_gradients_match", "taylor_check", "TaylorReport", "machine_epsilon",
    "MACHINE_EPSILON",
]

@dataclass(frozen=True)
class GradientRow:
    """One input of a check: the two derivatives and how far apart they are."""

    index: int
    analytic: float
    numeric: float
    ok: bool

    @property
    def abs_error(self) -> float:
        return math.fabs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        scale = math.fabs(self.numeric)
        if scale > 0.0:
            return self.abs_error / scale
        return 0.0 if self.abs_error == 0.0 else math.inf


@dataclass(frozen=True, repr=False)
class GradientReport:
    """The result of a check: one row per input; true when every row agrees.

    ``str(report)`` (and its repr) is a table of the rows; mismatches are marked
    ``MISMATCH``; ``_repr_html_`` is the same table for a notebook.
    """

    what: str
    analytic_name: str
    numeric_name: str
    inputs: tuple
    atol: float
    rtol: float
    rows: tuple = field(default=())

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def mismatches(self) -> list[GradientRow]:
        return [row for row in self.rows if not row.ok]

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = (f"{self.what} at inputs {list(self.inputs)!r} "
                f"(atol={self.atol:g}, rtol={self.rtol:g}): "
                f"{'ok' if self.ok else f'{len(self.mismatches)} mismatch(es)'}")
        wa, wn = max(24, len(self.analytic_name)), max(24, len(self.numeric_name))
        lines = [head, f"  {'input':>5}  {self.analytic_name:>{wa}}  {self.numeric_name:>{wn}}"
                       f"  {'abs error':>10}  {'rel error':>10}"]
        for row in self.rows:
            lines.append(f"  {row.index:>5}  {row.analytic!r:>{wa}}  {row.numeric!r:>{wn}}  "
                         f"{row.abs_error:>10.3g}  {row.rel_error:>10.3g}"
                         f"{'' if row.ok else '  MISMATCH'}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = str(self).splitlines()[0]
        rows = [(row.index, repr(row.analytic), repr(row.numeric), f"{row.abs_error:.3g}",
                 f"{row.rel_error:.3g}", "ok" if row.ok else "MISMATCH") for row in self.rows]
        return html_table(("input", self.analytic_name, self.numeric_name, "abs error",
                           "rel error", ""), rows, head)


def _compare(what: str, names: tuple[str, str], xs: list[float], first: Sequence[float],
             second: Sequence[float], atol: float, rtol: float,
             raise_on_failure: bool) -> GradientReport:
    rows = tuple(GradientRow(i, float(a), float(n), _close(float(a), float(n), atol, rtol))
                 for i, (a, n) in enumerate(zip(first, second)))
    report = GradientReport(what, names[0], names[1], tuple(xs), atol, rtol, rows)
    if raise_on_failure and not report.ok:
        raise GradcheckError(str(report))
    return report


def _name(f: Callable[..., Any]) -> str:
    return function_name(f)


def gradcheck(f: Callable[..., Any], inputs: Sequence[Any], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3,
              raise_on_failure: bool = True) -> GradientReport:
    """Hold the reverse-mode gradient of ``f`` against central differences with the relative
    step ``eps``: input xᵢ moves by ``h = eps·max(1, |xᵢ|)`` (so 1e-6 at |x| ≤ 1, as torch).

    ``f`` takes one Value per input and returns a Value; ``inputs`` are numbers (or Values,
    read by their ``data``).  A row agrees when ``|analytic − numeric| ≤ atol + rtol·|numeric|``.
    Raises :class:`~autograd.errors.GradcheckError` listing every mismatch, or returns the
    report with ``raise_on_failure=False``.

    >>> bad = lambda x: Value(x.data ** 2) + x          # hides x² from the graph
    >>> print(gradcheck(bad, [3.0], raise_on_failure=False))
    gradcheck of <lambda> at inputs [3.0] (atol=1e-05, rtol=0.001): 1 mismatch(es)
      input   analytic (reverse mode)  numeric (central, h=1e-06·max(1,|x|))   abs error   rel error
          0                       1.0                       6.9999999998...           6       0.857  MISMATCH
    """
    xs = [x.data if isinstance(x, Value) else float(x) for x in inputs]
    analytic = reverse_gradient(f, xs)
    on_values = lambda *a: f(*(Value(t) for t in a))  # noqa: E731
    numeric = [_partial(on_values, xs, i, eps * max(1.0, math.fabs(x)))
               for i, x in enumerate(xs)]
    step = f"h={eps:g}" if all(math.fabs(x) <= 1.0 for x in xs) else f"h={eps:g}·max(1,|x|)"
    return _compare(f"gradcheck of {_name(f)}",
                    ("analytic (reverse mode)", f"numeric (central, {step})"),
                    xs, analytic, numeric, atol, rtol, raise_on_failure)


def gradgradcheck(f: Callable[..., Any], inputs: Sequence[Any], *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3,
                  raise_on_failure: bool = True) -> list[GradientReport]:
    """Second order: for each input i, :func:`gradcheck` the function ∂f/∂xᵢ (built with
    ``create_graph=True``), i.e. row i of the Hessian against central differences of the
    gradient.  Returns one report per input.

    >>> [r.ok for r in gradgradcheck(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])]
    [True, True]
    """
    reports = []
    for i in range(len(inputs)):
        def partial(*leaves: Value, i: int = i) -> Any:
            out = f(*leaves)
            if not isinstance(out, Value):
                return 0.0
            return _grad(out, leaves, create_graph=True)[i]
        partial.__name__ = f"d{_name(f)}/dx{i}"
        reports.append(gradcheck(partial, inputs, eps=eps, atol=atol, rtol=rtol,
                                 raise_on_failure=raise_on_failure))
    return reports


def check_modes(f: Callable[..., Any], inputs: Sequence[float], *, atol: float = 0.0,
                rtol: float = 1e-12, raise_on_failure: bool = True) -> GradientReport:
    """Hold reverse mode against forward mode (dual numbers) for a function written with
    operators and :mod:`autograd.functional` ops, so it runs on Values and Duals alike.

    The two engines use separately written derivative rules; on the same float inputs they
    agree to rounding, hence the tight default tolerance.

    >>> check_modes(lambda x, y: (x * y).tanh() + x.exp(), [0.5, -2.0]).ok
    True
    """
    xs = [float(x) for x in inputs]
    reverse = reverse_gradient(f, xs)
    forward = forward_gradient(f, xs)
    return _compare(f"check_modes of {_name(f)}", ("reverse mode", "forward mode"),
                    xs, reverse, forward, atol, rtol, raise_on_failure)


# --- the three-line property test ------------------------------------------------------------

def assert_gradients_match(f: Callable[..., Any], xs: Sequence[float], *,
                           forward: bool = True, numeric: bool = True, rtol: float = 1e-5,
                           atol: float = 1e-8, dtype: Any = "float64",
                           eps: Optional[float] = None, blame: bool = True) -> None:
    """Assert that reverse mode, forward mode and central differences agree on ``f`` at ``xs``.

    ``f`` takes one Value (or Dual) per input and uses operators and
    :mod:`autograd.functional` ops.  Raises :class:`~autograd.errors.GradcheckError` naming
    every disagreeing input and, with ``blame`` (the default), what
    :func:`autograd.blame.blame` finds: the first node whose rule is wrong, or the constants
    through which gradient leaks out of the graph.  The checker itself raises nothing else:

    - a primitive of your own with no forward-mode tangent rule: forward mode derives one
      from its local rule (so it is no independent witness; said in the message if
      anything disagrees);
    - ``f`` that cannot run on Duals (it builds ``Value(v.data ...)``, mixing a Value into
      forward mode: :class:`~autograd.errors.OperandTypeError`): reported as a mismatch,
      with blame's verdict (usually a leak: that Value is a constant outside the graph).

    Tolerances:

    - reverse vs forward mode: relative 1e-10, absolute 1e-12·max(1, |f|, |gradient|).  The
      rules are relative-accurate one by one; the absolute part is there because the chain
      rule adds terms, and where terms of opposite signs cancel the two modes (which round
      differently) agree only to about ε times the terms;
    - reverse vs central differences (step ε^(1/3)·max(1, |x|), ε of ``dtype`` or ``eps``):
      ``atol + rtol·|g|`` plus the differences' own rounding error 4ε·max(1, |f|)/h.

    >>> assert_gradients_match(lambda x, y: (x * y).tanh() + x.exp() / y, [0.3, -2.0])
    >>> assert_gradients_match(lambda x: x.relu(), [0.0])     # ½ matches (h − 0) / 2h
    >>> assert_gradients_match(lambda v: v * Value(v.data ** 2), [3.0])
    Traceback (most recent call last):
    ...
    autograd.errors.GradcheckError: gradients of <lambda> disagree at [3.0]:
      forward mode cannot run f (OperandTypeError: unsupported operand for mul: Value ...)
      input 0: reverse 9.0 != central difference 27.0000000... (h=1.82e-05, ...)
    blame of <lambda> at [3.0]: leak — every local rule matches its reference, but the whole gradient does not match central differences of f
      input 0: expected 27.0000000... (reference: central difference of f), got 9.0 (engine: reverse mode)
      constant = 9.0 (node #1), made at ...: moves with input 0 (d data/dx ≈ 6) but is outside the graph
    """
    e = _format_eps(dtype, eps)
    xs = [float(x) for x in xs]
    problems = []
    try:
        reverse, out = reverse_pass(f, xs)
        y = _scalar(out)
        scale = max(1.0, math.fabs(y)) if math.isfinite(y) else 1.0
    except Exception as error:  # noqa: BLE001 - report, never raise from the checker
        reverse, scale = None, 1.0
        problems.append(f"  reverse mode cannot run f ({type(error).__name__}: {error})")
    if forward and reverse is not None:
        try:
            fwd: Optional[list] = forward_gradient(f, xs)
        except (OperandTypeError, TypeError) as error:
            fwd = None
            problems.append(f"  forward mode cannot run f ({type(error).__name__}: "
                            f"{str(error):.120})")
        if fwd is not None:
            modes_atol = 1e-12 * max([scale] + [math.fabs(g) for g in reverse
                                                if math.isfinite(g)])
            for i, (r, d) in enumerate(zip(reverse, fwd)):
                if not _close(r, d, modes_atol, 1e-10):
                    problems.append(f"  input {i}: reverse {r!r} != forward {d!r}")
    if numeric and reverse is not None:
        try:
            num = numerical_gradient(_on_values(f), xs, eps=e)
        except Exception as error:  # noqa: BLE001
            num = None
            problems.append(f"  central differences cannot run f ({type(error).__name__}: "
                            f"{error})")
        for i, (r, n) in enumerate(zip(reverse, num or ())):
            h = default_step(xs[i], eps=e)
            noise = 4 * e * scale / h
            if r == 0.0 and math.isfinite(n) and _clearly_nonzero(f, xs, i, e):
                problems.append(f"  input {i}: SILENT ZERO: reverse 0.0, central difference "
                                f"{n!r} (h={h:.3g}, rounding allowance {noise:.3g})")
            elif not _close(r, n, atol + noise, rtol):
                problems.append(f"  input {i}: reverse {r!r} != central difference {n!r} "
                                f"(h={h:.3g}, rounding allowance {noise:.3g})")
    if problems:
        name = function_name(f)
        message = f"gradients of {name:.600} disagree at {xs!r}:\n" + "\n".join(problems)
        derived = _tangents_from_local(out) if forward and reverse is not None else []
        if derived:
            message += (f"\n  (forward mode is no independent witness for {', '.join(derived)}:"
                        " a primitive without a tangent rule of its own gets one from its local "
                        "rule, so it agrees with reverse mode)")
        if blame:
            message += "\n" + _blame_text(f, xs, e)
        raise GradcheckError(message)


def _clearly_nonzero(f: Callable[..., Any], xs: list[float], i: int, e: float) -> bool:
    """Is ∂f/∂xᵢ clearly nonzero: beyond the central difference's own error bound (no
    tolerance), and not at a kink?"""
    on_values = _on_values(f)

    def along(t: float) -> float:
        moved = list(xs)
        moved[i] = t
        return on_values(*moved)
    d = difference(along, xs[i], eps=e)
    return d.finite and not d.kink and math.fabs(d.value) > 4.0 * d.error


def _blame_text(f: Callable[..., Any], xs: list[float], e: float) -> str:
    try:
        return str(_blame(f, xs, eps=e))
    except Exception as error:  # noqa: BLE001 - the report must not hide the mismatch
        return f"(blame could not run: {type(error).__name__}: {error})"


def _tangents_from_local(out: Any) -> list[str]:
    """Names of the primitives in the graph of ``out`` whose tangent is derived from ``local``."""
    names: list[str] = []
    if isinstance(out, Value):
        for node in topological_order(out):
            op = node.op
            if op is not None and op.tangent is None and op.name not in names:
                names.append(op.name)
    return names


def _on_values(f: Callable[..., Any]) -> Callable[..., Any]:
    def on_values(*a: float) -> float:
        y = f(*(Value(t) for t in a))
        return y.data if isinstance(y, Value) else float(y)
    return on_values
