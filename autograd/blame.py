"""Blame: which node's derivative rule is wrong, or where gradient leaks out of the graph.

A whole-gradient check says *that* a gradient is wrong; :func:`blame` says *where*.  Every
node's local derivatives are checked on their own, at the node's own inputs:

- against central differences of the node's ``op.forward`` (step ε^(1/3)·max(1, |x|), see
  :mod:`autograd.check`; its truncation error is estimated from a second step 2h and its
  rounding error from ε·|f|/h, and both widen the tolerance), and
- against forward mode, ``Dual.apply(op, Dual(a, 1), b)``, where the op has a tangent rule
  written separately (every built-in op; a primitive of your own has none, or one derived
  from its own ``local``, so forward mode is not an independent witness for it).

The first node (parents first, in :func:`~autograd.graph.topological_order`) whose rule
disagrees is named: op, label, inputs, creation file:line, and *expected* (the reference:
central differences or forward mode) against *got* (the engine's ``op.local``).

When every rule is right but the whole gradient still disagrees with central differences of
``f``, the gradient leaks out of the graph: a term computed from ``.data``, or a constant that
should have been a Value.  :func:`blame` re-runs ``f`` with one input moved and names the
constant leaves whose data moved with it.

The kinds of failure (``report.kind``): ``"wrong rule"``, ``"wrong at a kink only"`` (right
on both sides of a kink, but not the ½/½ tie convention at it), ``"leak"``, ``"silent
zero"`` (an engine derivative of exactly 0 where the numerical one is clearly not, beyond
its own error bound: never hidden by a tolerance).

Kinks (a tie or near-tie of ``max``): a central difference across a kink is no verdict.
A kink within two steps of the point is recognised because the second difference stops
scaling like h; the step then shrinks (by 8, up to 6 times) until both sides agree, or, at
the kink itself, the rule must give the average of the one-sided derivatives (the tie
convention: max ties give (½, ½)).

>>> import dataclasses
>>> from autograd import ops, Value
>>> from autograd.functional import apply
>>> bad_tanh = dataclasses.replace(ops.TANH, local=lambda x, out: (1.0 + out * out,))
>>> report = blame(lambda x, y: apply(bad_tanh, x * y) + y, [0.5, 2.0])
>>> report.kind, report.culprit.op_name, report.culprit.inputs
('wrong rule', 'tanh', (1.0,))
>>> print(report)                                          # doctest: +ELLIPSIS
blame of <lambda> at [0.5, 2.0]: wrong rule at node #3 of 5
  tanh(1.0) = 0.7615941559557649, made at ...
  ∂/∂(input 0): expected 0.419974341616... (reference: central difference), got 1.58002565838... (engine: op.local)
  forward mode 0.419974341614026
  1 wrong node(s) in all
>>> blame(lambda x: x * Value(x.data ** 2), [3.0]).kind    # x³ with x² hidden from the graph
'leak'
"""

from __future__ import annotations

import html
import math
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .differences import function_name, _format_eps, _scalar, default_step
from .forward import Dual
from .graph import topological_order
from .modes import recording_sites
from .value import Value

__all__ = ["blame", "blame_graph", "BlameReport", "NodeVerdict", "LeakedConstant",
           "InputVerdict", "Difference", "difference", "KINDS"]

#: The kinds of failure a report can name, in the order they are looked for.
KINDS = ("wrong rule", "wrong at a kink only", "silent zero", "leak")

_SHRINK = 8.0      # the factor a step shrinks by near a kink
_SHRINKS = 6       # how many times (6e-6 → 2.3e-11 relative: still far above ε)
_FORWARD_RTOL = 1e-9


# --- finite differences with an error bound ---------------------------------------------------

@dataclass(frozen=True)
class Difference:
    """A central difference with its own error bound, and what is known about kinks.

    ``value`` is the reference derivative; ``error`` bounds its error (truncation, from
    comparing steps h and 2h, plus rounding, 8ε·max|f|/h); ``kink`` is true when a kink lies
    at the point itself, where ``value`` is the average of the one-sided derivatives
    ``left`` and ``right`` (the ½/½ tie convention); ``h`` is the step finally used.
    ``finite`` is false when ``f`` was not finite near the point (no verdict).
    """

    value: float
    error: float
    h: float
    kink: bool = False
    left: float = math.nan
    right: float = math.nan
    finite: bool = True
    shrunk: int = 0


def _safe(phi: Callable[[float], float], t: float) -> float:
    try:
        return float(phi(t))
    except (ArithmeticError, ValueError, TypeError):
        return math.nan


def difference(phi: Callable[[float], Any], x: float, *, dtype: Any = "float64",
               eps: Optional[float] = None) -> Difference:
    """φ'(x) by central differences, with an error bound and kink detection.

    The step starts at ε^(1/3)·max(1, |x|) (ε of ``dtype``, or ``eps``); where φ is not
    finite at x ± 2h, or a kink lies within 2h, it shrinks (by 8, at most 6 times).

    >>> d = difference(math.exp, 1.0)
    >>> abs(d.value - math.e) <= d.error < 1e-8
    True
    >>> k = difference(lambda t: max(t, 0.0), 0.0)        # a kink: slopes 0 and 1
    >>> k.kink, k.left, k.right, k.value
    (True, 0.0, 1.0, 0.5)
    """
    e = _format_eps(dtype, eps)
    x = float(x)
    f0 = _safe(lambda t: _scalar(phi(t)), x)
    h = default_step(x, eps=e)
    last: Optional[Difference] = None
    for attempt in range(_SHRINKS + 1):
        h = (x + h) - x
        if h == 0.0:
            break
        fp, fm, fp2, fm2 = (_safe(lambda t: _scalar(phi(t)), x + s)
                            for s in (h, -h, 2.0 * h, -2.0 * h))
        values = (f0, fp, fm, fp2, fm2)
        if not all(math.isfinite(v) for v in values):
            h /= _SHRINK
            continue
        d1 = (fp - fm) / (2.0 * h)
        d2 = (fp2 - fm2) / (4.0 * h)
        big = max(math.fabs(v) for v in values)
        noise = 8.0 * e * big / h
        trunc = math.fabs(d1 - d2) / 3.0  # D(2h) − D(h) ≈ 3·(truncation error of D(h))
        s1 = (fp - 2.0 * f0 + fm) / h            # h·φ'' when smooth
        s2 = (fp2 - 2.0 * f0 + fm2) / (2.0 * h)  # 2h·φ'' when smooth
        kinked = math.fabs(s2 - 2.0 * s1) > 1e-3 * (math.fabs(d1) + math.fabs(s1)
                                                    + math.fabs(s2)) + 64.0 * noise
        if not kinked:
            return Difference(d1, trunc + noise, h, shrunk=attempt)
        right = (-3.0 * f0 + 4.0 * fp - fp2) / (2.0 * h)
        left = (3.0 * f0 - 4.0 * fm + fm2) / (2.0 * h)
        last = Difference(0.5 * (left + right), 64.0 * noise, h, True, left, right,
                          shrunk=attempt)
        h /= _SHRINK
    if last is not None:
        return last
    return Difference(math.nan, math.inf, h, finite=False)


# --- the report ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class NodeVerdict:
    """One wrong partial derivative of one node: what the engine's rule gave (``got``,
    from ``op.local``) against the reference (``expected``: central differences of
    ``op.forward``, or forward mode)."""

    kind: str
    position: int            # in topological order (parents first), from 0: the #k drawn
    of: int                  # nodes in the graph
    op_name: str
    label: Optional[str]
    inputs: tuple
    output: float
    site: Optional[str]
    input_index: int
    expected: float
    got: float
    reference: str           # "central difference" or "forward mode"
    central: float
    central_error: float
    forward: Optional[float]  # the independent forward-mode tangent, if any
    note: str = ""
    node: Any = field(default=None, repr=False, compare=False)

    def where(self) -> str:
        name = f" {self.label!r}" if self.label else ""
        args = ", ".join(repr(a) for a in self.inputs)
        site = self.site or "<site not recorded>"
        return f"{self.op_name}{name}({args}) = {self.output!r}, made at {site}"

    def lines(self) -> list[str]:
        out = [self.where(),
               f"∂/∂(input {self.input_index}): expected {self.expected!r} (reference: "
               f"{self.reference}), got {self.got!r} (engine: op.local)"]
        extra = []
        if self.reference != "central difference":
            extra.append(f"central difference {self.central!r} ± {self.central_error:.2g}")
        elif self.forward is not None:
            extra.append(f"forward mode {self.forward!r}")
        if self.note:
            extra.append(self.note)
        if extra:
            out.append("; ".join(extra))
        return out


@dataclass(frozen=True)
class LeakedConstant:
    """A constant leaf (needing no gradient, or a leaf Value that is not an input) whose data
    moves when input ``input_index`` moves: gradient that leaks out of the graph there."""

    position: int            # in topological order (parents first), from 0: the #k drawn
    label: Optional[str]
    data: float
    site: Optional[str]
    input_index: int
    slope: float             # d data / d input, by central differences
    node: Any = field(default=None, repr=False, compare=False)

    def line(self) -> str:
        name = f" {self.label!r}" if self.label else ""
        site = self.site or "<site not recorded>"
        return (f"constant{name} = {self.data!r} (node #{self.position}), made at "
                f"{site}: moves with input {self.input_index} (d data/dx ≈ {self.slope:.6g}) "
                "but is outside the graph")


@dataclass(frozen=True)
class InputVerdict:
    """The whole-function check of one input: reverse mode against central differences."""

    index: int
    reverse: float
    central: float
    error: float
    kind: Optional[str]      # None, "leak", "silent zero", or "kink" (no verdict)


@dataclass(frozen=True, repr=False)
class BlameReport:
    """What :func:`blame` found.  True when nothing is wrong.

    ``kind``: None or one of :data:`KINDS`; ``culprit``: the first wrong node
    (:class:`NodeVerdict`) or None; ``wrong``: every wrong partial found; ``leaks``: the
    constant leaves that moved with an input; ``whole``: the whole-function check per input
    (empty when a rule was already wrong); ``checked``: node partials checked; ``skipped``:
    partials not judged (values or derivatives not finite).
    ``str(report)`` is the text; ``_repr_html_`` the same for a notebook; ``picture()`` the
    graph with the wrong node (or the first leaked constant) highlighted.
    """

    what: str
    inputs: tuple
    kind: Optional[str]
    culprit: Optional[NodeVerdict]
    wrong: tuple
    leaks: tuple
    whole: tuple
    checked: int
    skipped: int
    nodes: int
    independent_forward: bool
    root: Any = field(default=None, compare=False)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.kind is None

    def __bool__(self) -> bool:
        return self.ok

    def lines(self) -> list[str]:
        at = f" at {list(self.inputs)!r}" if self.inputs else ""
        if self.ok:
            head = (f"{self.what}{at}: ok — {self.checked} local derivative(s) of "
                    f"{self.nodes} node(s) match their references")
            if self.skipped:
                head += f" ({self.skipped} not finite, not judged)"
            return [head]
        if self.culprit is not None:
            c = self.culprit
            lines = [f"{self.what}{at}: {self.kind} at node #{c.position} of {c.of}"]
            lines += ["  " + t for t in c.lines()]
            distinct = {id(v.node): v for v in self.wrong}  # one per node, in order
            lines.append(f"  {len(distinct)} wrong node(s) in all")
            if not self.independent_forward:
                lines.append("  (forward mode was no independent witness here: a primitive "
                             "without a tangent rule of its own)")
            return lines
        lines = [f"{self.what}{at}: {self.kind} — every local rule matches its reference, "
                 "but the whole gradient does not match central differences of f"]
        for row in self.whole:
            if row.kind in ("leak", "silent zero"):
                lines.append(f"  input {row.index}: expected {row.central!r} ± "
                             f"{row.error:.2g} (reference: central difference of f), got "
                             f"{row.reverse!r} (engine: reverse mode)"
                             + ("  SILENT ZERO" if row.kind == "silent zero" else ""))
        for leak in self.leaks:
            lines.append("  " + leak.line())
        if self.message:
            lines.append("  " + self.message)
        elif not self.leaks:
            lines.append("  no constant leaf moved with the input: the gradient leaves the "
                         "graph some other way (a hook, a Python branch, a float round trip)")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        lines = self.lines()
        color = "#15803d" if self.ok else "#b91c1c"
        body = "<br>".join(html.escape(t).replace("  ", "&nbsp;&nbsp;") for t in lines[1:])
        return (f'<div class="pathgrad-blame"><b style="color:{color}">'
                f"{html.escape(lines[0])}</b><br><code>{body}</code></div>")

    def highlighted(self) -> Any:
        """The node a picture should highlight: the culprit, else the first leaked constant."""
        if self.culprit is not None:
            return self.culprit.node
        if self.leaks:
            return self.leaks[0].node
        return None

    def picture(self, path: Any = None, *, max_nodes: int = 40, **options: Any) -> Any:
        """The graph as a :class:`~autograd.render.Drawing`, the wrong node highlighted (red);
        saved to ``path`` too when given (``.png``, ``.svg`` ...).  A large graph is drawn
        around the culprit: the culprit and its inputs within ``max_nodes``.
        """
        from .render import to_dot
        if self.root is None:
            raise ValueError(f"{self.what}: no graph to draw (f did not return a Value)")
        target = self.highlighted()
        base = self.root
        if self.culprit is not None and len(topological_order(self.root)) * 2 > max_nodes:
            base = target  # a large graph: the culprit and what it was computed from
            if "names" not in options:  # number the nodes as in the whole graph
                number = {id(n): k for k, n in enumerate(topological_order(self.root))}
                options["names"] = {n: f"#{number[id(n)]}" for n in topological_order(base)
                                    if n.label is None and id(n) in number}
        drawing = to_dot(base, highlight=target, max_nodes=max_nodes, **options)
        caption = self.lines()[:3] if not self.ok else self.lines()[:1]
        label = "<BR/>".join(html.escape(t) for t in caption)
        source = drawing.source.rstrip()
        if source.endswith("}"):
            source = source[:-1] + (f'\tlabel=<{label}> labelloc=t fontcolor="#b91c1c" '
                                    f'fontsize=12\n}}\n')
        drawing = type(drawing)(source)
        if path is not None:
            drawing.save(path)
        return drawing


# --- checking nodes -------------------------------------------------------------------------------

def _independent(op: Any) -> bool:
    """Does forward mode have a tangent rule for ``op`` written apart from its ``local``?"""
    return getattr(op, "tangent", None) is not None


def _tangent(op: Any, args: tuple, i: int) -> Optional[float]:
    try:
        duals = [Dual(a, 1.0 if j == i else 0.0) for j, a in enumerate(args)]
        return float(Dual.apply(op, *duals).tangent)
    except Exception:  # noqa: BLE001 - no tangent rule, or one that cannot run: no witness
        return None


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    if a == b:
        return True
    return math.fabs(a - b) <= atol + rtol * math.fabs(b)


def _as_float(x: Any) -> float:
    return float(x.data if isinstance(x, Value) else x)


def _check_node(node: Value, position: int, of: int, rtol: float, atol: float,
                e: float) -> tuple[list[NodeVerdict], int, int]:
    """(wrong partials, partials checked, partials skipped) for one node."""
    op = node.op
    args = tuple(p.data for p in node.parents)
    out = node.data

    def verdict(kind: str, i: int, expected: float, got: float, reference: str,
                diff: Optional[Difference], fwd: Optional[float], note: str = "") -> NodeVerdict:
        return NodeVerdict(kind, position, of, op.name, node.label, args, out,
                           node.creation_site, i, expected, got, reference,
                           math.nan if diff is None else diff.value,
                           math.inf if diff is None else diff.error, fwd, note, node)

    if not (math.isfinite(out) and all(math.isfinite(a) for a in args)):
        return [], 0, len(args)
    try:
        raw = op.local(*args, out)
        got = [_as_float(g) for g in raw]
    except Exception as error:  # noqa: BLE001 - a rule that cannot run is a wrong rule
        return [verdict("wrong rule", 0, math.nan, math.nan, "the rule itself", None, None,
                        f"op.local raised {type(error).__name__}: {error}")], 1, 0
    if len(got) != len(args):
        return [verdict("wrong rule", 0, math.nan, math.nan, "the rule itself", None, None,
                        f"op.local returned {len(got)} partial(s) for {len(args)} "
                        "input(s)")], 1, 0
    independent = _independent(op)
    wrong: list[NodeVerdict] = []
    checked = skipped = 0
    for i in range(len(args)):
        g = got[i]

        def phi(t: float, i: int = i) -> float:
            moved = list(args)
            moved[i] = t
            return op.forward(*moved)
        diff = difference(phi, args[i], eps=e)
        fwd = _tangent(op, args, i) if independent else None
        if not diff.finite or not math.isfinite(g):
            skipped += 1
            continue
        checked += 1
        tol = atol + 4.0 * diff.error
        if g == 0.0 and math.fabs(diff.value) > 4.0 * diff.error and not diff.kink:
            wrong.append(verdict("silent zero", i, diff.value, g, "central difference",
                                 diff, fwd, "SILENT ZERO: exactly 0 where the derivative "
                                            "clearly is not"))
            continue
        if diff.kink:
            # Central differences straddle a kink: no verdict of their own.  Forward mode
            # knows the side (and the tie convention); without it, a rule giving the average
            # passes, one giving either one-sided derivative is not judged.
            note = (f"at a kink: one-sided derivatives {diff.left!r} (left) and "
                    f"{diff.right!r} (right)")
            if fwd is not None and math.isfinite(fwd):
                expected, reference = fwd, "forward mode (central differences straddle a kink)"
                right = _close(g, fwd, 1e-12 * max(1.0, math.fabs(fwd)), _FORWARD_RTOL)
            else:
                expected = diff.value
                reference = "the ½/½ tie convention: the average of one-sided differences"
                right = _close(g, diff.value, tol, rtol)
                if not right and any(_close(g, side, tol, rtol)
                                     for side in (diff.left, diff.right)):
                    checked -= 1
                    skipped += 1
                    continue
            if not right:
                kind = "wrong at a kink only" if _right_beside(op, args, i, diff, rtol, atol) \
                    else "wrong rule"
                wrong.append(verdict(kind, i, expected, g, reference, diff, fwd, note))
            continue
        if not _close(g, diff.value, tol, rtol):
            wrong.append(verdict("wrong rule", i, diff.value, g, "central difference", diff,
                                 fwd))
            continue
        if fwd is not None and math.isfinite(fwd) and not _close(
                g, fwd, 1e-12 * max(1.0, math.fabs(fwd)), _FORWARD_RTOL):
            wrong.append(verdict("silent zero" if g == 0.0 else "wrong rule", i, fwd, g,
                                 "forward mode", diff, fwd))
    return wrong, checked, skipped


def _right_beside(op: Any, args: tuple, i: int, diff: Difference, rtol: float,
                  atol: float) -> bool:
    """Is the rule right just left and just right of the kink (so only the tie is wrong)?"""
    for side, want in ((diff.h, diff.right), (-diff.h, diff.left)):
        moved = list(args)
        moved[i] = args[i] + side
        try:
            out = op.forward(*moved)
            g = _as_float(op.local(*moved, out)[i])
        except Exception:  # noqa: BLE001
            return False
        if not _close(g, want, atol + 1e-6 * max(1.0, math.fabs(want)), max(rtol, 1e-6)):
            return False
    return True


def _check_graph(root: Value, rtol: float, atol: float, e: float
                 ) -> tuple[list[NodeVerdict], int, int, int, bool, list[Value]]:
    order = topological_order(root)
    n = len(order)
    wrong: list[NodeVerdict] = []
    checked = skipped = 0
    independent = True
    for k, node in enumerate(order):
        op = node.op
        if op is None:
            continue
        if not _independent(op):
            independent = False
        found, c, s = _check_node(node, k, n, rtol, atol, e)
        wrong.extend(found)
        checked += c
        skipped += s
    return wrong, checked, skipped, n, independent, order


def _sites() -> Any:
    """Record every node's creation site while ``f`` runs (see ``recording_sites``)."""
    return recording_sites()


def _kind_of(wrong: Sequence[NodeVerdict]) -> Optional[str]:
    return wrong[0].kind if wrong else None


def blame_graph(output: Value, *, rtol: float = 1e-6, atol: float = 1e-10,
                dtype: Any = "float64", eps: Optional[float] = None,
                show: Any = False) -> BlameReport:
    """Check every node of the graph behind ``output`` against its references (no leak
    check: that needs the function, see :func:`blame`).

    >>> from autograd import Value
    >>> x = Value(0.3, label="x")
    >>> blame_graph((x * x).tanh() + x.exp()).ok
    True
    """
    if not isinstance(output, Value):
        raise TypeError(f"blame_graph expects a Value, not {type(output).__name__}")
    e = _format_eps(dtype, eps)
    wrong, checked, skipped, n, independent, _ = _check_graph(output, rtol, atol, e)
    report = BlameReport(f"blame of the graph of {output!r:.60}", (), _kind_of(wrong),
                         wrong[0] if wrong else None, tuple(wrong), (), (), checked,
                         skipped, n, independent, output)
    _show(report, show)
    return report


def _show(report: BlameReport, show: Any) -> None:
    if not show or report.root is None:
        return
    if isinstance(show, (str, os.PathLike)):
        report.picture(show)
        return
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]
        from IPython.display import display  # type: ignore[import-not-found]
        if get_ipython() is not None:
            display(report.picture())
            return
    except ImportError:
        pass
    fd, path = tempfile.mkstemp(prefix="pathgrad-blame-", suffix=".png")
    os.close(fd)
    report.picture(path)
    print(f"blame picture: {path}")


def _run(f: Callable[..., Any], xs: Sequence[float]) -> tuple[list[Value], Any]:
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    return leaves, f(*leaves)


def _constants(out: Any, leaves: Sequence[Value]) -> list[tuple[int, Value]]:
    """(position in topological order, leaf) for the graph's leaves that are not inputs."""
    if not isinstance(out, Value):
        return []
    return [(k, n) for k, n in enumerate(topological_order(out))
            if n.is_leaf and not any(n is leaf for leaf in leaves)]


def blame(f: Callable[..., Any], xs: Sequence[float], *, rtol: float = 1e-6,
          atol: float = 1e-10, whole_rtol: float = 1e-5, dtype: Any = "float64",
          eps: Optional[float] = None, show: Any = False) -> BlameReport:
    """Find what is wrong with the gradient of ``f`` at ``xs``: the first node whose local
    rule disagrees with its references, else gradient leaking out of the graph.

    ``f`` takes one Value per input.  Node rules are held to ``rtol`` (plus ``atol`` and the
    central difference's own error bound); the whole gradient to ``whole_rtol``.  ``dtype``
    / ``eps``: the float format of the steps (see :mod:`autograd.check`).  ``show=True``
    displays the picture (a notebook) or writes it to a temporary PNG and prints its path;
    ``show="file.png"`` writes it there.  Never raises for what it finds: it reports.

    >>> from autograd import Value
    >>> report = blame(lambda x: Value(x.data ** 2) + 0 * x, [2.0])
    >>> report.kind
    'silent zero'
    """
    e = _format_eps(dtype, eps)
    xs = [_as_float(x) for x in xs]
    name = function_name(f)
    what = f"blame of {name}"
    with _sites():
        leaves, out = _run(f, xs)
    root = out if isinstance(out, Value) else None
    if root is not None:
        wrong, checked, skipped, n, independent, _ = _check_graph(root, rtol, atol, e)
    else:
        wrong, checked, skipped, n, independent = [], 0, 0, 0, True
    if wrong:
        report = BlameReport(what, tuple(xs), wrong[0].kind, wrong[0], tuple(wrong), (), (),
                             checked, skipped, n, independent, root)
        _show(report, show)
        return report
    reverse = [0.0] * len(xs)
    message = ""
    if root is not None:
        try:
            root.backward()
            reverse = [_as_float(leaf.grad) for leaf in leaves]
        except Exception as error:  # noqa: BLE001
            message = f"backward raised {type(error).__name__}: {error}"
    else:
        message = (f"f returned {type(out).__name__}, not a Value: the whole computation is "
                   "outside the graph")

    def value_of(*a: float) -> float:
        return _scalar(f(*(Value(t) for t in a)))

    rows: list[InputVerdict] = []
    leaks: list[LeakedConstant] = []
    constants = _constants(out, leaves)
    for i, x in enumerate(xs):
        def phi(t: float, i: int = i) -> float:
            moved = list(xs)
            moved[i] = t
            return value_of(*moved)
        diff = difference(phi, x, eps=e)
        r = reverse[i]
        kind: Optional[str] = None
        if not diff.finite or not math.isfinite(r):
            kind = None
        elif diff.kink:
            kind = None if _close(r, diff.value, atol + 4 * diff.error, whole_rtol) \
                else "kink"
        elif r == 0.0 and math.fabs(diff.value) > 4.0 * diff.error:  # no tolerance here
            kind = "silent zero"
        elif not _close(r, diff.value, atol + 4.0 * diff.error, whole_rtol):
            kind = "leak"
        rows.append(InputVerdict(i, r, diff.value, diff.error, kind))
        if kind in ("leak", "silent zero"):
            leaks.extend(_moved_constants(f, xs, i, diff.h, constants))
    kinds = [row.kind for row in rows if row.kind in ("leak", "silent zero")]
    kind = None
    if kinds:
        kind = "silent zero" if "silent zero" in kinds else "leak"
    elif message.startswith("backward"):
        kind = "leak"
    if any(row.kind == "kink" for row in rows) and kind is None:
        message = message or ("the whole gradient differs from central differences only "
                              "at a kink of f: no verdict")
    report = BlameReport(what, tuple(xs), kind, None, (), tuple(leaks), tuple(rows), checked,
                         skipped, n, independent, root, message)
    _show(report, show)
    return report


def _moved_constants(f: Callable[..., Any], xs: list[float], i: int, h: float,
                     constants: list[tuple[int, Value]]) -> list[LeakedConstant]:
    """Constant leaves whose data change when input ``i`` moves by ±h (matched by position
    among the constant leaves, in topological order)."""
    moved = []
    for s in (h, -h):
        ys = list(xs)
        ys[i] = xs[i] + s
        try:
            leaves, out = _run(f, ys)
        except Exception:  # noqa: BLE001
            return []
        moved.append([c.data for _, c in _constants(out, leaves)])
    plus, minus = moved
    found = []
    for k, (position, c) in enumerate(constants):
        if k >= len(plus) or k >= len(minus):
            break
        if plus[k] != c.data or minus[k] != c.data:
            slope = (plus[k] - minus[k]) / (2.0 * h)
            found.append(LeakedConstant(position, c.label, c.data, c.creation_site, i, slope,
                                        c))
    return found
