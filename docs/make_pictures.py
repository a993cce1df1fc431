"""Regenerate the README's pictures: ``python docs/make_pictures.py`` (needs Graphviz)."""

import os

from autograd import Value
from autograd.paths import paths
from autograd.render import render

HERE = os.path.dirname(os.path.abspath(__file__))


def worked_example():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b; c.label = "c"
    d = b + 1; d.label = "d"
    e = c * d; e.label = "e"
    e.backward()
    return b, e


if __name__ == "__main__":
    b, e = worked_example()
    print(render(e, os.path.join(HERE, "worked_example.svg")))
    print(render(e, os.path.join(HERE, "worked_example_path.svg"), highlight=paths(e, [b])[1]))
