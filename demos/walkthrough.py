"""Backpropagation, one number at a time: e = (a + b)(b + 1) at a = 2, b = 1, then a ReLU neuron.

Run:  python demos/walkthrough.py [--fast] [--out DIR]

The seeds' worked example.  The forward pass computes c = a + b, d = b + 1, e = c·d.  The
backward pass starts with 1 at e and walks back: every node piles up what it receives, then
passes on (what it holds) × (its local derivative) to each parent.  b is used twice, so it
receives twice: ∂e/∂b = 1·2 (via c) + 1·3 (via d) = 5 — the sum over paths.  The same story
is then told for a neuron, relu(w₁x₁ + w₂x₂ + b).

Writes, to demos/out/walkthrough/ (or --out): the graphs as SVG and PNG (every edge labelled
with its local derivative, each path of ∂e/∂b highlighted, one picture per backward step),
and self-contained HTML pages that step through the backward pass in a browser.  (--fast
changes nothing: the demo is fast.)
"""

from __future__ import annotations

import sys

from _common import Demo

from autograd import GraphvizNotFoundError, Value, forward_gradient
from autograd.check import gradcheck
from autograd.explain import explain
from autograd.paths import format_paths, paths
from autograd.render import to_dot
from autograd.stepper import to_html


def build() -> tuple[Value, Value, Value, Value, Value]:
    """The seeds' example, every node labelled."""
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    c = a + b
    c.label = "c"
    d = b + 1
    d.label = "d"
    e = c * d
    e.label = "e"
    return a, b, c, d, e


def build_neuron() -> tuple[list[Value], Value]:
    """A ReLU neuron with two inputs: o = relu(x₁w₁ + x₂w₂ + b) = max(n, 0)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(7.0, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1w1"
    x2w2 = x2 * w2
    x2w2.label = "x2w2"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + b
    n.label = "n"
    o = n.relu()
    o.label = "o"
    return [x1, x2, w1, w2, b], o


def indented(text: str, by: str = "  ") -> None:
    print("\n".join(by + line for line in text.splitlines()), flush=True)


def draw(demo: Demo, root: Value, stem: str, **options) -> bool:
    """The graph as SVG and PNG; False (with the reason printed) when Graphviz is missing."""
    try:
        drawing = to_dot(root, **options)
        demo.write_bytes(f"{stem}.svg", drawing.pipe("svg"))
        demo.write_bytes(f"{stem}.png", drawing.pipe("png"))
    except GraphvizNotFoundError as exc:
        demo.say(f"(No picture: {exc})")
        return False
    return True


def the_example(demo: Demo) -> None:
    a, b, c, d, e = build()
    demo.section("Forward pass: every node computes its value from its parents")
    for node, how in ((a, "input"), (b, "input"), (c, "a + b"), (d, "b + 1"), (e, "c · d")):
        print(f"  {node.label} = {how:6s} = {node.data:g}")

    demo.section("Backward pass: pile up what arrives, pass on upstream × local derivative")
    demo.say("""Local derivatives: ∂e/∂c = d = 2, ∂e/∂d = c = 3, ∂c/∂a = ∂c/∂b = 1,
             ∂d/∂b = 1.  The walk visits each node once, in reverse topological order, after
             everything that uses it:""")
    for step in e.backward_steps():
        print(f"  {step}")
    demo.say(f"Result: ∂e/∂a = {a.grad:g}, ∂e/∂b = {b.grad:g}.  The graph after the pass:")
    indented(explain(e))

    demo.section("The same gradients as sums over paths")
    demo.say("""Multiply the local derivatives along each path from an input to e; add the
             paths.  b has two paths, so its gradient has two terms:""")
    indented(format_paths(e))
    demo.say("""Backpropagation computes exactly these sums without listing the paths: the
             shared tail (c → e) is multiplied once and handed on, not once per path.""")

    demo.section("Checked two independent ways")
    fwd = forward_gradient(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])
    report = gradcheck(lambda a, b: (a + b) * (b + 1), [2.0, 1.0])
    demo.say(f"  forward mode (dual numbers):     ∂e/∂a, ∂e/∂b = {fwd[0]:g}, {fwd[1]:g}")
    demo.say("  central differences (gradcheck): "
             + ", ".join(f"{row.numeric:.9f}" for row in report.rows)
             + f"  → {'agree' if report.ok else 'DISAGREE'}")

    demo.section("Pictures")
    if draw(demo, e, "example_graph"):
        for k, path in enumerate(paths(e, [b]), start=1):
            drawing = to_dot(e, highlight=path)
            demo.write_bytes(f"example_path_{k}.svg", drawing.pipe("svg"))
            demo.write_bytes(f"example_path_{k}.png", drawing.pipe("png"))
        demo.say("""example_graph.svg/.png: the graph, with data and grad in every box and the
                 local derivative on every edge; example_path_1 and example_path_2 (.svg/.png):
                 the two paths from b to e, highlighted — their products are the 2 and the 3
                 of ∂e/∂b = 2 + 3.""")
        fresh = build()[-1]
        count = 0
        for count, step in enumerate(fresh.backward_steps(), start=1):
            # drawn mid-walk: every box shows the running total at this step
            demo.write_bytes(f"example_step_{count}.svg",
                             to_dot(fresh, highlight=step).pipe("svg"))
        demo.say(f"""example_step_1.svg … example_step_{count}.svg: the graph at each step
                 of the backward pass, the node that sends and what it sends in red.""")
    demo.write_text("example_stepper.html", to_html(e))
    demo.say("""example_stepper.html: open it in a browser and press → (or Play) to step
             through the backward pass; the table beside the graph keeps every running total.
             It is one file, with no network access.""")


def the_neuron(demo: Demo) -> None:
    demo.section("The same for a neuron: o = relu(x1·w1 + x2·w2 + b) = max(n, 0)")
    leaves, o = build_neuron()
    x1, x2, w1, w2, b = leaves
    n = o.parents[0]
    demo.say(f"""Inputs x1 = 2, x2 = 0, weights w1 = −3, w2 = 1, bias b = 7.  Forward:
             n = x1·w1 + x2·w2 + b = {n.data:g}, o = max(n, 0) = {o.data:g}.  Backward, step
             by step.  The max gate routes the whole gradient to its larger input (here n,
             since n > 0) and nothing to the other; the sums pass it on unchanged; each
             product sends the gradient times the *other* factor:""")
    for step in o.backward_steps():
        print(f"  {step}")
    demo.say("Every input has exactly one path to o, so each gradient is one product:")
    indented(format_paths(o, leaves))
    demo.say(f"""x2 = 0, so w2 gets no gradient (∂o/∂w2 = x2 = {w2.grad:g}): a weight whose
             input is zero learns nothing from this example.  ∂o/∂x1 = w1 = {x1.grad:g}: a
             weight scales the gradient flowing back to its input.  Had n been negative, the
             max would have routed everything to the constant 0 and every gradient here
             would be 0 — a "dead" ReLU for this input.""")
    if draw(demo, o, "neuron_graph"):
        demo.say("neuron_graph.svg/.png: the neuron's graph.")
    demo.write_text("neuron_stepper.html", to_html(o))
    demo.say("neuron_stepper.html: the neuron's backward pass, in the browser.")


def main(argv: list[str] | None = None) -> int:
    demo = Demo("walkthrough", __doc__, argv)
    the_example(demo)
    the_neuron(demo)
    return demo.finish()


if __name__ == "__main__":
    sys.exit(main())
