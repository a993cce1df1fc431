"""The training names in one place, as before the split (``from nn.train import ...``).

Re-exports only: the loop is :mod:`nn.trainer`; batches and the validation split are
:mod:`nn.batching`; metrics :mod:`nn.metrics`; History, EarlyStopping and ProgressBar
:mod:`nn.callbacks`.

>>> from nn.train import Trainer, update_ratio
>>> Trainer.__module__, update_ratio.__module__
('nn.trainer', 'nn.metrics')
"""

from .batching import batches, train_val_split
from .callbacks import EarlyStopping, History, ProgressBar
from .metrics import accuracy, dead_fraction, predict, update_ratio
from .trainer import BatchResult, Trainer

__all__ = ["Trainer", "History", "EarlyStopping", "BatchResult", "ProgressBar", "batches",
           "train_val_split", "accuracy", "dead_fraction", "update_ratio", "predict"]
