"""The benchmark workloads, written once over "a Value class".

Every function takes the engine's ``Value`` class (``autograd.Value`` or
``micrograd.engine.Value``) and uses only what both engines offer: ``+ * **``, unary and
binary ``-``, ``relu()``, ``backward()``, ``.data`` and ``.grad``.  So both engines build
the same graph from the same numbers in the same order, and compute the same floats.

The MLP follows micrograd's demo notebook: a neuron is
``sum((w*x for w, x in zip(weights, inputs)), bias)`` followed by ``relu()`` (not on the last
layer); the loss is the SVM max-margin loss ``mean(relu(1 - y*score)) + 1e-4 * Σ p²``.

>>> from autograd import Value
>>> model = make_mlp(Value, seed=1)
>>> len(model.parameters)  # 2·16+16 + 16·16+16 + 16+1
337
>>> X, y = two_moons(10, seed=0)
>>> len(X), sorted(set(y))
(10, [-1.0, 1.0])
>>> chain(Value, 10).data > 0
True
"""

from __future__ import annotations

import math
import random
import time
from typing import Any, Callable, Iterator

__all__ = ["two_moons", "MLP", "make_mlp", "loss_graph", "training_step", "chain",
           "wide_sum_leaves", "dot", "fan_out", "graph_nodes"]

SIZES_MLP = (2, 16, 16, 1)
L2 = 1e-4


def two_moons(n: int, *, noise: float = 0.1, seed: int = 0) -> tuple[list, list]:
    """``n`` two-moons points (half per moon) with Gaussian noise, labels -1 / +1.

    The same construction as scikit-learn's ``make_moons``, seeded with :mod:`random`, so
    the benchmark needs no third-party package.
    """
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    X: list[tuple[float, float]] = []
    y: list[float] = []
    for i in range(n_outer):
        t = math.pi * i / max(n_outer - 1, 1)
        X.append((math.cos(t) + rng.gauss(0.0, noise), math.sin(t) + rng.gauss(0.0, noise)))
        y.append(-1.0)
    for i in range(n_inner):
        t = math.pi * i / max(n_inner - 1, 1)
        X.append((1.0 - math.cos(t) + rng.gauss(0.0, noise),
                  0.5 - math.sin(t) + rng.gauss(0.0, noise)))
        y.append(1.0)
    return X, y


class MLP:
    """Layers of ``(weight rows, biases)`` made of one engine's Values."""

    def __init__(self, layers: list, parameters: list) -> None:
        self.layers = layers
        self.parameters = parameters

    def __call__(self, x: list) -> Any:
        last = len(self.layers) - 1
        for index, (rows, biases) in enumerate(self.layers):
            outs = []
            for row, bias in zip(rows, biases):
                act = sum((w * xi for w, xi in zip(row, x)), bias)
                outs.append(act if index == last else act.relu())
            x = outs
        return x[0]


def make_mlp(V: type, *, seed: int = 1337, sizes: tuple = SIZES_MLP) -> MLP:
    """An MLP whose weights are ``uniform(-1, 1)`` from ``seed`` and whose biases are 0."""
    rng = random.Random(seed)
    layers = []
    parameters = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        rows = [[V(rng.uniform(-1.0, 1.0)) for _ in range(n_in)] for _ in range(n_out)]
        biases = [V(0.0) for _ in range(n_out)]
        layers.append((rows, biases))
        for row, bias in zip(rows, biases):
            parameters.extend(row)
            parameters.append(bias)
    return MLP(layers, parameters)


def loss_graph(V: type, model: MLP, X: list, y: list) -> Any:
    """The demo's loss on all points, as a fresh graph: max-margin loss + 1e-4 · Σ p²."""
    inputs = [[V(a), V(b)] for a, b in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = L2 * sum(p * p for p in model.parameters)
    return data_loss + reg_loss


def training_step(V: type, model: MLP, X: list, y: list, learning_rate: float,
                  clock: Callable[[], float] = time.perf_counter) -> tuple[float, float, float]:
    """One step as micrograd's demo does it: graph built fresh, forward, loss, zero grads,
    backward, SGD update.  Returns ``(loss, forward seconds, backward seconds)``.

    The graph is dropped when this function returns, so a clock around the call also pays
    for freeing it.
    """
    t0 = clock()
    total = loss_graph(V, model, X, y)
    t1 = clock()
    for p in model.parameters:
        p.grad = 0.0
    total.backward()
    t2 = clock()
    for p in model.parameters:
        p.data -= learning_rate * p.grad
    return float(total.data), t1 - t0, t2 - t1


def chain(V: type, steps: int) -> Any:
    """W2: ``y = y·1.0001 + 0.1`` repeated ``steps`` times from a leaf ``y = 1``."""
    y = V(1.0)
    for _ in range(steps):
        y = y * 1.0001 + 0.1
    return y


def wide_sum_leaves(V: type, terms: int, *, seed: int = 3) -> tuple[list, list]:
    """W3's leaves: ``terms`` pairs ``(aᵢ, bᵢ)`` of ``uniform(-1, 1)`` leaves (made untimed)."""
    rng = random.Random(seed)
    a = [V(rng.uniform(-1.0, 1.0)) for _ in range(terms)]
    b = [V(rng.uniform(-1.0, 1.0)) for _ in range(terms)]
    return a, b


def dot(a: list, b: list) -> Any:
    """W3: ``Σ aᵢ·bᵢ`` built with Python's ``sum``, as users write it."""
    return sum(ai * bi for ai, bi in zip(a, b))


def fan_out(x: Any, terms: int) -> Any:
    """W4: one leaf ``x`` used ``terms`` times: ``Σ x·cᵢ`` with constants ``cᵢ``."""
    return sum(x * (1.0 + i * 1e-6) for i in range(terms))


def graph_nodes(root: Any, parents_of: Callable[[Any], Any]) -> Iterator[Any]:
    """Every distinct node reachable from ``root`` (iterative; identity, not equality)."""
    seen: dict[int, Any] = {id(root): root}
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        for parent in parents_of(node):
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
