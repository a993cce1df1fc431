"""The layering of autograd: no import cycles (imports inside functions included), every
import pointing to a lower layer, no load-bearing import order, views on Value's public
surface."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

import autograd
from import_graph import find_cycles, import_graph, layer_violations

AUTOGRAD_DIR = os.path.dirname(os.path.abspath(autograd.__file__))

#: The intended layers, lowest first: a module may import only modules listed before it.
#: Modules on one line are one layer (they do not import each other).
LAYERS = [
    "autograd.errors", "autograd.numbers", "autograd.display", "autograd.files",
    "autograd.ops",           # one record per op, the registry
    "autograd.modes",         # no_grad, anomaly, recording_sites, tracing
    "autograd.value",         # Value; methods from the records
    "autograd.functional", "autograd.graph",           # derived ops; order, walk, grad
    "autograd.forward", "autograd.explain", "autograd.paths", "autograd.steps",
    "autograd.differences",   # finite differences (below every checker)
    "autograd.render.escape", "autograd.render.graphviz", "autograd.render.plan",
    "autograd.render.dot", "autograd.render.tikz", "autograd.render.frames",
    "autograd.render", "autograd.tikz", "autograd.stepper",
    "autograd.replay.program", "autograd.replay.args", "autograd.replay.rules",
    "autograd.replay.tracing", "autograd.replay.fuse", "autograd.replay.compile",
    "autograd.replay.run", "autograd.replay.step", "autograd.replay.loss", "autograd.replay",
    "autograd.blame", "autograd.taylor", "autograd.check", "autograd.testing",
    "autograd.pytest_plugin", "autograd.cli", "autograd.__main__", "autograd",
]


@pytest.fixture(scope="module")
def graph():
    return import_graph(AUTOGRAD_DIR)


def test_no_import_cycles(graph):
    assert find_cycles(graph) == []


def test_every_module_has_a_layer(graph):
    assert sorted(graph) == sorted(LAYERS)


def test_every_import_points_to_a_lower_layer(graph):
    assert [str(e) for e in layer_violations(graph, LAYERS)] == []


@pytest.mark.parametrize("module", [m for m in LAYERS if m != "autograd"])
def test_each_module_imports_on_its_own(module):
    """No load-bearing import order: a fresh interpreter imports any module first."""
    code = f"import importlib; importlib.import_module({module!r}); import autograd; " \
           "autograd.Value(2.0).exp().backward()"
    env = dict(os.environ, PYTHONPATH=os.path.dirname(AUTOGRAD_DIR))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


PRIVATE = ("_op", "_a", "_b", "_meta", "_mark", "_parents")
#: Modules that own Value's slots: the node class, and the walks and op application that
#: must read them at the speed of the hot path.
OWNERS = ("value.py", "graph.py", "functional.py")


def test_views_use_values_public_surface():
    """Pictures, pages, steps, paths, replay, blame and the checkers read ``.op``,
    ``.parents``, ``.label``, ``.group`` ... never a Value's private slots."""
    found = []
    for root, _, files in os.walk(AUTOGRAD_DIR):
        for name in sorted(files):
            if not name.endswith(".py") or (root == AUTOGRAD_DIR and name in OWNERS):
                continue
            path = os.path.join(root, name)
            for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
                if isinstance(node, ast.Attribute) and node.attr in PRIVATE:
                    found.append(f"{os.path.relpath(path, AUTOGRAD_DIR)}:{node.lineno} .{node.attr}")
    assert found == []
