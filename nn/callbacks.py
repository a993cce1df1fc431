"""What watches a training run: the per-epoch :class:`History`, :class:`EarlyStopping` and a
terminal :class:`ProgressBar`.

>>> h = History([{"epoch": 1, "loss": 0.5}])
>>> h["loss"], EarlyStopping(patience=3).patience
([0.5], 3)
"""

from __future__ import annotations

import math
import sys
import time
from typing import Iterator, Optional, Sequence, TextIO

from autograd import Value

from .errors import ConfigError
from .state import encode_float

__all__ = ["History", "EarlyStopping", "ProgressBar"]


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
        """Its progress, JSON-ready (read back by :func:`nn.trainer_state.prepare_trainer`)."""
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
