"""pathgrad's network library: neurons, layers and MLPs on the scalar engine, with the classic
initializers, activations, losses and optimizers, and a training loop you can watch.

A tour — two-moons with a ReLU MLP, micrograd's demo in a few lines:

>>> from nn import MLP, optim, losses, init, data, Trainer
>>> X, y = data.two_moons(40, noise=0.1, seed=0)
>>> model = MLP(2, [8, 8, 1], activation="relu", init=init.he_normal, seed=0)
>>> model.num_parameters()
105
>>> opt = optim.Adam(model.parameters(), lr=0.05)
>>> trainer = Trainer(model, losses.hinge, opt, l2=1e-4, batch_size=20, seed=0,
...                   progress=False)
>>> history = trainer.fit(X, y, epochs=25)
>>> history["accuracy"][-1] >= 0.9
True
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "m.json")
>>> model.save(path, optimizer=opt, trainer=trainer)
>>> MLP.load(path).state_dict() == model.state_dict()
True

Modules: :mod:`nn.module` (Module, Neuron, Layer, MLP), :mod:`nn.activations`,
:mod:`nn.init`, :mod:`nn.losses`, :mod:`nn.optim`, :mod:`nn.train` (Trainer, batches,
validation split, early stopping, metrics, history, progress bar), :mod:`nn.data` (toy
datasets), :mod:`nn.state` (the JSON state file).
"""

from . import activations, data, init, losses, optim, state
from .errors import ConfigError, ShapeError, StateFileError
from .module import MLP, Layer, MaxoutNeuron, Module, Neuron
from .activations import PReLU, RReLU
from .train import (BatchResult, EarlyStopping, History, ProgressBar, Trainer, accuracy,
                    batches, dead_fraction, predict, train_val_split, update_ratio)
from . import train

__all__ = [
    "Module", "Neuron", "MaxoutNeuron", "Layer", "MLP", "PReLU", "RReLU",
    "Trainer", "History", "EarlyStopping", "BatchResult", "ProgressBar", "batches",
    "train_val_split", "accuracy", "dead_fraction", "predict", "update_ratio",
    "activations", "init", "losses", "optim", "data", "state", "train",
    "ConfigError", "ShapeError", "StateFileError",
]
