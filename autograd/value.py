"""``Value``: one scalar node of a computation graph.

A Value holds a float (``data``), its gradient (``grad``), the primitive that made it
(``op``), its parents in argument order (``parents``) and an optional ``label``.  Every
operator builds exactly one node per primitive from :mod:`autograd.ops`; derived ops
(``-``, ``relu``, ``softplus`` ...) are algebra on those, in :mod:`autograd.functional`.

>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> e = (a + b) * (b + 1)
>>> e.backward()
>>> e
Value(6.0, grad=1.0, op='*')
>>> a.grad, b.grad
(2.0, 5.0)
>>> (a * a).parents == (a, a)
True
"""

from __future__ import annotations

import gc
import math
import numbers
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, ContextManager, Iterator, Optional, Union

from .errors import AnomalyError, OperandTypeError
from .ops import ADD, DIV, EXP, EXPM1, LOG, LOG1P, MAX, MUL, POW, PRIMITIVES, Primitive

__all__ = ["Value", "Number", "no_grad", "enable_grad", "detect_anomaly", "is_grad_enabled",
           "is_anomaly_enabled", "gc_paused"]

Number = Union[int, float, bool]

# --- modes ------------------------------------------------------------------------------------
# Ops check one module global, ``_slow``; it is true only when a mode needs the slow path
# (no_grad, anomaly mode, or a tracer).  The fast path stays free of mode checks.
_grad_enabled = True
_anomaly = False
_tracer: Optional[Callable[..., Any]] = None
_slow = False

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _update_slow() -> None:
    global _slow
    _slow = (not _grad_enabled) or _anomaly or (_tracer is not None)


def is_grad_enabled() -> bool:
    """True unless inside :func:`no_grad`."""
    return _grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside :func:`detect_anomaly`."""
    return _anomaly


@contextmanager
def _grad_mode(enabled: bool) -> Iterator[None]:
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, enabled
    _update_slow()
    try:
        yield
    finally:
        _grad_enabled = previous
        _update_slow()


def no_grad() -> ContextManager[None]:
    """Compute values without recording a graph: results are leaves that need no gradient.

    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.parents, y.requires_grad
    ((), False)
    """
    return _grad_mode(False)


def enable_grad() -> ContextManager[None]:
    """Record graphs again inside a :func:`no_grad` block."""
    return _grad_mode(True)


@contextmanager
def detect_anomaly(enabled: bool = True) -> Iterator[None]:
    """Raise :class:`AnomalyError` at the first op whose forward or backward gives nan/inf.

    The error names the op, its input values, the node's label and the file:line where the
    node was created.

    >>> with detect_anomaly():
    ...     Value(0.0, label="x").log()
    Traceback (most recent call last):
    ...
    autograd.errors.AnomalyError: log produced -inf in the forward pass from inputs (x=0.0) ...
    """
    global _anomaly
    previous, _anomaly = _anomaly, enabled
    _update_slow()
    try:
        yield
    finally:
        _anomaly = previous
        _update_slow()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, then run it as usual.

    pathgrad graphs contain no reference cycles, so reference counting alone frees them the
    moment they go out of scope; the cyclic collector only re-reads every live node, again
    and again, while a large graph is built (about a third of a training step's time).  The
    nn training loop runs each step inside this block.  Cycles your own code makes in the
    block are collected after it.  Pause around a whole step (build, backward, update, drop
    the graph): pausing around smaller pieces only moves the collections between them.

    >>> import gc
    >>> with gc_paused():
    ...     gc.isenabled()
    False
    >>> @gc_paused()          # or as a decorator on your training step
    ... def step():
    ...     return gc.isenabled()
    >>> step(), gc.isenabled()
    (False, True)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _set_tracer(tracer: Optional[Callable[..., Any]]) -> Optional[Callable[..., Any]]:
    """Install a function called as ``tracer(event, *args)`` on node creation and comparisons.

    Returns the previous tracer.  Used by the replay compiler; not public API.
    """
    global _tracer
    previous, _tracer = _tracer, tracer
    _update_slow()
    return previous


def _creation_site() -> str:
    """file:line of the first frame outside this package (where the user made the node)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == \
            _PACKAGE_DIR:
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class _Meta:
    """Rarely used per-node facts, kept off the hot path: label, hooks, derived op, site.

    A *shared* meta carries only a derived-op name whose single input is the node's first
    parent (``relu(x) = max(x, 0)``); one instance serves every such node and is copied
    before anything is written to it.
    """

    __slots__ = ("label", "hooks", "group", "site", "shared")

    def __init__(self) -> None:
        self.label: Optional[str] = None
        self.hooks: Optional[list] = None
        self.group: Optional[tuple] = None  # (derived-op name, its inputs or None if shared)
        self.site: Optional[str] = None
        self.shared = False

    @classmethod
    def shared_group(cls, name: str) -> "_Meta":
        meta = cls()
        meta.group = (name, None)
        meta.shared = True
        return meta


def _lift(x: Any, opname: str) -> "Value":
    """Turn an operand into a Value; a plain number becomes a constant leaf."""
    cls = x.__class__
    if cls is Value:
        return x
    if cls is float or cls is int or cls is bool or _is_real(x):
        v = _new(Value)
        v.data = x if cls is float else _to_float(x)
        v.grad = 0.0
        v.requires_grad = False
        v._op = None
        v._a = v._b = None
        v._meta = v._mark = None
        if _anomaly:
            _check_leaf(v)
        return v
    raise OperandTypeError(
        f"unsupported operand for {opname}: {type(x).__name__} {x!r:.60}; "
        "expected int, float, bool, a numpy scalar or a Value")


_new = object.__new__


def _to_float(x: Any) -> float:
    """float(x), with IEEE overflow: an int beyond the float range becomes ±inf."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _is_real(x: Any) -> bool:
    """int, float, bool, Fraction, numpy scalars (``np.bool_`` included) — not a Value."""
    if isinstance(x, Value):
        return False
    if isinstance(x, numbers.Real):
        return True
    dtype = getattr(x, "dtype", None)  # numpy's bool_ is not registered as numbers.Real
    return getattr(dtype, "kind", None) == "b" and getattr(x, "shape", None) == ()


def _check_leaf(v: "Value") -> None:
    if not math.isfinite(v.data):
        raise AnomalyError(f"leaf value {v.data!r} is not finite (created at {_creation_site()})")


def _node(op: Primitive, data: float, parents: tuple) -> "Value":
    """Make the output node of ``op``; the slow path handles modes and anomaly checks."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out._meta = out._mark = None
    if not _grad_enabled:
        out.requires_grad = False
        out._op = None
        out._a = out._b = None
    else:
        out.requires_grad = any(p.requires_grad for p in parents)
        out._op = op
        out._a = parents[0]
        out._b = parents[1] if len(parents) == 2 else None
    if _anomaly:
        meta = out._meta = _Meta()
        meta.site = _creation_site()
        if not math.isfinite(data) and all(math.isfinite(p.data) for p in parents):
            raise AnomalyError(
                f"{op.name} produced {data!r} in the forward pass from inputs "
                f"({_describe_inputs(parents)}) at {meta.site}")
    if _tracer is not None:
        _tracer("node", out)
    return out


def _describe_inputs(parents: tuple) -> str:
    return ", ".join(f"{p.label or '_'}={p.data!r}" for p in parents)


def _binary_method(op: Primitive) -> Callable[["Value", Any], "Value"]:
    """The method ``self <op> other`` for a two-input primitive: one new node per call.

    Node creation is written here once, for every primitive; each operator method is made
    by this function rather than calling a shared helper, which saves a call per node.
    """
    forward, symbol = op.forward, op.symbol

    def method(self: "Value", other: Any) -> "Value":
        if other.__class__ is not Value:
            other = _lift(other, symbol)
        if _slow:
            return _node(op, forward(self.data, other.data), (self, other))
        out = _new(Value)
        out.data = forward(self.data, other.data)
        out.grad = 0.0
        out.requires_grad = self.requires_grad or other.requires_grad
        out._op = op
        out._a = self
        out._b = other
        out._meta = out._mark = None
        return out
    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"The primitive {op.name} ({symbol}): one new node."
    return method


def _unary_method(op: Primitive) -> Callable[["Value"], "Value"]:
    """The method ``self.<op>()`` for a one-input primitive (see :func:`_binary_method`)."""
    forward = op.forward

    def method(self: "Value") -> "Value":
        if _slow:
            return _node(op, forward(self.data), (self,))
        out = _new(Value)
        out.data = forward(self.data)
        out.grad = 0.0
        out.requires_grad = self.requires_grad
        out._op = op
        out._a = self
        out._b = None
        out._meta = out._mark = None
        return out
    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"The primitive {op.name}: one new node."
    return method


_METHODS: dict = {op: (_binary_method(op) if op.arity == 2 else _unary_method(op))
                  for op in PRIMITIVES}
_power = _METHODS[POW]


def _binary(op: Primitive, a: "Value", b: Any) -> "Value":
    """``op(a, b)`` for a Value ``a``: one node (``op`` may be a primitive of your own)."""
    method = _METHODS.get(op)
    return (method or _binary_method(op))(a, b)


def _unary(op: Primitive, a: "Value") -> "Value":
    """``op(a)`` for a Value ``a``: one node (``op`` may be a primitive of your own)."""
    method = _METHODS.get(op)
    return (method or _unary_method(op))(a)


class Value:
    """A scalar in a computation graph.

    ``data`` and ``grad`` are Python floats (after ``backward(create_graph=True)`` the grad
    is itself a Value, so it can be differentiated again).  Comparisons ``< <= > >=`` compare
    ``data`` and return bool; ``==`` is identity, so Values can key dicts.

    >>> x = Value(3, label="x")
    >>> y = x ** 2 + 1
    >>> y.backward()
    >>> (y.data, x.grad)
    (10.0, 6.0)
    """

    # Parents live in two slots (_a, _b; None when absent) rather than a tuple: one object
    # per node instead of two halves the allocations and the garbage collector's work.
    # _mark is scratch space for graph walks (see graph.topological_order).
    __slots__ = ("data", "grad", "requires_grad", "_op", "_a", "_b", "_meta", "_mark",
                 "__weakref__")
    __array_ufunc__ = None  # numpy defers to our reflected operators

    def __init__(self, data: Number, label: Optional[str] = None, *,
                 requires_grad: bool = True) -> None:
        if not _is_real(data):
            raise OperandTypeError(
                f"Value() takes a real number, not {type(data).__name__} {data!r:.60}")
        self.data = _to_float(data)
        self.grad = 0.0
        self.requires_grad = bool(requires_grad)
        self._op: Optional[Primitive] = None
        self._a: Optional[Value] = None
        self._b: Optional[Value] = None
        self._meta: Optional[_Meta] = None
        self._mark: Optional[object] = None
        if label is not None:
            self.label = label
        if _anomaly:
            _check_leaf(self)

    # --- structure -------------------------------------------------------------------------
    @property
    def op(self) -> Optional[Primitive]:
        """The primitive that made this node, or None for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple:
        """The inputs of this node, in argument order (``x*x`` has ``(x, x)``)."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    _parents = parents

    @property
    def is_leaf(self) -> bool:
        return self._op is None

    @property
    def label(self) -> Optional[str]:
        """A name for pictures and tables (None when unnamed)."""
        return None if self._meta is None else self._meta.label

    @label.setter
    def label(self, text: Optional[str]) -> None:
        if text is not None and not isinstance(text, str):
            raise OperandTypeError(f"label must be a str, not {type(text).__name__}")
        self._ensure_meta().label = text

    @property
    def group(self) -> Optional[tuple]:
        """``(name, inputs)`` when this node is the output of a derived op such as ``relu``."""
        meta = self._meta
        if meta is None or meta.group is None:
            return None
        name, inputs = meta.group
        return (name, (self._a,)) if inputs is None else (name, inputs)

    @property
    def creation_site(self) -> Optional[str]:
        """file:line where the node was made (recorded under anomaly mode)."""
        return None if self._meta is None else self._meta.site

    def _ensure_meta(self) -> _Meta:
        meta = self._meta
        if meta is None or meta.shared:
            own = _Meta()
            if meta is not None:
                own.group = (meta.group[0], (self._a,))
            meta = self._meta = own
        return meta

    def __repr__(self) -> str:
        grad = self.grad
        grad_text = f"Value({grad.data!r})" if isinstance(grad, Value) else repr(grad)
        text = f"Value({self.data!r}, grad={grad_text}"
        if self._op is not None:
            group = self.group
            text += f", op={(group[0] if group else self._op.symbol)!r}"
        label = self.label
        if label is not None:
            text += f", label={label!r}"
        return text + ")"

    def __float__(self) -> float:
        if _tracer is not None:
            _tracer("read", self)
        return self.data

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        """Jupyter shows a Value as the SVG picture of its graph (:mod:`autograd.render`)."""
        from .render import repr_mimebundle
        return repr_mimebundle(self, include, exclude)

    def __bool__(self) -> bool:
        """Truth as for floats: ``bool(v)`` is ``v.data != 0`` (recorded by a tracer)."""
        return _compare("!=", self, 0.0)

    # --- primitives ----------------------------------------------------------------------
    __add__ = _METHODS[ADD]

    def __radd__(self, other: Any) -> "Value":
        return _lift(other, "+") + self

    __mul__ = _METHODS[MUL]

    def __rmul__(self, other: Any) -> "Value":
        return _lift(other, "*") * self

    __truediv__ = _METHODS[DIV]

    def __rtruediv__(self, other: Any) -> "Value":
        return _lift(other, "/") / self

    def __pow__(self, other: Any) -> "Value":
        if other.__class__ is Value or isinstance(other, Value):
            return _power(self, other)  # one pow node, constant or variable exponent
        return _power(self, _lift(other, "**"))

    def __rpow__(self, other: Any) -> "Value":
        return _lift(other, "**") ** self

    exp = _METHODS[EXP]
    log = _METHODS[LOG]
    log1p = _METHODS[LOG1P]
    expm1 = _METHODS[EXPM1]
    maximum = _METHODS[MAX]

    def tanh(self) -> "Value":
        return _F.tanh(self)

    def sigmoid(self) -> "Value":
        return _F.sigmoid(self)

    # --- derived (algebra in autograd.functional) ------------------------------------------
    def __neg__(self) -> "Value":
        return _F.neg(self)

    def __sub__(self, other: Any) -> "Value":
        return _F.sub(self, _lift(other, "-"))

    def __rsub__(self, other: Any) -> "Value":
        return _F.sub(_lift(other, "-"), self)

    def __abs__(self) -> "Value":
        return _F.abs(self)

    def __pos__(self) -> "Value":
        return self

    def relu(self) -> "Value":
        return _F.relu(self)

    def minimum(self, other: Any) -> "Value":
        return _F.minimum(self, _lift(other, "min"))

    def softplus(self) -> "Value":
        return _F.softplus(self)

    def sqrt(self) -> "Value":
        return _F.sqrt(self)

    # --- comparisons on data ---------------------------------------------------------------
    def __lt__(self, other: Any) -> bool:
        return _compare("<", self, other)

    def __le__(self, other: Any) -> bool:
        return _compare("<=", self, other)

    def __gt__(self, other: Any) -> bool:
        return _compare(">", self, other)

    def __ge__(self, other: Any) -> bool:
        return _compare(">=", self, other)

    __hash__ = object.__hash__

    # --- gradients ---------------------------------------------------------------------
    def backward(self, grad: Any = 1.0, *, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``grad`` (see :mod:`autograd.graph`)."""
        _graph.backward(self, grad, create_graph=create_graph)

    def backward_steps(self, grad: Any = 1.0):
        """Run backward one node at a time, yielding a :class:`~autograd.steps.Step` each."""
        from .steps import backward_steps
        return backward_steps(self, grad)

    def zero_grad(self) -> None:
        """Set ``grad = 0.0`` on this node and every node it depends on."""
        _graph.zero_grad(self)

    def detach(self) -> "Value":
        """A new leaf with the same data, cut from the graph, needing no gradient."""
        return Value(self.data, requires_grad=False)

    def register_hook(self, hook: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``hook(grad)`` when this node's gradient is complete during backward.

        The hook may return a replacement gradient.  Returns a function that removes it.
        """
        meta = self._ensure_meta()
        if meta.hooks is None:
            meta.hooks = []
        meta.hooks.append(hook)

        def remove() -> None:
            if meta.hooks and hook in meta.hooks:
                meta.hooks.remove(hook)
        return remove


def _compare(symbol: str, a: Value, b: Any) -> bool:
    """Compare ``data``; a tracer (the replay compiler) records the outcome as a guard."""
    if b.__class__ is Value or isinstance(b, Value):
        other = b.data
    elif _is_real(b):
        other = _to_float(b)
    else:
        raise OperandTypeError(
            f"unsupported operand for {symbol}: {type(b).__name__} {b!r:.60}; "
            "expected int, float, bool, a numpy scalar or a Value")
    x = a.data
    if symbol == "<":
        result = x < other
    elif symbol == "<=":
        result = x <= other
    elif symbol == ">":
        result = x > other
    elif symbol == ">=":
        result = x >= other
    else:  # "!=", for truth tests: bool(v) is v != 0
        result = x != other
    if _tracer is not None:
        _tracer("compare", symbol, a, b, result)
    return result


# functional and graph import Value; bind them last (no cycle at import time).
from . import functional as _F  # noqa: E402
from . import graph as _graph  # noqa: E402
