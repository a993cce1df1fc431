"""Regenerate the README's pictures: ``python docs/make_pictures.py`` (needs Graphviz).

Writes, next to this file: the worked example e = (a+b)(b+1) (``worked_example.svg``), one
of its paths highlighted (``worked_example_path.svg``), its backward pass as frames with
fixed node positions (``worked_example_step{k}.png``, stacked into
``worked_example_steps.png`` when ImageMagick's ``convert`` is present), a tanh neuron, and
MLP(2, [4, 1]) under a squared-error loss (``network.svg``, parameters named and green;
``network_neurons.svg``, one box per neuron).
"""

import os
import shutil
import subprocess

from autograd import Value
from autograd.paths import paths
from autograd.render import render, render_steps
from nn import MLP, Neuron

HERE = os.path.dirname(os.path.abspath(__file__))


def worked_example():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b; c.label = "c"
    d = b + 1; d.label = "d"
    e = c * d; e.label = "e"
    e.backward()
    return b, e


def tanh_neuron():
    neuron = Neuron(2, "tanh", seed=3)
    out = neuron([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    out.label = "out"
    out.backward()
    return neuron, out


def network():
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    out = model([0.5, -1.0])[0]
    out.label = "out"
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    loss.backward()
    return model, loss


def here(name):
    return os.path.join(HERE, name)


if __name__ == "__main__":
    b, e = worked_example()
    print(render(e, here("worked_example.svg")))
    print(render(e, here("worked_example_path.svg"), highlight=paths(e, [b])[1]))
    frames = render_steps(e, here("worked_example_step{k}.png"), scale=1.5)
    print(*frames)
    if shutil.which("convert"):
        subprocess.run(["convert", *frames[:3], "-append", "+repage", here("worked_example_steps.png")],
                       check=True)
        for frame in frames:
            os.remove(frame)
        print(here("worked_example_steps.png"))
    neuron, out = tanh_neuron()
    print(render(out, here("tanh_neuron.svg"), params=neuron))
    model, loss = network()
    print(render(loss, here("network.svg"), params=model, max_nodes=None))
    print(render(loss, here("network_neurons.svg"), params=model, group="neuron"))
