"""Backpropagation, one number at a time: e = (a + b)(b + 1) at a = 2, b = 1.

Run:  python demos/walkthrough.py [--out DIR]

Prints the forward values, every step of the backward pass (who sends what to whom), and
the gradients, and checks them against forward mode and central differences.
"""

from __future__ import annotations

import argparse
import sys

from autograd import Value, forward_gradient


def build():
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b
    c.label = "c"
    d = b + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    return a, b, c, d, e


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    a, b, c, d, e = build()
    print("Forward pass: every node computes its value from its parents.")
    for node in (a, b, c, d, e):
        print(f"  {node.label} = {node.data}")
    print("\nBackward pass: each node piles up what it receives, then passes on")
    print("upstream × local derivative to each parent.")
    for step in e.backward_steps():
        print("  " + str(step))
    print(f"\n∂e/∂a = {a.grad}   ∂e/∂b = {b.grad}  (b is used twice: 1·2 via c + 1·3 via d)")
    fwd = forward_gradient(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])
    print(f"Forward mode agrees: {fwd}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
