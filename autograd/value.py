"""``Value``: one scalar node of a computation graph.

A Value holds a float (``data``), its gradient (``grad``), the primitive that made it
(``op``), its parents in argument order (``parents``) and an optional ``label``.  Every
operator builds exactly one node per primitive from :mod:`autograd.ops`; derived ops
(``-``, ``relu``, ``softplus`` ...) are algebra on those, in :mod:`autograd.functional`.
Value's op methods and operators are made from the op records when each op is declared;
the layers above add theirs with :func:`attach` (``backward`` from :mod:`autograd.graph`,
the steppers from :mod:`autograd.steps`, the notebook picture from :mod:`autograd.render`),
so this module imports nothing above :mod:`autograd.modes`.

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

import math
import numbers
import os
import sys
from typing import Any, Callable, Optional, Union

from . import modes, ops
from .errors import AnomalyError, OperandTypeError
from .modes import (detect_anomaly, enable_grad, gc_paused, is_anomaly_enabled,
                    is_grad_enabled, no_grad, recording_sites)
from .ops import ADD, MUL, Derived, Primitive

__all__ = ["Value", "Number", "attach", "method_for", "no_grad", "enable_grad",
           "detect_anomaly", "recording_sites", "is_grad_enabled", "is_anomaly_enabled",
           "gc_paused"]

Number = Union[int, float, bool]

# --- modes (autograd.modes) -------------------------------------------------------------------
# Ops read one flag, ``_slow``: true while any thread has a mode entered.  autograd.modes keeps
# this module's copy of it up to date; only the slow path reads the modes themselves.
_slow = False


def _follow_slow(flag: bool) -> None:
    global _slow
    _slow = flag


modes.on_slow_change(_follow_slow)
_state = modes.state
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_INSIDE = _PACKAGE_DIR + os.sep  # this package and its subpackages (render/, replay/)


def _creation_site() -> str:
    """file:line of the first frame outside this package (where the user made the node)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_INSIDE):
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
        v = _constant(x if cls is float else _to_float(x))
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


def _constant(x: float) -> "Value":
    """A constant leaf (no gradient) holding the float ``x``."""
    v = _new(Value)
    v.data = x
    v.grad = 0.0
    v.requires_grad = False
    v._op = None
    v._a = v._b = None
    v._meta = None
    return v


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
    out._meta = None
    grad_enabled, anomaly, _, sites = _state()
    if not grad_enabled:
        out.requires_grad = False
        out._op = None
        out._a = out._b = None
    else:
        out.requires_grad = any(p.requires_grad for p in parents)
        out._op = op
        out._a = parents[0]
        out._b = parents[1] if len(parents) == 2 else None
    if anomaly or sites:
        meta = out._meta = _Meta()
        meta.site = _creation_site()
        if anomaly and not math.isfinite(data) and all(math.isfinite(p.data) for p in parents):
            raise AnomalyError(
                f"{op.name} produced {data!r} in the forward pass from inputs "
                f"({_describe_inputs(parents)}) at {meta.site}")
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
        cls = other.__class__
        if cls is not Value:
            if cls is int:
                other, cls = _to_float(other), float
            if cls is not float or _slow:
                other = _lift(other, symbol)  # a constant leaf (numpy scalars, bools ...)
            else:  # a number on the right is kept in the node as a float (see Value._b)
                out = _new(Value)
                out.data = forward(self.data, other)
                out.grad = 0.0
                out.requires_grad = self.requires_grad
                out._op = op
                out._a = self
                out._b = other
                out._meta = None
                return out
        if _slow:
            return _node(op, forward(self.data, other.data), (self, other))
        out = _new(Value)
        out.data = forward(self.data, other.data)
        out.requires_grad = self.requires_grad or other.requires_grad
        out.grad = 0.0
        out._op = op
        out._a = self
        out._b = other
        out._meta = None
        return out
    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"The primitive {op.name} ({symbol}): one new node."
    return method


# The two commonest primitives get methods with the operator written inline (a call of
# ``operator.add`` costs about a sixth of a node); anything but a Value or a float on the right,
# and every mode, goes through the general method.  tests/test_registry.py holds them equal.

def _add_method(general: Callable[..., "Value"]) -> Callable[["Value", Any], "Value"]:
    def add(self: "Value", other: Any) -> "Value":
        if not _slow:
            cls = other.__class__
            if cls is Value:
                out = _new(Value)
                out.data = self.data + other.data
                out.requires_grad = self.requires_grad or other.requires_grad
            elif cls is float:
                out = _new(Value)
                out.data = self.data + other
                out.requires_grad = self.requires_grad
            else:
                return general(self, other)
            out.grad = 0.0
            out._op = ADD
            out._a = self
            out._b = other
            out._meta = None
            return out
        return general(self, other)
    add.__doc__ = general.__doc__
    return add


def _mul_method(general: Callable[..., "Value"]) -> Callable[["Value", Any], "Value"]:
    def mul(self: "Value", other: Any) -> "Value":
        if not _slow:
            cls = other.__class__
            if cls is Value:
                out = _new(Value)
                out.data = self.data * other.data
                out.requires_grad = self.requires_grad or other.requires_grad
            elif cls is float:
                out = _new(Value)
                out.data = self.data * other
                out.requires_grad = self.requires_grad
            else:
                return general(self, other)
            out.grad = 0.0
            out._op = MUL
            out._a = self
            out._b = other
            out._meta = None
            return out
        return general(self, other)
    mul.__doc__ = general.__doc__
    return mul


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
        out._meta = None
        return out
    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"The primitive {op.name}: one new node."
    return method


_METHODS: dict = {}  # primitive record -> its node-making method (declared ones)


def method_for(op: Primitive) -> Callable[..., "Value"]:
    """The method making one ``op`` node from Values (generated once per declared op)."""
    method = _METHODS.get(op)
    if method is None:
        method = _binary_method(op) if op.arity == 2 else _unary_method(op)
        if op is ADD or op is MUL:
            method = (_add_method if op is ADD else _mul_method)(method)
        if ops.REGISTRY.get(op.name) is op:
            _METHODS[op] = method
    return method


def _binary(op: Primitive, a: "Value", b: Any) -> "Value":
    """``op(a, b)`` for a Value ``a``: one node (``op`` may be a primitive of your own)."""
    return (_METHODS.get(op) or method_for(op))(a, b)


def _unary(op: Primitive, a: "Value") -> "Value":
    """``op(a)`` for a Value ``a``: one node (``op`` may be a primitive of your own)."""
    return (_METHODS.get(op) or method_for(op))(a)


def _apply(op: Primitive, *args: Any) -> "Value":
    """A record called with a Value among its arguments: one node, numbers lifted."""
    if op.arity == 1:
        return _unary(op, args[0])
    a, b = args
    return _binary(op, a if a.__class__ is Value else _lift(a, op.symbol), b)


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
    # per node instead of two halves the allocations and the garbage collector's work.  A
    # float on the right of a two-input op (``x * 2.0``, ``max(x, 0.0)``) is kept in _b as the
    # float itself; ``parents`` turns it into its constant leaf the first time it is asked
    # for (and keeps that leaf), so every view sees the same graph of Values.
    __slots__ = ("data", "grad", "requires_grad", "_op", "_a", "_b", "_meta",
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
        if label is not None:
            self.label = label
        if _slow:
            state = _state()
            if state.sites or state.anomaly:
                self._ensure_meta().site = _creation_site()
            if state.anomaly:
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
        if b is None:
            return (a,)
        if b.__class__ is float:
            b = self._b = _constant(b)
        return (a, b)


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
        """file:line where the node was made (recorded in :func:`~autograd.modes.recording_sites`
        and :func:`~autograd.modes.detect_anomaly`; None elsewhere)."""
        return None if self._meta is None else self._meta.site

    @property
    def hooks(self) -> tuple:
        """The gradient hooks registered on this node, in order (see :meth:`register_hook`)."""
        meta = self._meta
        return () if meta is None or not meta.hooks else tuple(meta.hooks)

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
            tracer = _state().tracer
            if tracer is not None:
                tracer("read", self)
        return self.data

    def __bool__(self) -> bool:
        """Truth as for floats: ``bool(v)`` is ``v.data != 0`` (recorded by a tracer)."""
        return _compare("!=", self, 0.0)

    # Each op's method (``exp``, ``relu`` ...) and operator (``+``, ``-`` ...) is made from its
    # record in autograd.ops when the op is declared (see ``_install`` below).

    def __pos__(self) -> "Value":
        return self

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
    # backward, zero_grad, backward_steps and forward_steps are attached by autograd.graph
    # and autograd.steps; Jupyter's _repr_mimebundle_ by autograd.render (see ``attach``).

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
            b = node._b
            twin._b = b if b is None or b.__class__ is float else memo[id(b)]
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
        twin._op, twin._a, twin._b = self._op, self._a, self._b
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
        tracer = _state().tracer
        if tracer is not None:
            tracer("compare", symbol, a, b, result)
    return result


# --- methods from the records ------------------------------------------------------------------
# Higher layers add methods to Value through ``attach`` (graph: backward; steps: the steppers;
# render: the Jupyter picture), so no module below them imports them.  Each declared op gets its
# method and operator from its record, now and whenever an op is declared later.
_ATTACHED: dict[str, Any] = {}


def attach(name: str, function: Callable[..., Any], cls: type = None) -> None:
    """Make ``function`` the method ``name`` of Value (or of ``cls``).  A name Value already
    has for another purpose (``data``, ``grad`` ...) is refused with a ValueError."""
    cls = Value if cls is None else cls
    key = f"{cls.__qualname__}.{name}"
    if name in cls.__dict__ and key not in _ATTACHED and not name.startswith("__"):
        raise ValueError(f"{cls.__name__} already has an attribute {name!r}; declare the op "
                         "with another method name")
    _ATTACHED[key] = function
    setattr(cls, name, function)


def operator_methods(record: Any, function: Callable[..., Any], lift: Callable[[Any], Any]
                     ) -> dict[str, Callable[..., Any]]:
    """``{"__add__": ..., "__radd__": ...}`` for a record with ``operator`` set: the reflected
    form lifts the number on the left with ``lift``."""
    name = record.operator
    if record.arity == 1:
        return {f"__{name}__": function}

    def reflected(self: Any, other: Any) -> Any:
        return function(lift(other), self)
    reflected.__name__ = f"__r{name}__"
    forward = function if isinstance(record, Primitive) else \
        lifting(function, lift, f"__{name}__")  # a primitive's method lifts by itself
    return {f"__{name}__": forward, f"__r{name}__": reflected}


def lifting(function: Callable[..., Any], lift: Callable[[Any], Any], name: str
            ) -> Callable[[Any, Any], Any]:
    """The two-input method ``self.name(other)`` = ``function(self, lift(other))``."""
    def method(self: Any, other: Any) -> Any:
        return function(self, lift(other))
    method.__name__ = name
    method.__doc__ = function.__doc__
    return method


#: Python's operator symbols by dunder stem (for error messages naming the operator used).
PYTHON_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**",
                  "neg": "-", "abs": "abs"}


def _install(record: Any) -> None:
    if isinstance(record, Primitive):
        function = method_for(record)
    else:
        function = record.fn
    symbol = PYTHON_SYMBOLS.get(record.operator, record.symbol) if record.operator \
        else record.symbol
    lift = lambda x: _lift(x, symbol)  # noqa: E731
    if record.method:
        lifted = record.arity == 2 and isinstance(record, Derived)
        attach(record.method, lifting(function, lift, record.method) if lifted else function)
    if record.operator:
        for name, fn in operator_methods(record, function, lift).items():
            attach(name, fn)


ops.add_carrier(Value, _apply)
ops.subscribe(_install)
