"""The layering of nn: no import cycles, every import pointing to a lower layer (imports
inside functions included), and the public names where they were."""

import ast
import importlib
import os

import pytest

import nn
from import_graph import Edge, find_cycles, import_graph, layer_violations

NN_DIR = os.path.dirname(os.path.abspath(nn.__file__))

#: The intended layers, lowest first: a module may import only modules listed before it.
LAYERS = [
    "nn.errors",         # the exceptions (autograd's, re-exported)
    "nn.registry",       # names -> functions; the class tables nn.layers fills
    "nn.state",          # the JSON state file: bytes <-> checked dict
    "nn.init",           # weight initializers, seeded generators
    "nn.data",           # toy datasets
    "nn.losses",
    "nn.optim",          # optimizers, schedules, clipping
    "nn.checkpoint",     # model + optimizer + trainer <-> one state-file body
    "nn.modules",        # the Module base
    "nn.activations",    # elementwise activations; PReLU and RReLU are Modules
    "nn.layers",         # Neuron, MaxoutNeuron, Layer, MLP
    "nn.batching",       # mini-batches, train/validation split
    "nn.metrics",
    "nn.callbacks",      # History, EarlyStopping, ProgressBar
    "nn.trainer_state",  # the trainer's part of a state file
    "nn.trainer",        # the Trainer
    "nn.train",          # re-exports only
    "nn",                # the package: re-exports only
]

TRAIN_NAMES = ["Trainer", "History", "EarlyStopping", "BatchResult", "ProgressBar", "batches",
               "train_val_split", "accuracy", "dead_fraction", "update_ratio", "predict"]


@pytest.fixture(scope="module")
def graph():
    return import_graph(NN_DIR)


def test_nn_has_no_import_cycle_counting_imports_inside_functions(graph):
    assert find_cycles(graph) == []


def test_every_nn_module_has_a_layer(graph):
    assert sorted(graph) == sorted(LAYERS)


def test_every_import_points_to_an_earlier_layer(graph):
    assert [str(e) for e in layer_violations(graph, LAYERS)] == []


def test_an_import_upwards_would_be_caught():
    upwards = {"nn.modules": [Edge("nn.modules", "nn.layers", 7, True)], "nn.layers": []}
    assert [str(e) for e in layer_violations(upwards, LAYERS)] == [
        "nn.modules:7 imports nn.layers (inside a function)"]


def test_activations_do_not_import_layers(graph):
    assert "nn.layers" not in [e.target for e in graph["nn.activations"]]


@pytest.mark.parametrize("name", ["train.py", "__init__.py"])
def test_the_re_export_modules_hold_only_imports(name):
    with open(os.path.join(NN_DIR, name), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    kinds = [type(node).__name__ for node in tree.body]
    assert [k for k in kinds if k not in ("Expr", "Import", "ImportFrom", "Assign")] == []


@pytest.mark.parametrize("module, names", [("nn", nn.__all__), ("nn.train", TRAIN_NAMES)])
def test_the_public_names_are_where_they_were(module, names):
    mod = importlib.import_module(module)
    assert [n for n in names if not hasattr(mod, n)] == []
    assert sorted(getattr(mod, "__all__")) == sorted(names)


def test_the_registries_are_filled_by_the_layers():
    from nn import activations, registry
    assert registry.MODEL_CLASSES["MLP"] is nn.MLP
    assert registry.NEURON_TYPES["maxout"] is nn.MaxoutNeuron
    assert activations.name_of(nn.MaxoutNeuron) == "maxout"
