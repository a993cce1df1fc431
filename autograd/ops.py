"""One record per op: every operation the engine differentiates, declared once, and the
registry every tool reads.

A :class:`Primitive` record gives a name, the symbol drawn in pictures, the arity, the
forward function on floats (IEEE results, never a ``math`` exception), the *local derivative
rule* ``local(*inputs, out)`` (one partial derivative per input), forward mode's tangent rule,
and the facts the tools need: its :class:`Domain` (kinks, singular points, scale), its
accuracy bound in ulps, its Value/Dual method name and Python operator, its command-line name
and why it is a primitive.  A :class:`Derived` record carries the same facts for a derived op
(declared in :mod:`autograd.functional` with ``@derived``).  Declaring an op registers it
(:data:`REGISTRY`); :mod:`autograd.value`, :mod:`autograd.forward` and :mod:`autograd.cli`
subscribe, so Value and Dual get its method and the command line its function at once, and
the strategies (:mod:`autograd.testing`) and the tests read its domain and bounds.  Your own
op is one :func:`primitive` call.

The rule contract (read before writing a rule):

- ``inputs`` and ``out`` are floats during an ordinary backward pass, and Values when the
  gradient is itself being recorded (``backward(create_graph=True)``); a constant input is
  always passed as a float.  Rules therefore use only ``+ - * /``, ``abs``, comparisons, and
  the helpers below, which accept floats or Values: :func:`div`, :func:`power`,
  :func:`logarithm`, :func:`exponential`, :func:`hyperbolic_tangent`, :func:`logistic`.
- Rules receive the forward result ``out`` so nothing is recomputed (``exp``: ``out``).
- A rule may branch on its inputs (``tanh`` switches form at |x| = ½); the replay compiler
  records such comparisons as guards.
- ``max`` splits a tie ½/½, like JAX, HIPS autograd and ``torch.maximum``; it matches central
  differences, and ``max(x, x)`` gets gradient ½ + ½ = 1.
- A tangent rule ``tangent(x, dx[, y, dy], out)`` is written from calculus, independently of
  ``local``, so forward mode checks reverse mode; without one, forward mode uses Σ local·dx.

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

import inspect
import math
import numbers
import operator
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from .errors import OperandTypeError

__all__ = [
    "Primitive", "Derived", "Domain", "EDGES", "EVERYWHERE", "POSITIVE", "PRIMITIVES", "BY_NAME",
    "REGISTRY", "register", "subscribe", "add_carrier", "primitive", "primitives", "derived_ops",
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


# --- independent forward-mode tangent rules (written from calculus, not from the rules above) ---

def _max_tangent(a, da, b, db, out):
    if a > b:
        return da
    if b > a:
        return db
    return 0.5 * (da + db)  # the tie convention: the average of both sides


def _pow_tangent(x, dx, k, dk, out):
    # d(x^k) = k x^(k-1) dx + x^k ln x dk; x^0 is flat in x, and 0^k (k >= 0) flat in k.
    t = 0.0 if (k == 0.0 or dx == 0.0) else k * f_pow(x, k - 1.0) * dx
    if dk == 0.0 or (x == 0.0 and k >= 0.0):
        return t
    return t + out * f_log(x) * dk


def _sigmoid_tangent(x, dx, out):
    # σ'(x) = e^(-|x|) / (1 + e^(-|x|))², written without σ itself.
    e = math.exp(-math.fabs(x)) if x == x else NAN
    return e / ((1.0 + e) * (1.0 + e)) * dx


def _tanh_tangent(x, dx, out):
    # tanh'(x) = 1/cosh²(x) = 4 e^(-2|x|) / (1 + e^(-2|x|))²
    e = math.exp(-2.0 * math.fabs(x)) if x == x else NAN
    return 4.0 * e / ((1.0 + e) * (1.0 + e)) * dx


def _logaddexp_tangent(a, da, b, db, out):
    # d ln(eᵃ + eᵇ) = (eᵃ da + eᵇ db) / (eᵃ + eᵇ), scaled by e^(-max) to stay finite.
    m = a if a >= b else b
    if m == INF or m == -INF or m != m:
        return NAN if m != m else (da if a >= b else db)
    ea, eb = math.exp(a - m), math.exp(b - m)
    return (ea * da + eb * db) / (ea + eb)


# --- the facts every tool reads: domains -------------------------------------------------------

#: The extremes every domain is probed at, where the op is defined there.
EDGES: tuple[float, ...] = (0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 700.0, -700.0,
                            1e300, -1e300)
_BIG = 1e300


@dataclass(frozen=True)
class Domain:
    """Where one argument of an op has a finite value and a finite derivative, and what the
    tests and strategies must know about it.

    ``low``/``high`` bound the interval (``open_low`` excludes ``low``); ``kinks`` are points
    where the op is not differentiable (the ½/½ tie convention applies there); ``extra`` are
    points worth drawing often; ``singular`` is a point where the derivative blows up (a
    central difference's step is scaled to the distance from it); ``unit_scale`` says the
    derivative varies on a scale of 1 whatever |x| is (so no step resolves it for |x| ≳ 1e13).

    >>> Domain(low=0.0, open_low=True).contains(0.0)
    False
    """

    low: float = -_BIG
    high: float = _BIG
    open_low: bool = False
    kinks: tuple[float, ...] = ()
    extra: tuple[float, ...] = ()
    singular: Optional[float] = None
    unit_scale: bool = False

    def contains(self, x: float) -> bool:
        if self.open_low and x == self.low:
            return False
        return self.low <= x <= self.high

    def edges(self) -> list[float]:
        """The extremes, kinks and special points inside the domain, in a fixed order."""
        points = [x for x in EDGES + self.kinks + self.extra if self.contains(x)]
        for bound in (self.low, self.high):
            if self.contains(bound):
                points.append(bound)
        unique: list[float] = []
        for x in points:
            if not any(x == u and math.copysign(1, x) == math.copysign(1, u) for u in unique):
                unique.append(x)
        return unique


EVERYWHERE = Domain()
_UNIT = Domain(unit_scale=True)
_EXP = Domain(high=709.78, extra=(-745.0, 709.5), unit_scale=True)  # e^709.7828 overflows
POSITIVE = Domain(low=0.0, open_low=True, extra=(5e-324, 1e-10, 0.5, 2.0), singular=0.0)


# --- the records -------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False, kw_only=True)
class _Facts:
    """What every op record says besides how to compute it (see :class:`Primitive`)."""

    domain: Union[Domain, tuple] = EVERYWHERE
    ulps: Optional[tuple] = None
    method: Optional[str] = None
    operator: Optional[str] = None
    cli: Optional[str] = None
    abs_error: float = 0.0
    reason: str = ""

    def domain_of(self, i: int) -> Domain:
        """The domain of argument ``i`` (one Domain serves every argument)."""
        d = self.domain
        return d if isinstance(d, Domain) else d[i]


@dataclass(frozen=True, eq=False)
class Primitive(_Facts):
    """One record: a differentiable operation on floats and everything the tools know of it.

    - ``local(*inputs, out)`` returns the partial derivative of ``out`` with respect to each
      input, in argument order (see the module docstring for the rule contract);
    - ``tangent(x, dx[, y, dy], out)`` is forward mode's rule, written independently; None
      means forward mode derives it from ``local`` (Σ ∂out/∂xᵢ · dxᵢ);
    - ``domain`` (one :class:`Domain`, or one per argument), ``ulps`` (the accuracy bound in
      ulps of the value and first and second derivative that the tests hold it to),
      ``abs_error`` (a first derivative's absolute error beyond rounding, in units of
      ε·max(1, |x|)), ``method`` (the Value and Dual method name), ``operator`` (the Python
      operator: ``"add"`` gives ``__add__`` and ``__radd__``), ``cli`` (its name on the command
      line), ``reason`` (why it is a primitive), ``fuses`` (the derived op it fuses).

    A record is callable on floats, Values and Duals:

    >>> MUL(2.0, 3.0), MUL.local(2.0, 3.0, 6.0)
    (6.0, (3.0, 2.0))
    """

    name: str
    symbol: str
    arity: int
    forward: Callable[..., float]
    local: Callable[..., tuple]
    tangent: Optional[Callable[..., float]] = None
    fuses: str = ""

    def __call__(self, *args: Any) -> Any:
        return _apply(self, args)

    def tangent_rule(self) -> Callable[..., float]:
        """Forward mode's rule: ``tangent``, or Σ local·dx derived from the local rule."""
        if self.tangent is not None:
            return self.tangent
        local = self.local

        def derived(*flat: float) -> float:
            out = flat[-1]
            partials = local(*flat[0:-1:2], out)
            total = 0.0
            for d, dx in zip(partials, flat[1:-1:2]):
                if dx != 0.0:  # a constant input: 0·∞ must not turn the tangent into nan
                    total = total + d * dx
            return total
        return derived

    @property
    def independent_tangent(self) -> bool:
        """True when forward mode has a rule of its own (so it checks ``local``)."""
        return self.tangent is not None

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


@dataclass(frozen=True, eq=False)
class Derived(_Facts):
    """The record of a derived op: a function of primitives, with the same facts as a
    :class:`Primitive` (declared with :func:`autograd.functional.derived`).  ``params`` are
    optional numeric parameters after the inputs (leaky_relu's ``slope``); ``reference_for``
    names the fused primitive this composite is the reference of."""

    name: str
    arity: int
    fn: Callable[..., Any]
    params: tuple[str, ...] = ()
    reference_for: str = ""
    symbol: str = ""

    def __post_init__(self) -> None:
        if not self.symbol:
            object.__setattr__(self, "symbol", self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<derived op {self.name}>"


Record = Union[Primitive, Derived]

# --- the registry: every declared op, and who is told of new ones ------------------------------

#: Every declared op by name, primitives and derived ops, built-in and your own.
REGISTRY: dict[str, Record] = {}
_listeners: list[Callable[[Record], None]] = []
# Types that carry values through a primitive (Value, Dual), with the function applying an op
# to arguments among which one is of that type; the first type found among the arguments wins.
_CARRIERS: list[tuple[type, Callable[..., Any]]] = []


def register(record: Record) -> Record:
    """Add ``record`` to :data:`REGISTRY` and tell every subscriber (Value and Dual get its
    method and operator, the command line its function).  A name is declared once."""
    if not isinstance(record, (Primitive, Derived)):
        raise OperandTypeError(f"register takes a Primitive or Derived record, not "
                               f"{type(record).__name__}")
    old = REGISTRY.get(record.name)
    if old is not None and old is not record:
        raise ValueError(f"an op named {record.name!r} is already declared ({old!r}); "
                         "choose another name")
    REGISTRY[record.name] = record
    for listener in _listeners:
        listener(record)
    return record


def subscribe(listener: Callable[[Record], None]) -> None:
    """Call ``listener(record)`` for every declared op, now and whenever one is declared."""
    _listeners.append(listener)
    for record in list(REGISTRY.values()):
        listener(record)


def add_carrier(cls: type, apply: Callable[..., Any]) -> None:
    """Let a record called on an instance of ``cls`` run ``apply(op, *args)`` (Value, Dual)."""
    _CARRIERS.append((cls, apply))


def _apply(op: Primitive, args: tuple) -> Any:
    if len(args) != op.arity:
        raise OperandTypeError(f"{op.name} takes {op.arity} argument(s), got {len(args)}")
    for cls, apply in _CARRIERS:
        for x in args:
            if isinstance(x, cls):
                return apply(op, *args)
    return op.forward(*(_as_float(x, op) for x in args))


def _as_float(x: Any, op: Primitive) -> float:
    if x.__class__ is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:
            return INF if x > 0 else -INF
    raise OperandTypeError(f"unsupported operand for {op.name}: {type(x).__name__} {x!r:.60}; "
                           "expected int, float, bool, a Value or a Dual")


def primitive(name: str, forward: Callable[..., float], local: Callable[..., tuple], *,
              arity: Optional[int] = None, symbol: Optional[str] = None,
              tangent: Optional[Callable[..., float]] = None,
              domain: Union[Domain, tuple] = EVERYWHERE, ulps: Optional[tuple] = None,
              method: Optional[str] = None, cli: Optional[str] = None,
              reason: str = "") -> Primitive:
    """Declare a primitive of your own in one statement; every tool picks it up.

    ``forward(*floats)`` computes it, ``local(*inputs, out)`` gives one partial derivative per
    input (use ``+ - *`` and this module's helpers so that it also runs on Values, for higher
    order).  ``arity`` defaults to the number of ``forward``'s parameters.  The result is
    callable on floats, Values and Duals; ``method="softsign"`` also makes ``v.softsign()``.

    >>> softsign = primitive("softsign_prim", lambda x: x / (1.0 + abs(x)),
    ...                      lambda x, out: (div(1.0, (1.0 + abs(x)) * (1.0 + abs(x))),))
    >>> softsign(1.0), softsign.arity
    (0.5, 1)
    """
    if arity is None:
        arity = _arity_of(forward, name)
    if arity not in (1, 2):
        raise ValueError(f"primitive {name!r}: arity must be 1 or 2, got {arity!r}")
    if not (isinstance(name, str) and name.isidentifier()):
        raise ValueError(f"a primitive's name must be an identifier, got {name!r}")
    return register(Primitive(name, symbol or name, arity, forward, local, tangent,
                              domain=domain, ulps=ulps, method=method, cli=cli, reason=reason))


def _arity_of(fn: Callable[..., Any], name: str) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        raise ValueError(f"primitive {name!r}: give arity=, its forward has no signature") \
            from None
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               and p.default is p.empty)


def primitives() -> list[Primitive]:
    """Every declared primitive, in declaration order."""
    return [r for r in REGISTRY.values() if isinstance(r, Primitive)]


def derived_ops() -> list[Derived]:
    """Every declared derived op, in declaration order."""
    return [r for r in REGISTRY.values() if isinstance(r, Derived)]


# --- the built-in primitives: one declaration each -----------------------------------------------

ADD = register(Primitive(
    "add", "+", 2, operator.add, lambda a, b, out: (1.0, 1.0),
    lambda a, da, b, db, out: da + db, operator="add", ulps=(1, 0, 0)))
MUL = register(Primitive(
    "mul", "*", 2, operator.mul, lambda a, b, out: (b, a),
    lambda a, da, b, db, out: da * b + a * db, operator="mul", ulps=(1, 0, 0)))
MAX = register(Primitive(
    "max", "max", 2, f_max, _max_local, _max_tangent, method="maximum", cli="max",
    domain=Domain(kinks=(0.0,))))
EXP = register(Primitive(
    "exp", "exp", 1, f_exp, lambda x, out: (out,), lambda x, dx, out: out * dx,
    method="exp", cli="exp", domain=_EXP, ulps=(1, 1, 1)))
LOG = register(Primitive(
    "log", "log", 1, f_log, lambda x, out: (div(1.0, x),), lambda x, dx, out: f_div(dx, x),
    method="log", cli="log", domain=POSITIVE, ulps=(1, 1, 2)))
DIV = register(Primitive(
    "div", "/", 2, f_div, lambda a, b, out: (div(1.0, b), -div(out, b)),
    lambda a, da, b, db, out: f_div(da - out * db, b), operator="truediv",
    domain=(EVERYWHERE, Domain(singular=0.0)), ulps=(1, 2, 3),
    reason="a * b**-1 rounds twice; a/b must equal a.data/b.data exactly"))
POW = register(Primitive(
    "pow", "**", 2, f_pow, _pow_local, _pow_tangent, operator="pow",
    domain=(Domain(singular=0.0, unit_scale=True), _UNIT), ulps=(1, 4, 8),
    reason="exp(y*log x) is inexact (2**3 = 7.999999999999998) and fails for x <= 0; C's "
           "pow is exact at 0, for integers and negative bases"))
LOG1P = register(Primitive(
    "log1p", "log1p", 1, f_log1p, lambda x, out: (div(1.0, 1.0 + x),),
    lambda x, dx, out: f_div(dx, 1.0 + x), method="log1p", cli="log1p", ulps=(1, 2, 3),
    domain=Domain(low=-1.0, open_low=True, extra=(-1.0 + 2 ** -52, -0.5, 1e-17), singular=-1.0),
    reason="log(1 + x) loses every digit of x below 1e-16 (softplus, logaddexp)"))
# Rules below use x, not the rounded output, where out-based forms lose relative accuracy:
# expm1' = eˣ (out + 1 cancels for x ≪ 0), σ' = σ(x)σ(−x) (σ(1 − σ) loses it for x ≫ 0),
# tanh' and σ' switch form on the data (see _tanh_local, _sigmoid_local).
EXPM1 = register(Primitive(
    "expm1", "expm1", 1, f_expm1, lambda x, out: (exponential(x),),
    lambda x, dx, out: f_exp(x) * dx, method="expm1", cli="expm1", domain=_EXP, ulps=(1, 1, 1),
    reason="exp(x) - 1 cancels near 0 (ELU)"))
TANH = register(Primitive(
    "tanh", "tanh", 1, f_tanh, _tanh_local, _tanh_tangent, fuses="tanh", method="tanh",
    cli="tanh", domain=Domain(extra=(20.0, -20.0, 1e-8), unit_scale=True), ulps=(2, 4, 6),
    reason="the composite 2σ(2x) − 1 loses digits near 0"))
SIGMOID = register(Primitive(
    "sigmoid", "sigmoid", 1, f_sigmoid, _sigmoid_local, _sigmoid_tangent, fuses="sigmoid",
    method="sigmoid", cli="sigmoid", domain=Domain(extra=(40.0, -40.0, 1e-8), unit_scale=True),
    ulps=(2, 4, 6), reason="one node instead of six, for speed"))
LOGADDEXP = register(Primitive(
    "logaddexp", "logaddexp", 2, f_logaddexp, lambda a, b, out: (logistic(a - b), logistic(b - a)),
    _logaddexp_tangent, fuses="logaddexp", cli="logaddexp", domain=_UNIT, ulps=(2, 2, 4),
    reason="as a composite, log(eᵃ + eᵇ) loses results below 1e-16 and its second derivative "
           "at a = b (through |a − b|)"))

#: The built-in primitives, in declaration order.
PRIMITIVES: tuple[Primitive, ...] = tuple(primitives())
BY_NAME: dict[str, Primitive] = {p.name: p for p in PRIMITIVES}
