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

Modules, lowest layer first (each imports only modules above it in this list; the order is
checked by ``tests/test_nn_layers.py``): :mod:`nn.errors`; :mod:`nn.registry` (names, and the
model classes and neuron types a lower layer looks up); :mod:`nn.state` (the JSON state file);
:mod:`nn.init`; :mod:`nn.data` (toy datasets); :mod:`nn.losses`; :mod:`nn.optim`;
:mod:`nn.checkpoint` (model, optimizer and trainer in one file body); :mod:`nn.modules` (the
Module base); :mod:`nn.activations`; :mod:`nn.layers` (Neuron, MaxoutNeuron, Layer, MLP);
:mod:`nn.batching` (batches, validation split); :mod:`nn.metrics`; :mod:`nn.callbacks`
(history, early stopping, progress bar); :mod:`nn.trainer_state`; :mod:`nn.trainer`;
:mod:`nn.train` (the training names re-exported).
"""

from . import activations, data, init, losses, optim, state
from .errors import ConfigError, ShapeError, StateFileError
from .modules import Module
from .layers import MLP, Layer, MaxoutNeuron, Neuron
from .activations import PReLU, RReLU
from .batching import batches, train_val_split
from .callbacks import EarlyStopping, History, ProgressBar
from .metrics import accuracy, dead_fraction, predict, update_ratio
from .trainer import BatchResult, Trainer
from . import train

__all__ = [
    "Module", "Neuron", "MaxoutNeuron", "Layer", "MLP", "PReLU", "RReLU",
    "Trainer", "History", "EarlyStopping", "BatchResult", "ProgressBar", "batches",
    "train_val_split", "accuracy", "dead_fraction", "predict", "update_ratio",
    "activations", "init", "losses", "optim", "data", "state", "train",
    "ConfigError", "ShapeError", "StateFileError",
]
