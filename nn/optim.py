"""Optimizers with the seeds' update rules, learning-rate schedules, gradient clipping.

Each optimizer reads ``p.grad`` of its parameters and changes ``p.data`` in place.  With
``weight_decay=λ`` the gradient used is dx + λx (the gradient of ½λ‖W‖²) for the parameters in
``decay`` (default: all; pass ``model.weights()`` to spare the biases, as the seeds do).

===========  ===============================================================================
SGD          x += −lr·dx
Momentum     v = μv − lr·dx;  x += v
Nesterov     v_prev = v;  v = μv − lr·dx;  x += −μ·v_prev + (1 + μ)·v   (look-ahead form: x
             holds the look-ahead point x + μv, so dx is the gradient there)
Adagrad      cache += dx²;  x += −lr·dx / (√cache + eps)
RMSprop      cache = d·cache + (1 − d)·dx²;  x += −lr·dx / (√cache + eps)
Adam         m = β₁m + (1 − β₁)dx;  v = β₂v + (1 − β₂)dx²;  m̂ = m/(1 − β₁ᵗ);
             v̂ = v/(1 − β₂ᵗ);  x += −lr·m̂ / (√v̂ + eps)
===========  ===============================================================================

``lr`` is a number or a schedule ``lr(t)`` of the step count t = 0, 1, 2, ... (the step being
taken): :func:`step_decay`, :func:`exponential`, :func:`inverse_time`, :func:`linear`, or any
function.  ``state_dict()`` holds everything a resumed run needs (step count, velocities,
caches, moments), so training continues bit for bit.

>>> from autograd import Value
>>> x = Value(1.0)
>>> opt = SGD([x], lr=0.1)
>>> (x * x).backward(); opt.step(); x.data    # 1 − 0.1·2
0.8
>>> step_decay(0.1, factor=0.5, every=10)(25)
0.025
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Iterable, Optional, Union

from autograd import Value

from .errors import ConfigError, StateFileError
from .state import decode_float, encode_float, expect

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adam",
           "Schedule", "constant", "step_decay", "exponential", "inverse_time", "linear",
           "clip_grad_norm", "clip_grad_value", "grad_norm", "OPTIMIZERS"]


# --- validation, shared by the constructors and by state-file loading -------------------

def _real(owner: str, key: str, value: Any, ok: Callable[[float], bool], wanted: str) -> float:
    """``value`` as a float if it is a finite real number with ``ok(value)``, else a
    ConfigError naming ``owner``, ``key``, what is ``wanted`` and what came."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or not ok(float(value))):
        raise ConfigError(f"{owner}: {key} must be a finite number {wanted}, got "
                          f"{type(value).__name__} {value!r:.40}")
    return float(value)


def _count(owner: str, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{owner}: {key} must be a positive int, got {value!r:.40}")
    return value


_NONNEG = (lambda v: v >= 0.0, ">= 0")
_POSITIVE = (lambda v: v > 0.0, "> 0")
_UNIT = (lambda v: 0.0 <= v < 1.0, "in [0, 1)")
_DECAY = (lambda v: 0.0 < v <= 1.0, "in (0, 1]")
_ANY = (lambda v: True, "")


# --- schedules -------------------------------------------------------------------------------

class Schedule:
    """A learning rate as a function of the step count, describable in a state file."""

    def __init__(self, kind: str, fn: Callable[[int], float], **args: float) -> None:
        self.kind, self._fn, self.args = kind, fn, args

    def __call__(self, t: int) -> float:
        return self._fn(t)

    def describe(self) -> dict:
        return {"kind": self.kind, **self.args}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"{self.kind}({args})"


def constant(lr: float) -> Schedule:
    """lr(t) = lr."""
    lr = _real("constant", "lr", lr, *_NONNEG)
    return Schedule("constant", lambda t: lr, lr=lr)


def step_decay(lr: float, factor: float = 0.5, every: int = 10) -> Schedule:
    """lr·factor^⌊t/every⌋ — e.g. halve every ``every`` steps (the seeds' usual choice)."""
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ConfigError(f"step_decay needs a positive int 'every', got {every!r:.40}")
    lr = _real("step_decay", "lr", lr, *_NONNEG)
    factor = _real("step_decay", "factor", factor, *_DECAY)
    return Schedule("step_decay", lambda t: lr * factor ** (t // every), lr=lr, factor=factor,
                    every=every)


def exponential(lr: float, k: float) -> Schedule:
    """lr·e^(−kt)."""
    lr, k = _real("exponential", "lr", lr, *_NONNEG), _real("exponential", "k", k, *_NONNEG)
    return Schedule("exponential", lambda t: lr * math.exp(-k * t), lr=lr, k=k)


def inverse_time(lr: float, k: float) -> Schedule:
    """lr / (1 + kt) (1/t decay)."""
    lr, k = _real("inverse_time", "lr", lr, *_NONNEG), _real("inverse_time", "k", k, *_NONNEG)
    return Schedule("inverse_time", lambda t: lr / (1.0 + k * t), lr=lr, k=k)


def linear(lr: float, end: float, steps: int) -> Schedule:
    """From ``lr`` at t = 0 straight to ``end`` at t = steps (then ``end``).

    micrograd's demo is ``linear(1.0, 0.1, 100)``: lr = 1 − 0.9·t/100.
    """
    lr, end = _real("linear", "lr", lr, *_NONNEG), _real("linear", "end", end, *_NONNEG)
    steps = _count("linear", "steps", steps)
    return Schedule("linear", lambda t: lr - (lr - end) * min(t, steps) / steps, lr=lr,
                    end=end, steps=steps)


_SCHEDULES = {"constant": constant, "step_decay": step_decay, "exponential": exponential,
              "inverse_time": inverse_time, "linear": linear}


# --- clipping ------------------------------------------------------------------------------

def grad_norm(params: Iterable[Value]) -> float:
    """‖∇‖₂ over all parameters, scaled by the largest |gradient| so that no square
    overflows or underflows where the norm itself is finite (like ``math.hypot``).

    >>> a, b, c = Value(0.0), Value(0.0), Value(0.0)
    >>> a.grad, b.grad, c.grad = 1e300, 1e300, 1.0
    >>> grad_norm([a, b, c])
    1.4142135623730952e+300
    """
    return math.hypot(*(float(getattr(p.grad, "data", p.grad)) for p in params))


def clip_grad_norm(params: Iterable[Value], max_norm: float) -> float:
    """Scale all gradients by max_norm/‖∇‖ when ‖∇‖ > max_norm; return ‖∇‖ before clipping.

    >>> a, b = Value(0.0), Value(0.0); a.grad, b.grad = 6.0, 8.0
    >>> clip_grad_norm([a, b], 5.0), a.grad, b.grad
    (10.0, 3.0, 4.0)

    The norm is scaled like ``math.hypot``: it overflows only where it is truly beyond
    the float range.
    """
    params = list(params)
    norm = grad_norm(params)
    if norm > max_norm:
        scale = max_norm / norm
        for p in params:
            p.grad = p.grad * scale
    return norm


def clip_grad_value(params: Iterable[Value], clip: float) -> None:
    """Clamp every gradient to [−clip, clip]."""
    for p in params:
        p.grad = min(max(p.grad, -clip), clip)


# --- optimizers ----------------------------------------------------------------------------

class Optimizer:
    """Base class: parameters, learning rate or schedule, weight decay, state.

    Subclasses set ``SLOTS`` (the per-parameter state they keep) and write :meth:`update`.
    """

    SLOTS: tuple[str, ...] = ()
    HYPER: tuple[str, ...] = ()
    #: What each hyperparameter must be: (test, wording).  The constructor and loading a
    #: state file check with the same :meth:`check_hyper`, so a file can hold only what a
    #: constructor accepts.
    RULES: dict[str, tuple[Callable[[float], bool], str]] = {"weight_decay": _NONNEG}
    #: Slots whose numbers must not be negative (running sums of squares).
    NONNEGATIVE_SLOTS: tuple[str, ...] = ()

    @classmethod
    def check_hyper(cls, **values: Any) -> dict[str, float]:
        """The hyperparameters as floats, each checked against :attr:`RULES`; a bad one
        raises :class:`~nn.errors.ConfigError`.

        >>> Adam.check_hyper(beta1=0.5)
        {'beta1': 0.5}
        >>> Adam.check_hyper(beta1=1.0)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        nn.errors.ConfigError: Adam: beta1 must be a finite number in [0, 1) (Adam betas), ...
        """
        return {key: _real(cls.__name__, key, value, *cls.RULES.get(key, _ANY))
                for key, value in values.items()}

    @classmethod
    def check_lr(cls, lr: Any) -> Any:
        """A schedule (any callable) or a finite number >= 0."""
        if callable(lr):
            return lr
        try:
            return _real(cls.__name__, "lr", lr, *_NONNEG)
        except ConfigError:
            raise ConfigError(f"lr must be a non-negative number or a schedule, got "
                              f"{lr!r:.40}") from None

    def __init__(self, params: Iterable[Value], lr: Union[float, Callable[[int], float]] = 0.01,
                 *, weight_decay: float = 0.0, decay: Optional[Iterable[Value]] = None) -> None:
        self.params: list[Value] = list(params)
        if not self.params:
            raise ConfigError(f"{type(self).__name__} got no parameters")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise ConfigError(f"{type(self).__name__}: parameter #{i} is a "
                                  f"{type(p).__name__}, not a Value")
        self.lr = self.check_lr(lr)
        self.weight_decay = self.check_hyper(weight_decay=weight_decay)["weight_decay"]
        ids = None if decay is None else {id(p): True for p in decay}
        self._decayed = [ids is None or id(p) in ids for p in self.params]
        self.t = 0  # steps taken
        self.slots: dict[str, list[float]] = {s: [0.0] * len(self.params) for s in self.SLOTS}

    def current_lr(self) -> float:
        """The learning rate the next step will use."""
        return float(self.lr(self.t)) if callable(self.lr) else float(self.lr)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    def gradients(self) -> list[float]:
        """dx for each parameter, with weight decay added."""
        wd = self.weight_decay
        if wd == 0.0:
            return [p.grad for p in self.params]
        return [p.grad + wd * p.data if d else p.grad
                for p, d in zip(self.params, self._decayed)]

    def step(self) -> None:
        """Apply one update to every parameter, then count the step.  All or nothing: if the
        update raises part way (an interrupt, an error in a custom schedule or rule), the
        parameters and slots are put back as they were."""
        grads, lr = self.gradients(), self.current_lr()
        data = [p.data for p in self.params]
        slots = {k: list(v) for k, v in self.slots.items()}
        try:
            self.update(grads, lr)
        except BaseException:
            for p, v in zip(self.params, data):
                p.data = v
            self.slots = slots
            raise
        self.t += 1

    def update(self, grads: list[float], lr: float) -> None:
        raise NotImplementedError

    # --- state ---------------------------------------------------------------------------
    def hyper(self) -> dict:
        out: dict[str, Any] = {"weight_decay": self.weight_decay}
        for name in self.HYPER:
            out[name] = getattr(self, name)
        if isinstance(self.lr, Schedule):
            out["lr"] = self.lr.describe()
        elif callable(self.lr):
            out["lr"] = {"kind": "custom"}
        else:
            out["lr"] = self.lr
        return out

    def state_dict(self) -> dict:
        """Type, hyperparameters, step count and per-parameter slots (JSON-ready)."""
        return {"type": type(self).__name__, "hyper": self.hyper(), "t": self.t,
                "slots": {s: [encode_float(v) for v in vals] for s, vals in self.slots.items()}}

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict` output; a mismatch raises StateFileError, changing
        nothing."""
        self._prepare_state(state, "optimizer state")()

    def _prepare_state(self, state: Any, source: str) -> Callable[[], None]:
        name = type(self).__name__
        expect(isinstance(state, dict), source, "optimizer state must be an object")
        expect(state.get("type") == name, source,
               f"optimizer state is for {state.get('type')!r:.40}, not {name}")
        t = state.get("t")
        expect(isinstance(t, int) and not isinstance(t, bool) and t >= 0, source,
               f"optimizer step count must be an int >= 0, got {t!r:.40}")
        slots = state.get("slots")
        expect(isinstance(slots, dict) and sorted(slots) == sorted(self.SLOTS), source,
               f"{name} state needs slots {list(self.SLOTS)}")
        new_slots = {}
        for s in self.SLOTS:
            vals = slots[s]
            expect(isinstance(vals, list) and len(vals) == len(self.params), source,
                   f"{name} slot {s!r} needs {len(self.params)} numbers")
            new_slots[s] = [decode_float(v, f"{source}: {name} slot {s!r}[{i}]")
                            for i, v in enumerate(vals)]
            if s in self.NONNEGATIVE_SLOTS:
                bad = [i for i, v in enumerate(new_slots[s]) if v < 0.0]
                expect(not bad, source, f"{name} slot {s!r}[{bad[0] if bad else 0}] is "
                       f"negative; a running sum of squares is >= 0")
        hyper = state.get("hyper")
        expect(isinstance(hyper, dict), source, "optimizer hyperparameters missing")
        new_hyper = {}
        for key in ("weight_decay",) + self.HYPER:
            expect(key in hyper, source, f"{name} hyperparameter {key!r} missing")
            new_hyper[key] = decode_float(hyper[key], f"{source}: {name}.{key}")
        try:
            new_hyper = self.check_hyper(**new_hyper)
        except ConfigError as e:
            raise _error(f"{source}: {e}") from None
        lr = hyper.get("lr")
        if isinstance(lr, dict):
            kind = lr.get("kind")
            if kind == "custom":
                expect(callable(self.lr), source, "the file's learning rate is a custom "
                       "schedule: create the optimizer with that schedule before restoring")
                new_lr: Any = self.lr
            else:
                expect(kind in _SCHEDULES, source, f"unknown schedule {kind!r:.40}")
                try:
                    new_lr = _SCHEDULES[kind](**{k: v for k, v in lr.items() if k != "kind"})
                except (TypeError, ValueError, ArithmeticError) as e:
                    raise _error(f"{source}: bad {kind} schedule: {e}") from None
        else:
            new_lr = decode_float(lr, f"{source}: {name}.lr")
            try:
                new_lr = self.check_lr(new_lr)
            except ConfigError as e:
                raise _error(f"{source}: {name}: {e}") from None

        def apply() -> None:
            self.t = t
            self.slots = new_slots
            self.lr = new_lr
            for key, value in new_hyper.items():
                setattr(self, key, value)
        return apply

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


def _error(message: str) -> Exception:
    return StateFileError(message)


class SGD(Optimizer):
    """x += −lr·dx (dx includes weight decay λx).

    >>> from autograd import Value
    >>> w = Value(2.0); w.grad = 1.0
    >>> SGD([w], lr=0.5, weight_decay=0.1).step(); w.data    # 2 − 0.5·(1 + 0.1·2)
    1.4
    """

    def update(self, grads: list[float], lr: float) -> None:
        for p, dx in zip(self.params, grads):
            p.data += -lr * dx


class Momentum(Optimizer):
    """v = μv − lr·dx; x += v."""

    SLOTS = ("v",)
    HYPER = ("momentum",)
    RULES = {**Optimizer.RULES, "momentum": _UNIT}

    def __init__(self, params: Iterable[Value], lr: Any = 0.01, momentum: float = 0.9,
                 **kwargs: Any) -> None:
        super().__init__(params, lr, **kwargs)
        self.momentum = self.check_hyper(momentum=momentum)["momentum"]

    def update(self, grads: list[float], lr: float) -> None:
        mu, v = self.momentum, self.slots["v"]
        for i, (p, dx) in enumerate(zip(self.params, grads)):
            v[i] = mu * v[i] - lr * dx
            p.data += v[i]


class Nesterov(Momentum):
    """Nesterov momentum in the look-ahead form: v_prev = v; v = μv − lr·dx;
    x += −μ·v_prev + (1 + μ)·v.  The parameters hold the look-ahead point, so the gradient the
    model computes is the gradient at x + μv that Nesterov asks for."""

    def update(self, grads: list[float], lr: float) -> None:
        mu, v = self.momentum, self.slots["v"]
        for i, (p, dx) in enumerate(zip(self.params, grads)):
            v_prev = v[i]
            v[i] = mu * v[i] - lr * dx
            p.data += -mu * v_prev + (1.0 + mu) * v[i]


class Adagrad(Optimizer):
    """cache += dx²; x += −lr·dx / (√cache + eps)."""

    SLOTS = ("cache",)
    HYPER = ("eps",)
    RULES = {**Optimizer.RULES, "eps": _POSITIVE}
    NONNEGATIVE_SLOTS = ("cache",)

    def __init__(self, params: Iterable[Value], lr: Any = 0.01, eps: float = 1e-8,
                 **kwargs: Any) -> None:
        super().__init__(params, lr, **kwargs)
        self.eps = self.check_hyper(eps=eps)["eps"]

    def update(self, grads: list[float], lr: float) -> None:
        cache, eps = self.slots["cache"], self.eps
        for i, (p, dx) in enumerate(zip(self.params, grads)):
            cache[i] += dx * dx
            p.data += -lr * dx / (math.sqrt(cache[i]) + eps)


class RMSprop(Optimizer):
    """cache = d·cache + (1 − d)·dx²; x += −lr·dx / (√cache + eps)."""

    SLOTS = ("cache",)
    HYPER = ("decay_rate", "eps")
    RULES = {**Optimizer.RULES, "decay_rate": _UNIT, "eps": _POSITIVE}
    NONNEGATIVE_SLOTS = ("cache",)

    def __init__(self, params: Iterable[Value], lr: Any = 0.001, decay_rate: float = 0.99,
                 eps: float = 1e-8, **kwargs: Any) -> None:
        super().__init__(params, lr, **kwargs)
        checked = self.check_hyper(decay_rate=decay_rate, eps=eps)
        self.decay_rate, self.eps = checked["decay_rate"], checked["eps"]

    def update(self, grads: list[float], lr: float) -> None:
        cache, d, eps = self.slots["cache"], self.decay_rate, self.eps
        for i, (p, dx) in enumerate(zip(self.params, grads)):
            cache[i] = d * cache[i] + (1.0 - d) * (dx * dx)
            p.data += -lr * dx / (math.sqrt(cache[i]) + eps)


class Adam(Optimizer):
    """m = β₁m + (1 − β₁)dx; v = β₂v + (1 − β₂)dx²; bias-corrected m̂ = m/(1 − β₁ᵗ),
    v̂ = v/(1 − β₂ᵗ); x += −lr·m̂ / (√v̂ + eps).  Defaults from the paper: β₁ = 0.9,
    β₂ = 0.999, eps = 1e-8."""

    SLOTS = ("m", "v")
    HYPER = ("beta1", "beta2", "eps")
    RULES = {**Optimizer.RULES, "beta1": (_UNIT[0], "in [0, 1) (Adam betas)"),
             "beta2": (_UNIT[0], "in [0, 1) (Adam betas)"), "eps": _POSITIVE}
    NONNEGATIVE_SLOTS = ("v",)

    def __init__(self, params: Iterable[Value], lr: Any = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, **kwargs: Any) -> None:
        super().__init__(params, lr, **kwargs)
        checked = self.check_hyper(beta1=beta1, beta2=beta2, eps=eps)
        self.beta1, self.beta2, self.eps = checked["beta1"], checked["beta2"], checked["eps"]

    def update(self, grads: list[float], lr: float) -> None:
        m, v = self.slots["m"], self.slots["v"]
        b1, b2, eps = self.beta1, self.beta2, self.eps
        t = self.t + 1
        c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        for i, (p, dx) in enumerate(zip(self.params, grads)):
            m[i] = b1 * m[i] + (1.0 - b1) * dx
            v[i] = b2 * v[i] + (1.0 - b2) * (dx * dx)
            m_hat = m[i] / c1
            v_hat = v[i] / c2
            p.data += -lr * m_hat / (math.sqrt(v_hat) + eps)


#: Optimizers by name.
OPTIMIZERS: dict[str, type] = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov,
                               "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam}
