"""Training: a loss of (model, batch), traced once and replayed for every step.

:class:`LossStep` uses only :class:`~autograd.replay.step.Replay`'s public surface: a new
batch is given to the replay's input leaves with :meth:`~autograd.replay.step.Replay.set_inputs`
and each step is one :meth:`~autograd.replay.step.Replay.run`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional, Sequence

from ..errors import BranchChangedError, GraphError
from ..value import Value
from .args import flatten, map_items
from .step import Replay, trace

__all__ = ["LossStep"]

_CACHE_SIZE = 8  # compiled steps a LossStep keeps, by batch shape and baked-in items


def _fed(x: Any) -> Any:
    """A float of a batch becomes a constant leaf Value, fed anew on every replay."""
    if isinstance(x, float) and not isinstance(x, Value):
        return Value(x, requires_grad=False)
    return x


class LossStep:
    """``loss_fn(model, batch)`` traced once, replayed for every training step.

    Calling the step is one eager ``loss = loss_fn(model, batch); loss.backward()``: it reads
    the parameters' current ``data``, accumulates into their ``grad`` (zero them first, as
    usual) and returns the loss as a float — bit for bit what the eager engine gives.

    The floats of ``batch`` are inputs, fed anew on each call (pass a batch of the same shape,
    or nothing to reuse the last one).  Everything else in it (ints, bools, strings ...) is
    baked in and must stay equal.  ``fed=(0,)`` feeds only the floats of ``batch[0]`` and
    bakes in the rest (e.g. labels that the loss inspects in Python).  If ``loss_fn`` returns
    a tuple, its first item is the loss and :attr:`aux` gives the rest as floats after each
    step (e.g. the model's outputs, for metrics).

    With ``retrace=True`` a batch of another shape, a changed baked-in item or a changed Python
    branch traces the function again instead of raising (:attr:`retraces` counts them); the
    last few compiled steps are kept by batch shape and baked-in items, so a smaller last
    mini-batch is compiled once, not every epoch.

    >>> from autograd import Value
    >>> w = [Value(0.5), Value(-0.25)]
    >>> loss = lambda w, batch: sum(((w[0] * x + w[1] - t) ** 2 for x, t in batch), 0.0)
    >>> step = LossStep(loss, w, [(1.0, 2.0), (3.0, 0.5)], parameters=w)
    >>> step()
    3.625
    >>> [p.grad for p in w]
    [1.0, -2.0]
    """

    def __init__(self, loss_fn: Callable[[Any, Any], Any], model: Any, batch: Any, *,
                 parameters: Optional[Iterable[Value]] = None,
                 fed: Optional[Sequence[int]] = None, retrace: bool = False) -> None:
        if parameters is None:
            found = getattr(model, "parameters", None)
            if found is None:
                raise GraphError("the model has no parameters(); pass parameters=[...]")
            parameters = found() if callable(found) else found
        self.parameters: list[Value] = list(parameters)
        self.loss_fn = loss_fn
        self.model = model
        self.fed = None if fed is None else tuple(fed)
        self.retrace = retrace
        self.retraces = 0
        self._batch = batch
        self._cache: dict[str, Replay] = {}  # by batch structure and baked-in items
        self.replay = self._trace(batch)

    def _feed(self, batch: Any) -> Any:
        if self.fed is None:
            return map_items(batch, _fed)
        if not isinstance(batch, (list, tuple)):
            raise GraphError(f"fed={self.fed!r} needs a list or tuple batch, got "
                             f"{type(batch).__name__}")
        parts = list(batch)
        for i in self.fed:
            parts[i] = map_items(parts[i], _fed)
        return type(batch)(parts) if isinstance(batch, tuple) else parts

    def _trace(self, batch: Any) -> Replay:
        loss_fn, model = self.loss_fn, self.model

        def loss(parameters: list, batch: Any) -> Any:
            return loss_fn(model, batch)
        loss.__name__ = getattr(loss_fn, "__name__", "loss")
        fed = self._feed(batch)
        replay = trace(loss, self.parameters, fed)
        if len(self._cache) >= _CACHE_SIZE:
            del self._cache[next(iter(self._cache))]
        self._cache[repr(flatten(fed)[0])] = replay
        return replay

    def __call__(self, batch: Any = None) -> float:
        """One training step's forward and backward; returns the loss."""
        replay = self.replay
        if batch is not None and batch is not self._batch:
            try:
                replay.set_inputs(self.parameters, batch)
            except GraphError:
                if not self.retrace:
                    raise
                cached = self._cache.get(repr(flatten(self._feed(batch))[0]))
                if cached is None:
                    return self._again(batch)
                replay = self.replay = cached  # a shape seen before (e.g. the last batch)
                replay.set_inputs(self.parameters, batch)
            self._batch = batch
        try:
            return replay.run()
        except BranchChangedError:
            if not self.retrace:
                raise
            return self._again(self._batch)

    def _again(self, batch: Any) -> float:
        self.retraces += 1
        self._batch = batch
        self.replay = self._trace(batch)
        return self.replay.run()

    @property
    def aux(self) -> Any:
        """What ``loss_fn`` returned after the loss, as floats of the last step."""
        return self.replay.aux_values()

    def to_graph(self) -> Value:
        """The traced loss graph holding the last step's values and gradients."""
        return self.replay.to_graph()
