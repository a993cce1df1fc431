"""Modes: ``no_grad``, ``enable_grad``, ``detect_anomaly``, ``recording_sites``, tracing.

Modes are per thread (and per asyncio task): each context holds the modes it has entered,
innermost last, in a ContextVar.  Ops check one flag, :func:`slow` (kept as a module global
of :mod:`autograd.value` through :func:`on_slow_change`); it is true while ANY context has a
mode entered, and only the slow path reads the context's modes.  The fast path stays free of
mode checks.  A mode entered in a generator's frame counts only while that generator runs (a
suspended generator's frame has no f_back), so a generator paused inside ``no_grad`` does
not turn gradients off in its caller.

>>> is_grad_enabled()
True
>>> with no_grad():
...     is_grad_enabled()
False
"""

from __future__ import annotations

import contextlib
import contextvars
import gc
import inspect
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, ContextManager, Iterator, NamedTuple, Optional

__all__ = ["no_grad", "enable_grad", "detect_anomaly", "recording_sites", "gc_paused",
           "is_grad_enabled", "is_anomaly_enabled", "is_recording_sites", "tracing",
           "current_tracer", "state", "State", "on_slow_change"]


class State(NamedTuple):
    """The modes in force in this context."""

    grad: bool = True
    anomaly: bool = False
    tracer: Optional[Callable[..., Any]] = None
    sites: bool = False


_DEFAULT = State()
# The context's value: (modes entered, innermost last; their resolved state, or None when a
# generator's mode is among them and the state must be resolved at each read).
_modes: contextvars.ContextVar[tuple] = contextvars.ContextVar("pathgrad_modes",
                                                               default=((), _DEFAULT))
_entered = 0  # modes entered and not yet left, in every thread
_entered_lock = threading.Lock()
_slow = False
_slow_listeners: list[Callable[[bool], None]] = []
_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


class _Mode:
    """One entered mode: its kind (a field of :class:`State`), its value, and the generator
    frame that entered it (None for an ordinary frame)."""
    __slots__ = ("kind", "value", "frame")

    def __init__(self, kind: str, value: Any, frame: Any) -> None:
        self.kind, self.value, self.frame = kind, value, frame


def _resolve(modes: tuple) -> State:
    """The innermost live mode of each kind."""
    found: dict = {}
    for i in range(len(modes) - 1, -1, -1):
        mode = modes[i]
        if mode.kind not in found and (mode.frame is None or mode.frame.f_back is not None):
            found[mode.kind] = mode.value
    return _DEFAULT._replace(**found) if found else _DEFAULT


def _set_modes(modes: tuple) -> None:
    in_generator = any(mode.frame is not None for mode in modes)
    _modes.set((modes, None if in_generator else _resolve(modes)))


def state() -> State:
    """This context's modes, innermost winning (the default state when none is entered)."""
    if not _slow:
        return _DEFAULT
    modes, resolved = _modes.get()
    return resolved if resolved is not None else _resolve(modes)


def slow() -> bool:
    """True while any thread has a mode entered (ops then take their slow path)."""
    return _slow


def on_slow_change(listener: Callable[[bool], None]) -> None:
    """Call ``listener(flag)`` whenever :func:`slow` changes (the value module keeps a copy
    of the flag as a global, the cheapest thing an op can read)."""
    _slow_listeners.append(listener)
    listener(_slow)


def _set_slow(flag: bool) -> None:
    global _slow
    if flag != _slow:
        _slow = flag
        for listener in _slow_listeners:
            listener(flag)


@contextmanager
def _mode(kind: str, value: Any) -> Iterator[None]:
    global _entered
    frame = sys._getframe(2)  # the frame running the ``with``, past contextlib (ExitStack ...)
    while frame.f_back is not None and frame.f_code.co_filename == contextlib.__file__:
        frame = frame.f_back
    mode = _Mode(kind, value, frame if frame.f_code.co_flags & _GENERATOR_FLAGS else None)
    with _entered_lock:
        _entered += 1
        _set_slow(True)
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
            _set_slow(_entered > 0)


def is_grad_enabled() -> bool:
    """True unless inside :func:`no_grad` (in this thread)."""
    return state().grad


def is_anomaly_enabled() -> bool:
    """True inside :func:`detect_anomaly` (in this thread)."""
    return state().anomaly


def is_recording_sites() -> bool:
    """True inside :func:`recording_sites` or :func:`detect_anomaly` (in this thread)."""
    s = state()
    return s.sites or s.anomaly


def no_grad() -> ContextManager[None]:
    """Compute values without recording a graph: results are leaves that need no gradient.

    The mode belongs to the thread that enters it; other threads keep recording.

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.parents, y.requires_grad
    ((), False)
    """
    return _mode("grad", False)


def enable_grad() -> ContextManager[None]:
    """Record graphs again inside a :func:`no_grad` block."""
    return _mode("grad", True)


def detect_anomaly(enabled: bool = True) -> ContextManager[None]:
    """Raise :class:`~autograd.errors.AnomalyError` at the first op whose forward or backward
    gives nan/inf.

    The error names the op, its input values, the node's label and the file:line where the
    node was created.  The mode belongs to the thread that enters it.

    >>> from autograd import Value
    >>> with detect_anomaly():
    ...     Value(0.0, label="x").log()
    Traceback (most recent call last):
    ...
    autograd.errors.AnomalyError: log produced -inf in the forward pass from inputs (x=0.0) ...
    """
    return _mode("anomaly", bool(enabled))


def recording_sites(enabled: bool = True) -> ContextManager[None]:
    """Record, for every node made in the block, the file:line that made it
    (``v.creation_site``), without anomaly mode's checks.  Gradient checkers use it to say
    where a wrong node came from.

    >>> from autograd import Value
    >>> with recording_sites():
    ...     y = Value(2.0) * 3
    >>> y.creation_site
    '<doctest ...>:2'
    """
    return _mode("sites", bool(enabled))


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


def tracing(tracer: Callable[..., Any]) -> ContextManager[None]:
    """Call ``tracer(event, *args)`` on reads (``"read"``, v) and comparisons (``"compare"``,
    symbol, a, b, result) of Values in this thread (the replay compiler records guards so)."""
    return _mode("tracer", tracer)


def current_tracer() -> Optional[Callable[..., Any]]:
    """The innermost tracer of this thread, or None."""
    return state().tracer
