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

import contextlib
import contextvars
import gc
import inspect
import math
import numbers
import os
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, ContextManager, Iterator, Optional, Union

from .errors import AnomalyError, OperandTypeError
from .ops import ADD, DIV, EXP, EXPM1, LOG, LOG1P, MAX, MUL, POW, PRIMITIVES, Primitive

__all__ = ["Value", "Number", "no_grad", "enable_grad", "detect_anomaly", "is_grad_enabled",
           "is_anomaly_enabled", "gc_paused"]

Number = Union[int, float, bool]

# --- modes ------------------------------------------------------------------------------------
# Modes are per thread (and per asyncio task): each context holds a tuple of the modes it
# has entered, innermost last, in a ContextVar.  Ops check one module global, ``_slow``; it
# is true while ANY context has a mode entered, and only the slow path reads the context's
# modes.  The fast path stays free of mode checks.  A mode entered in a generator's frame
# counts only while that generator runs (a suspended generator's frame has no f_back), so
# a generator paused inside ``no_grad`` does not turn gradients off in its caller.
_DEFAULT = (True, False, None)  # (grad enabled, anomaly mode, tracer)
# The context's value: (modes entered, innermost last; their resolved state, or None when a
# generator's mode is among them and the state must be resolved at each read).
_modes: contextvars.ContextVar[tuple] = contextvars.ContextVar("pathgrad_modes",
                                                               default=((), _DEFAULT))
_entered = 0  # modes entered and not yet left, in every thread
_entered_lock = threading.Lock()
_slow = False
_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class _Mode:
    """One entered mode: its kind ("grad", "anomaly" or "tracer"), its value, and the
    generator frame that entered it (None for an ordinary frame)."""
    __slots__ = ("kind", "value", "frame")

    def __init__(self, kind: str, value: Any, frame: Any) -> None:
        self.kind, self.value, self.frame = kind, value, frame


def _resolve(modes: tuple) -> tuple[bool, bool, Optional[Callable[..., Any]]]:
    """(grad enabled, anomaly mode, tracer) from ``modes``: the innermost live one of each."""
    found: dict = {}
    for i in range(len(modes) - 1, -1, -1):
        mode = modes[i]
        if mode.kind not in found and (mode.frame is None or mode.frame.f_back is not None):
            found[mode.kind] = mode.value
    return found.get("grad", True), found.get("anomaly", False), found.get("tracer")


def _set_modes(modes: tuple) -> None:
    in_generator = any(mode.frame is not None for mode in modes)
    _modes.set((modes, None if in_generator else _resolve(modes)))


def _state() -> tuple[bool, bool, Optional[Callable[..., Any]]]:
    """This context's (grad enabled, anomaly mode, tracer), innermost modes winning."""
    if not _slow:
        return _DEFAULT
    modes, state = _modes.get()
    return state if state is not None else _resolve(modes)


@contextmanager
def _mode(kind: str, value: Any) -> Iterator[None]:
    global _entered, _slow
    frame = sys._getframe(2)  # the frame running the ``with``, past contextlib (ExitStack ...)
    while frame.f_back is not None and frame.f_code.co_filename == contextlib.__file__:
        frame = frame.f_back
    mode = _Mode(kind, value, frame if frame.f_code.co_flags & _GENERATOR_FLAGS else None)
    with _entered_lock:
        _entered += 1
        _slow = True
    _set_modes(_modes.get()[0] + (mode,))
    try:
        yield
    finally:
        modes = _modes.get()[0]
        for i in range(len(modes) - 1, -1, -1):  # remove this one (exits may interleave)
            if modes[i] is mode:
                _set_modes(modes[:i] + modes[i + 1:])
                break
        mode.frame = None  # a generator's frame refers to this mode: break the cycle
        with _entered_lock:
            _entered -= 1
            _slow = _entered > 0


def is_grad_enabled() -> bool:
    """True unless inside :func:`no_grad` (in this thread)."""
    return _state()[0]


def is_anomaly_enabled() -> bool:
    """True inside :func:`detect_anomaly` (in this thread)."""
    return _state()[1]


def _grad_mode(enabled: bool) -> ContextManager[None]:
    return _mode("grad", enabled)


def no_grad() -> ContextManager[None]:
    """Compute values without recording a graph: results are leaves that need no gradient.

    The mode belongs to the thread that enters it; other threads keep recording.

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


def detect_anomaly(enabled: bool = True) -> ContextManager[None]:
    """Raise :class:`AnomalyError` at the first op whose forward or backward gives nan/inf.

    The error names the op, its input values, the node's label and the file:line where the
    node was created.  The mode belongs to the thread that enters it.

    >>> with detect_anomaly():
    ...     Value(0.0, label="x").log()
    Traceback (most recent call last):
    ...
    autograd.errors.AnomalyError: log produced -inf in the forward pass from inputs (x=0.0) ...
    """
    return _mode("anomaly", bool(enabled))


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


def _tracing(tracer: Callable[..., Any]) -> ContextManager[None]:
    """Call ``tracer(event, *args)`` on node creation, reads and comparisons in this thread.

    Used by the replay compiler; not public API.
    """
    return _mode("tracer", tracer)


def _current_tracer() -> Optional[Callable[..., Any]]:
    """The innermost tracer of this thread, or None."""
    return _state()[2]


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

    def copy(self, group: Optional[tuple] = None) -> "_Meta":
        """An unshared copy for another node: label, site and a list of its own of the hooks;
        ``group`` as given (the copy's derived-op group may point at copied inputs)."""
        copied = _Meta()
        copied.label, copied.site, copied.group = self.label, self.site, group
        copied.hooks = None if self.hooks is None else list(self.hooks)
        return copied

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
        if _slow and is_anomaly_enabled():
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
    modes, state = _modes.get()  # _state(), inlined: the slow path is run once per node
    grad_enabled, anomaly, tracer = state if state is not None else _resolve(modes)
    if not grad_enabled:
        out.requires_grad = False
        out._op = None
        out._a = out._b = None
    else:
        out.requires_grad = any(p.requires_grad for p in parents)
        out._op = op
        out._a = parents[0]
        out._b = parents[1] if len(parents) == 2 else None
    if anomaly:
        meta = out._meta = _Meta()
        meta.site = _creation_site()
        if not math.isfinite(data) and all(math.isfinite(p.data) for p in parents):
            raise AnomalyError(
                f"{op.name} produced {data!r} in the forward pass from inputs "
                f"({_describe_inputs(parents)}) at {meta.site}")
    if tracer is not None:
        tracer("node", out)
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
        if requires_grad.__class__ is not bool and type(requires_grad).__name__ not in (
                "bool_", "bool"):  # numpy's bool is bool_ (1.x) or bool (2.x)
            raise OperandTypeError(f"Value(requires_grad=...) takes True or False, not "
                                   f"{type(requires_grad).__name__} {requires_grad!r:.60}")
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
        if _slow and is_anomaly_enabled():
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
        if _slow:
            tracer = _current_tracer()
            if tracer is not None:
                tracer("read", self)
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
        """Accumulate d(self)/d(leaf) into every leaf's ``grad`` (see :mod:`autograd.graph`).

        ``grad`` (the seed) is a real number or a Value; anything else is an
        :class:`~autograd.errors.OperandTypeError` at once."""
        _check_seed("backward", grad)
        _graph.backward(self, grad, create_graph=create_graph)

    def backward_steps(self, grad: Any = 1.0):
        """A :class:`~autograd.steps.Stepper` over the backward pass, one node per step."""
        _check_seed("backward_steps", grad)
        from .steps import backward_steps
        return backward_steps(self, grad)

    def forward_steps(self):
        """A :class:`~autograd.steps.Stepper` over the forward pass, one node per step."""
        from .steps import forward_steps
        return forward_steps(self)

    def zero_grad(self) -> None:
        """Set ``grad = 0.0`` on this node and every node it depends on."""
        _graph.zero_grad(self)

    def detach(self) -> "Value":
        """A new leaf with the same data, cut from the graph, needing no gradient."""
        return Value(self.data, requires_grad=False)

    # --- copying and pickling ---------------------------------------------------------
    def __deepcopy__(self, memo: dict) -> "Value":
        """A copy of the whole graph behind this node, made without recursion (any depth).

        Nodes reached through parents, derived-op groups and Value gradients are each copied
        once; primitives, hooks' functions and labels are shared.

        >>> import copy
        >>> x = Value(2.0); y = x
        >>> for _ in range(5000): y = y * 1.0
        >>> z = copy.deepcopy(y); z.backward()
        >>> z.data, x.grad, z.parents[0] is not y.parents[0]
        (2.0, 0.0, True)
        """
        found: list = []
        stack = [self]
        while stack:
            node = stack.pop()
            if id(node) in memo:
                continue
            twin = _new(Value)
            memo[id(node)] = twin
            found.append((node, twin))
            for nxt in (node._a, node._b, node.grad):
                if isinstance(nxt, Value) and id(nxt) not in memo:
                    stack.append(nxt)
            meta = node._meta
            if meta is not None and meta.group is not None and meta.group[1] is not None:
                stack.extend(v for v in meta.group[1] if isinstance(v, Value))
        for node, twin in found:
            twin.data, twin.requires_grad, twin._op = node.data, node.requires_grad, node._op
            g = node.grad
            twin.grad = memo[id(g)] if isinstance(g, Value) else g
            twin._a = None if node._a is None else memo[id(node._a)]
            twin._b = None if node._b is None else memo[id(node._b)]
            twin._mark = None
            meta = node._meta
            if meta is None or meta.shared:
                twin._meta = meta
            else:
                group = meta.group
                if group is not None and group[1] is not None:
                    group = (group[0], tuple(memo.get(id(v), v) if isinstance(v, Value) else v
                                             for v in group[1]))
                twin._meta = meta.copy(group)
        return memo[id(self)]

    def __reduce_ex__(self, protocol: Any) -> Any:
        """A leaf pickles (data, grad, label); a node made by an op is refused with a
        :class:`~autograd.errors.GraphError`: pathgrad keeps no pickle format for graphs (its
        own files are JSON, with no pickle), and a graph's rules are code, not data."""
        if self._op is not None:
            from .errors import GraphError
            raise GraphError(
                f"cannot pickle {self!r:.80}: it was made by the op {self._op.name!r}, and "
                "pathgrad does not pickle graphs; pickle v.data or v.detach(), use "
                "copy.deepcopy(v) for a copy, or Module.save for a model")
        return super().__reduce_ex__(protocol)

    def __copy__(self) -> "Value":
        """A new node with the same data, grad, op and parents (the parents are shared)."""
        twin = _new(Value)
        twin.data, twin.grad, twin.requires_grad = self.data, self.grad, self.requires_grad
        twin._op, twin._a, twin._b, twin._mark = self._op, self._a, self._b, None
        meta = self._meta
        twin._meta = meta if meta is None or meta.shared else meta.copy(meta.group)
        return twin

    def register_hook(self, hook: Callable[[Any], Any]) -> Callable[[], None]:
        """Call ``hook(grad)`` when this node's gradient is complete during backward.

        The hook may return a replacement gradient.  Returns a function that removes it.
        A ``hook`` that is not callable is an :class:`~autograd.errors.OperandTypeError`.
        """
        if not callable(hook):
            raise OperandTypeError(f"register_hook takes a function of the gradient, not "
                                   f"{type(hook).__name__} {hook!r:.60}")
        meta = self._ensure_meta()
        if meta.hooks is None:
            meta.hooks = []
        meta.hooks.append(hook)

        def remove() -> None:
            if meta.hooks and hook in meta.hooks:
                meta.hooks.remove(hook)
        return remove


def _check_seed(where: str, grad: Any) -> None:
    if not (isinstance(grad, Value) or _is_real(grad)):
        raise OperandTypeError(f"{where}(grad=...) takes a real number or a Value, not "
                               f"{type(grad).__name__} {grad!r:.60}")


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
    if _slow:
        tracer = _current_tracer()
        if tracer is not None:
            tracer("compare", symbol, a, b, result)
    return result


# functional and graph import Value; bind them last (no cycle at import time).
from . import functional as _F  # noqa: E402
from . import graph as _graph  # noqa: E402
