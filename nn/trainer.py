"""The Trainer: shuffled mini-batches, validation, early stopping, metrics, history, progress.

The loop is the seeds' algorithm: initialize; repeat { shuffle the training set; for each
mini-batch: forward, backward, update } until the validation loss stops improving.  Each step
minimizes the regularized risk R = (1/B) Σ L(y⁽ⁿ⁾, ŷ⁽ⁿ⁾) + ½λ‖W‖² over the batch.

Per epoch the :class:`History` records ``loss`` (mean data loss over the epoch's batches, as
computed during the steps), ``accuracy`` (likewise; None for regression losses), ``penalty``
(½λ‖W‖² at the end of the epoch), ``val_loss``/``val_accuracy`` (when there is validation
data), ``update_ratio`` (mean over the epoch's steps of ‖Δθ‖/‖θ‖ — the seeds' "≈ 1e-3" sanity
check), ``dead_fraction`` (hidden units whose output is 0 on every probe example: dead ReLUs),
``grad_norm`` and ``lr``.

**The step seam.**  :meth:`Trainer.fit` reaches the model only through
``trainer.gradient_fn(xb, yb) -> BatchResult``: zero the gradients, run the model and the loss on
the batch, backpropagate, and return the batch's mean data loss and the outputs' floats.
Everything else (clipping, the optimizer step, metrics) is plain float code.  A compiled step —
e.g. a replay of a traced graph — replaces it with ``trainer.gradient_fn = compiled`` (it must
leave ∂R/∂p in every ``p.grad``); ``trainer.gradient_fn = None`` restores the default
:meth:`Trainer.compute_gradients`.

The pieces the loop uses have their own modules: :mod:`nn.batching` (batches, the validation
split), :mod:`nn.metrics`, :mod:`nn.callbacks` (History, EarlyStopping, ProgressBar) and
:mod:`nn.trainer_state` (the trainer's part of a state file).

>>> from nn import MLP, optim, losses, data
>>> X, y = data.xor_table()
>>> model = MLP(2, [4, 1], activation="tanh", seed=1)
>>> trainer = Trainer(model, losses.bce_with_logits, optim.Adam(model.parameters(), lr=0.1),
...                   seed=0, progress=False)
>>> history = trainer.fit(X, y, epochs=150)
>>> history["accuracy"][-1], history["loss"][-1] < 0.05
(1.0, True)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence, TextIO, Union

from autograd import Value, gc_paused, no_grad

from . import losses as _losses
from .batching import batches, check_finite, train_val_split
from .callbacks import EarlyStopping, History, ProgressBar
from .errors import ConfigError, ShapeError
from .init import as_rng
from .metrics import accuracy, dead_fraction, output_floats, safe_sum, update_ratio
from .optim import Optimizer, clip_grad_norm, clip_grad_value, grad_norm
from .trainer_state import encode_trainer, prepare_trainer

__all__ = ["Trainer", "BatchResult"]


@dataclass
class BatchResult:
    """What a gradient function returns: the batch's mean data loss and each output's floats."""

    loss: float
    outputs: list[list[float]]


class Trainer:
    """Fit ``model`` with ``loss`` and ``optimizer``: see the module docstring.

    ``l2`` is λ in ½λ‖W‖² over ``model.weights()``; ``batch_size=None`` is full-batch;
    ``seed`` drives the per-epoch shuffling; ``clip_norm``/``clip_value`` clip gradients before
    each update; ``progress`` is True/False/None (None: only on a terminal); ``callbacks``
    passed to :meth:`fit` are called ``cb(trainer, record)`` after each epoch — returning True
    stops training.
    """

    def __init__(self, model: Any, loss: Any, optimizer: Optimizer, *, l2: float = 0.0,
                 batch_size: Optional[int] = None, seed: Union[int, random.Random, None] = 0,
                 clip_norm: Optional[float] = None, clip_value: Optional[float] = None,
                 progress: Optional[bool] = None, stream: Optional[TextIO] = None,
                 dead_probe: int = 64, replay: bool = False) -> None:
        self.model = model
        self.loss_fn = _losses.get(loss)
        self.task = getattr(self.loss_fn, "task", "regression")
        self.optimizer = optimizer
        self.l2 = float(l2)
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
            raise ConfigError(f"batch_size must be a positive int or None, got {batch_size!r}")
        self.batch_size = batch_size
        self.rng = as_rng(seed)
        self._seed = seed if isinstance(seed, int) else 0
        self.clip_norm, self.clip_value = clip_norm, clip_value
        self.progress, self.stream, self.dead_probe = progress, stream, dead_probe
        self.epoch = 0
        self.history = History()
        self.early_stopping: Optional[EarlyStopping] = None
        self._gradient_fn: Optional[Callable[[list, list], BatchResult]] = None
        self._replay_step: Any = None
        if replay:
            self._gradient_fn = self.replayed_gradients
        self._weights = model.weights() if hasattr(model, "weights") else []
        self.stop_training = False

    # --- the seam ----------------------------------------------------------------------------
    @property
    def gradient_fn(self) -> Callable[[list, list], BatchResult]:
        """``(xb, yb) -> BatchResult``, leaving ∂R/∂p in each ``p.grad``; replaceable."""
        return self._gradient_fn or self.compute_gradients

    @gradient_fn.setter
    def gradient_fn(self, fn: Optional[Callable[[list, list], BatchResult]]) -> None:
        self._gradient_fn = fn

    def objective(self, xb: Sequence[Any], yb: Sequence[Any]) -> tuple[Value, Value, list]:
        """Build the graph of R on a batch: ``(risk, mean data loss, outputs)``."""
        total: Any = 0.0
        outputs = []
        for x, t in zip(xb, yb):
            out = self.model(x)
            outputs.append(out)
            total = total + self.loss_fn(out, t)
        data_loss = total * (1.0 / len(xb))
        risk = data_loss + _losses.l2_penalty(self._weights, self.l2) if self.l2 else data_loss
        return risk, data_loss, outputs

    def compute_gradients(self, xb: Sequence[Any], yb: Sequence[Any]) -> BatchResult:
        """The default gradient function: zero grads, forward, backward."""
        self.optimizer.zero_grad()
        risk, data_loss, outputs = self.objective(xb, yb)
        if isinstance(risk, Value):
            risk.backward()
        return BatchResult(float(data_loss.data if isinstance(data_loss, Value) else data_loss),
                           [output_floats(o) for o in outputs])

    def replayed_gradients(self, xb: Sequence[Any], yb: Sequence[Any]) -> BatchResult:
        """The gradient function of ``Trainer(replay=True)``: the same floats as
        :meth:`compute_gradients`, bit for bit, from a step traced once per batch shape and
        replayed over flat arrays (:class:`autograd.replay.LossStep`).

        Inputs are fed.  Targets are fed too when the loss says which numbers it computes
        with (``loss.encode_target``: regression targets, binary labels as ±1 or 0/1), so
        shuffled mini-batches reuse one compiled step; class-index targets pick outputs, so
        they are baked in and a new set of them traces again."""
        from autograd.replay import LossStep

        self.optimizer.zero_grad()
        encode = getattr(self.loss_fn, "encode_target", None)
        batch = (xb, yb if encode is None else [encode(t) for t in yb])
        step = self._replay_step
        if step is None:
            step = self._replay_step = LossStep(
                lambda model, batch: self.objective(*batch), self.model, batch,
                parameters=self.model.parameters(), fed=(0,) if encode is None else None,
                retrace=True)
        step(batch)
        data_loss, outputs = step.aux
        return BatchResult(data_loss, [list(o) for o in outputs])

    def train_step(self, xb: Sequence[Any], yb: Sequence[Any]) -> tuple[BatchResult, float,
                                                                         float]:
        """One update: gradients, clipping, optimizer step.  Returns the batch result, the
        gradient norm before clipping and the update/parameter ratio.

        The gradients are computed with the cyclic garbage collector paused: the graph has no
        reference cycles, so the collector would only re-read it (see ``autograd.gc_paused``).
        """
        with gc_paused():
            result = self.gradient_fn(xb, yb)
        params = self.optimizer.params
        try:
            norm = grad_norm(params)
        except (OverflowError, ValueError):  # metrics report a diverged run, never raise
            norm = math.inf
        if self.clip_value is not None:
            clip_grad_value(params, self.clip_value)
        if self.clip_norm is not None:
            clip_grad_norm(params, self.clip_norm)
        before = [p.data for p in params]
        self.optimizer.step()
        return result, norm, update_ratio(before, [p.data for p in params])

    # --- evaluation ----------------------------------------------------------------------------
    def evaluate(self, X: Sequence[Any], y: Sequence[Any]) -> dict:
        """Mean data loss and accuracy on ``(X, y)``, in eval mode, without a graph.

        ``X`` and ``y`` must have the same length (else :class:`~nn.errors.ShapeError`)."""
        X, y = list(X), list(y)
        if len(X) != len(y):
            raise ShapeError(f"evaluate: {len(X)} inputs but {len(y)} targets")
        was_training = getattr(self.model, "training", True)
        if hasattr(self.model, "eval"):
            self.model.eval()
        try:
            with no_grad():
                outs = [self.model(x) for x in X]
                total = safe_sum([float(output_floats(self.loss_fn(o, t))[0])
                                  for o, t in zip(outs, y)])
            floats = [output_floats(o) for o in outs]
        finally:
            if hasattr(self.model, "train"):
                self.model.train(was_training)
        return {"loss": total / len(X) if X else None,
                "accuracy": accuracy(floats, list(y), self.task)}

    # --- the loop ------------------------------------------------------------------------------
    def fit(self, X: Sequence[Any], y: Sequence[Any], epochs: int = 10, *,
            validation: Optional[tuple[Sequence[Any], Sequence[Any]]] = None,
            val_split: Optional[float] = None, early_stopping: Optional[EarlyStopping] = None,
            callbacks: Sequence[Callable[["Trainer", dict], Any]] = ()) -> History:
        """Train until ``epochs`` epochs have been completed in total (a restored trainer
        continues where it stopped), or until early stopping or a callback says stop."""
        X, y = list(X), list(y)
        if len(X) != len(y):
            raise ShapeError(f"fit: {len(X)} inputs but {len(y)} targets")
        if not X:
            raise ShapeError("fit: no training examples")
        if validation is not None and val_split is not None:
            raise ConfigError("give validation data or val_split, not both")
        if validation is not None:
            Xv, yv = list(validation[0]), list(validation[1])
            if len(Xv) != len(yv):
                raise ShapeError(f"fit: validation has {len(Xv)} inputs but {len(yv)} "
                                 f"targets")
            validation = (Xv, yv)
        check_finite(X, y, "fit")
        if val_split is not None:
            X, y, Xv, yv = train_val_split(X, y, val_split, seed=self._seed)
            validation = (Xv, yv)
        if early_stopping is not None:
            if self.early_stopping is not None and self.early_stopping is not early_stopping:
                early_stopping.set_progress(self.early_stopping.progress())  # a resumed run
            self.early_stopping = early_stopping
        probe = X[:self.dead_probe] if self.dead_probe else []
        n_batches = math.ceil(len(X) / (self.batch_size or len(X)))
        bar = ProgressBar(max(0, epochs - self.epoch) * n_batches, self.stream, self.progress)
        done = 0
        self.stop_training = False
        if hasattr(self.model, "train"):
            self.model.train()
        try:
            while self.epoch < epochs and not self.stop_training:
                record = self._run_epoch(X, y, probe, validation, bar, done)
                done += n_batches
                self.epoch += 1
                self.history.append(record)
                bar.update(done, _summary(record), force=True)
                stop = self.early_stopping is not None and self.early_stopping.update(
                    record.get(self.early_stopping.monitor), self.optimizer.params)
                for cb in callbacks:
                    if cb(self, record):
                        stop = True
                if stop:
                    self.stop_training = True
            es = self.early_stopping
            if self.stop_training and es is not None and es.restore_best and es.best_state:
                for p, v in zip(self.optimizer.params, es.best_state):
                    p.data = v
        finally:
            bar.close()
        return self.history

    def _run_epoch(self, X: list, y: list, probe: list, validation: Any, bar: ProgressBar,
                   done: int) -> dict:
        losses, correct_outputs, targets, ratios, norms = [], [], [], [], []
        lr = self.optimizer.current_lr()
        for i, idx in enumerate(batches(len(X), self.batch_size, self.rng)):
            xb, yb = [X[j] for j in idx], [y[j] for j in idx]
            result, norm, ratio = self.train_step(xb, yb)
            losses.append((result.loss, len(idx)))
            correct_outputs.extend(result.outputs)
            targets.extend(yb)
            ratios.append(ratio)
            norms.append(norm)
            bar.update(done + i + 1, f"epoch {self.epoch + 1} loss {result.loss:.4g}")
        record: dict = {
            "epoch": self.epoch + 1,
            "loss": safe_sum([l * n for l, n in losses]) / len(X),
            "accuracy": accuracy(correct_outputs, targets, self.task),
            "penalty": (0.5 * self.l2 * safe_sum([w.data * w.data for w in self._weights])
                        if self.l2 else 0.0),
            "update_ratio": safe_sum(ratios) / len(ratios),
            "grad_norm": safe_sum(norms) / len(norms),
            "lr": lr,
        }
        if validation is not None:
            ev = self.evaluate(*validation)
            record["val_loss"], record["val_accuracy"] = ev["loss"], ev["accuracy"]
        if probe:
            record["dead_fraction"] = dead_fraction(self.model, probe)
        return record

    # --- state -----------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Epoch count, shuffling RNG state, history and early-stopping state (JSON-ready; see
        :mod:`nn.trainer_state`)."""
        return encode_trainer(self)

    def load_state_dict(self, state: dict) -> None:
        self._prepare_state(state, "trainer state")()

    def _prepare_state(self, state: Any, source: str) -> Callable[[], None]:
        return prepare_trainer(self, state, source)


def _summary(record: dict) -> str:
    parts = [f"epoch {record['epoch']}", f"loss {record['loss']:.4g}"]
    for key in ("accuracy", "val_loss", "val_accuracy"):
        v = record.get(key)
        if v is not None:
            parts.append(f"{key} {v:.4g}")
    return " ".join(parts)
