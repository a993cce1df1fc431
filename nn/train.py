"""Training: shuffled mini-batches, validation, early stopping, metrics, history, progress.

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
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional, Sequence, TextIO, Union

from autograd import Value, gc_paused, no_grad

from . import losses as _losses
from .errors import ConfigError, ShapeError
from .init import as_rng
from .optim import Optimizer, clip_grad_norm, clip_grad_value, grad_norm

__all__ = ["Trainer", "History", "EarlyStopping", "BatchResult", "ProgressBar", "batches",
           "train_val_split", "accuracy", "dead_fraction", "update_ratio", "predict"]


# --- data plumbing -------------------------------------------------------------------------

def batches(n: int, batch_size: Optional[int] = None, rng: Optional[random.Random] = None
            ) -> Iterator[list[int]]:
    """Index lists covering ``range(n)`` once, shuffled by ``rng`` (in order when None); the
    last batch may be smaller.  ``batch_size=None`` is one full batch, always in order:
    shuffling it would change nothing but the rounding of the sum (and would make every step's
    graph different for a step compiler).

    >>> list(batches(5, 2))
    [[0, 1], [2, 3], [4]]
    >>> sorted(sum(batches(5, 2, random.Random(0)), []))
    [0, 1, 2, 3, 4]
    """
    order = list(range(n))
    size = n if batch_size is None else batch_size
    if not isinstance(size, int) or size < 1:
        raise ConfigError(f"batch_size must be a positive int or None, got {batch_size!r}")
    if rng is not None and size < n:
        rng.shuffle(order)
    for start in range(0, n, size):
        yield order[start:start + size]


def train_val_split(X: Sequence[Any], y: Sequence[Any], val_fraction: float = 0.2,
                    seed: Union[int, random.Random, None] = 0) -> tuple[list, list, list, list]:
    """Shuffle (seeded) and split into ``(X_train, y_train, X_val, y_val)``.

    >>> Xt, yt, Xv, yv = train_val_split(list(range(10)), list(range(10)), 0.3)
    >>> len(Xt), len(Xv), sorted(Xt + Xv) == list(range(10)), Xt == yt
    (7, 3, True, True)
    """
    if len(X) != len(y):
        raise ShapeError(f"train_val_split: {len(X)} inputs but {len(y)} targets")
    if not 0.0 < val_fraction < 1.0:
        raise ConfigError(f"val_fraction must be in (0, 1), got {val_fraction!r}")
    order = list(range(len(X)))
    as_rng(seed).shuffle(order)
    n_val = max(1, round(len(X) * val_fraction))
    if n_val >= len(X):
        raise ConfigError(f"cannot split {len(X)} examples with val_fraction {val_fraction}")
    val, train = order[:n_val], order[n_val:]
    return ([X[i] for i in train], [y[i] for i in train], [X[i] for i in val],
            [y[i] for i in val])


# --- metrics -------------------------------------------------------------------------------

def _floats(output: Any) -> list[float]:
    items = output if isinstance(output, (list, tuple)) else [output]
    return [float(o.data) if isinstance(o, Value) else float(o) for o in items]


def accuracy(outputs: Sequence[Sequence[float]], targets: Sequence[Any], task: str
             ) -> Optional[float]:
    """Fraction right: ``binary`` — score > 0 means the positive class (labels 0/1 or −1/+1);
    ``multiclass`` — the arg-max is the label; ``regression`` — None.

    >>> accuracy([[0.3], [-2.0]], [1, 1], "binary")
    0.5
    >>> accuracy([[1.0, 5.0], [9.0, 2.0]], [1, 1], "multiclass")
    0.5
    """
    if task == "regression" or not targets:
        return None
    right = 0
    for out, t in zip(outputs, targets):
        if task == "binary":
            right += (out[0] > 0.0) == (t == 1 or t is True)
        else:
            best = max(range(len(out)), key=out.__getitem__)
            right += best == t
    return right / len(targets)


def update_ratio(before: Sequence[float], after: Sequence[float]) -> float:
    """‖after − before‖ / ‖before‖ (the seeds: around 1e-3 is healthy).

    >>> round(update_ratio([3.0, 4.0], [3.0, 4.005]), 9)
    0.001
    """
    num = _sum([(a - b) * (a - b) for a, b in zip(after, before)])
    den = _sum([b * b for b in before])
    if den != den or num != num:
        return math.nan
    if math.isinf(den):
        return math.nan if math.isinf(num) else 0.0
    return math.sqrt(num) / math.sqrt(den) if den > 0 else (0.0 if num == 0 else math.inf)


def _sum(xs: Sequence[float]) -> float:
    """``math.fsum``, but inf/nan instead of an exception when the sum overflows (a metric
    reports a diverged run, it never stops it)."""
    try:
        return math.fsum(xs)
    except (OverflowError, ValueError):
        return sum(xs)


def _check_finite(X: Sequence[Any], y: Sequence[Any], where: str) -> None:
    """Warn, once, about the first nan/inf in the inputs or targets: one such number turns
    every parameter nan after the first step."""
    for i, (x, t) in enumerate(zip(X, y)):
        for kind, item in (("input", x), ("target", t)):
            values = item if isinstance(item, (list, tuple)) else [item]
            for j, v in enumerate(values):
                f = v.data if isinstance(v, Value) else v
                if isinstance(f, float) and not math.isfinite(f):
                    warnings.warn(
                        f"{where}: {kind} {i} has {f!r} at position {j}; one nan or inf turns "
                        f"every parameter nan after the first step (run under "
                        f"autograd.detect_anomaly() to stop at the first op that makes one)",
                        RuntimeWarning, stacklevel=3)
                    return


def dead_fraction(model: Any, X: Sequence[Any]) -> Optional[float]:
    """The fraction of hidden units whose output is exactly 0 on every example of ``X``
    (dead ReLUs: they pass no gradient and never recover).  None for a model without
    hidden layers or without ``forward_layers``."""
    forward = getattr(model, "forward_layers", None)
    if forward is None or not X:
        return None
    alive: Optional[list[list[bool]]] = None
    was_training = getattr(model, "training", False)
    if was_training:
        model.eval()  # RReLU: the mean slope, and no draws from its generator
    try:
        with no_grad():
            for x in X:
                hidden = forward(x)[:-1]
                if alive is None:
                    alive = [[False] * len(h) for h in hidden]
                for flags, h in zip(alive, hidden):
                    for i, v in enumerate(h):
                        if v.data != 0.0:
                            flags[i] = True
    finally:
        if was_training:
            model.train()
    units = sum(len(f) for f in alive or [])
    if not units:
        return None
    return sum(f.count(False) for f in alive) / units


def predict(model: Any, X: Sequence[Any]) -> list[list[float]]:
    """The model's outputs on each input as floats, without recording a graph."""
    with no_grad():
        return [_floats(model(x)) for x in X]


# --- history, early stopping, progress ----------------------------------------------------------

class History:
    """One record (a dict) per epoch; ``history["loss"]`` is that column, ready to plot.

    >>> h = History(); h.append({"epoch": 1, "loss": 0.5}); h.append({"epoch": 2, "loss": 0.25})
    >>> h["loss"], len(h), h.last["epoch"]
    ([0.5, 0.25], 2, 2)
    """

    def __init__(self, records: Optional[list[dict]] = None) -> None:
        self.records: list[dict] = list(records or [])

    def append(self, record: dict) -> None:
        self.records.append(record)

    def __getitem__(self, key: str) -> list:
        return [r.get(key) for r in self.records]

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.records)

    @property
    def last(self) -> dict:
        return self.records[-1] if self.records else {}

    def columns(self) -> list[str]:
        out: dict[str, bool] = {}
        for r in self.records:
            for k in r:
                out[k] = True
        return list(out)

    def __repr__(self) -> str:
        return f"History({len(self)} epochs, columns={self.columns()})"


class EarlyStopping:
    """Stop when ``monitor`` (default ``val_loss``) has not improved by more than
    ``min_delta`` for ``patience`` epochs; with ``restore_best`` put back the best parameters.

    >>> stop = EarlyStopping(patience=2)
    >>> [stop.update(v) for v in [1.0, 0.8, 0.9, 0.85]]
    [False, False, False, True]
    >>> stop.best, stop.best_epoch
    (0.8, 2)
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, monitor: str = "val_loss",
                 restore_best: bool = True) -> None:
        if not isinstance(patience, int) or patience < 1:
            raise ConfigError(f"patience must be a positive int, got {patience!r}")
        self.patience, self.min_delta = patience, float(min_delta)
        self.monitor, self.restore_best = monitor, restore_best
        self.best = math.inf
        self.best_epoch = 0
        self.wait = 0
        self.epochs_seen = 0
        self.best_state: Optional[list[float]] = None

    def update(self, value: Optional[float], params: Optional[Sequence[Value]] = None) -> bool:
        """Record one epoch's ``value``; True when training should stop."""
        self.epochs_seen += 1
        if value is None:
            raise ConfigError(f"early stopping monitors {self.monitor!r}, which this run does "
                              f"not record (give validation data?)")
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, self.epochs_seen, 0
            if params is not None:
                self.best_state = [p.data for p in params]
            return False
        self.wait += 1
        return self.wait >= self.patience

    _PROGRESS = ("best", "best_epoch", "wait", "epochs_seen", "best_state")

    def progress(self) -> dict:
        """Where the watch stands (not its settings): best value and epoch, wait, state."""
        return {k: getattr(self, k) for k in self._PROGRESS}

    def set_progress(self, progress: dict) -> None:
        for k in self._PROGRESS:
            setattr(self, k, progress[k])

    def state_dict(self) -> dict:
        from .state import encode_float
        return {"best": encode_float(self.best), "best_epoch": self.best_epoch,
                "wait": self.wait, "epochs_seen": self.epochs_seen,
                "best_state": None if self.best_state is None
                else [encode_float(v) for v in self.best_state]}


class ProgressBar:
    """A one-line bar on a terminal (``\\r``-redrawn, at most 10 times a second); silent when
    the stream is not a terminal unless ``enabled=True``."""

    def __init__(self, total: int, stream: Optional[TextIO] = None,
                 enabled: Optional[bool] = None, width: int = 24) -> None:
        self.total, self.width = max(1, total), width
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self._last = 0.0
        self._length = 0
        self._shown = False

    def update(self, done: int, text: str = "", force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1 and done < self.total:
            return
        self._last = now
        filled = int(self.width * min(done, self.total) / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        line = f"[{bar}] {done}/{self.total} {text}".rstrip()
        self.stream.write("\r" + line.ljust(self._length) + " ")  # cover a longer last line
        self._length = len(line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self.enabled and self._shown:
            self.stream.write("\n")
            self.stream.flush()


# --- the trainer ---------------------------------------------------------------------------

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
                           [_floats(o) for o in outputs])

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
                total = _sum([float(_floats(self.loss_fn(o, t))[0]) for o, t in zip(outs, y)])
            floats = [_floats(o) for o in outs]
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
        _check_finite(X, y, "fit")
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
            "loss": _sum([l * n for l, n in losses]) / len(X),
            "accuracy": accuracy(correct_outputs, targets, self.task),
            "penalty": (0.5 * self.l2 * _sum([w.data * w.data for w in self._weights])
                        if self.l2 else 0.0),
            "update_ratio": _sum(ratios) / len(ratios),
            "grad_norm": _sum(norms) / len(norms),
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
        """Epoch count, shuffling RNG state, history and early-stopping state (JSON-ready)."""
        from .state import encode_float
        version, internal, gauss = self.rng.getstate()
        words = "".join(f"{w:08x}" for w in internal[:-1])  # Mersenne Twister: 624 words
        history = [{k: (encode_float(v) if isinstance(v, float) else v) for k, v in r.items()}
                   for r in self.history]
        return {"epoch": self.epoch,
                "rng": {"version": version, "words": words, "pos": internal[-1],
                        "gauss": None if gauss is None else encode_float(gauss)},
                "history": history,
                "early_stopping": None if self.early_stopping is None
                else self.early_stopping.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self._prepare_state(state, "trainer state")()

    def _prepare_state(self, state: Any, source: str) -> Callable[[], None]:
        from .state import decode_float, expect
        expect(isinstance(state, dict), source, "trainer state must be an object")
        epoch = state.get("epoch")
        expect(isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 0, source,
               f"trainer epoch must be an int >= 0, got {epoch!r:.40}")
        rng_state = state.get("rng")
        expect(isinstance(rng_state, dict) and set(rng_state) == {"version", "words", "pos",
                                                                   "gauss"},
               source, "trainer rng state must be an object with version, words, pos, gauss")
        words = rng_state["words"]
        expect(isinstance(words, str) and len(words) == 624 * 8
               and all(c in "0123456789abcdef" for c in words), source,
               "trainer rng words must be 4992 lowercase hex digits")
        probe = random.Random()
        try:
            gauss = rng_state["gauss"]
            internal = tuple(int(words[i:i + 8], 16) for i in range(0, len(words), 8))
            probe.setstate((rng_state["version"], internal + (rng_state["pos"],),
                            None if gauss is None else decode_float(gauss, "rng gauss")))
        except (TypeError, ValueError, OverflowError) as e:
            raise _state_error(f"{source}: trainer rng state is malformed: {e}") from None
        records = state.get("history")
        expect(isinstance(records, list) and all(isinstance(r, dict) for r in records), source,
               "trainer history must be a list of objects")
        history = []
        for r in records:
            rec = {}
            for k, v in r.items():
                rec[k] = decode_float(v, f"{source}: history {k!r}") \
                    if isinstance(v, (float, str)) else v
            history.append(rec)
        es_state = state.get("early_stopping")
        es_apply: Optional[Callable[[], None]] = None
        if es_state is not None:
            expect(isinstance(es_state, dict), source, "early_stopping state must be an object")
            best = decode_float(es_state.get("best"), f"{source}: early_stopping best")
            ints = {}
            for key in ("best_epoch", "wait", "epochs_seen"):
                v = es_state.get(key)
                expect(isinstance(v, int) and not isinstance(v, bool) and v >= 0, source,
                       f"early_stopping {key} must be an int >= 0")
                ints[key] = v
            bs = es_state.get("best_state")
            expect(bs is None or (isinstance(bs, list)
                                  and len(bs) == len(self.optimizer.params)),
                   source, "early_stopping best_state has the wrong length")
            best_state = None if bs is None else [
                decode_float(v, f"{source}: early_stopping best_state[{i}]")
                for i, v in enumerate(bs)]

            def es_apply() -> None:
                if self.early_stopping is None:  # settings come with the next fit()
                    self.early_stopping = EarlyStopping()
                self.early_stopping.set_progress({"best": best, "best_state": best_state,
                                                  **ints})

        def apply() -> None:
            self.epoch = epoch
            self.rng.setstate(probe.getstate())
            self.history = History(history)
            if es_apply is not None:
                es_apply()
        return apply


def _state_error(message: str) -> Exception:
    from autograd.errors import StateFileError
    return StateFileError(message)


def _summary(record: dict) -> str:
    parts = [f"epoch {record['epoch']}", f"loss {record['loss']:.4g}"]
    for key in ("accuracy", "val_loss", "val_accuracy"):
        v = record.get(key)
        if v is not None:
            parts.append(f"{key} {v:.4g}")
    return " ".join(parts)

