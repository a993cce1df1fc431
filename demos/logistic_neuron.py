"""The logistic neuron f(x; w, b) = 1 / (exp(−(w·x + b)) + 1), three ways to its gradient.

Run:  python demos/logistic_neuron.py [--fast] [--out DIR]

The seeds' neuron, written with the primitives exactly as the formula reads: a product, two
sums, a negation, an exponential and a division.  The demo draws its computation graph
(every edge labelled with its local derivative), computes ∂f/∂w, ∂f/∂b and ∂f/∂x by reverse
mode (backpropagation), by forward mode (dual numbers, an independent engine with its own
rules) and by central differences, and sets them side by side — at one point, and along a
whole range of inputs x.  Then the same neuron with the fused ``sigmoid`` node.
"""

from __future__ import annotations

import sys

from _common import Demo

from autograd import GraphvizNotFoundError, Value, exp, forward_gradient, sigmoid
from autograd.check import numerical_gradient, reverse_gradient
from autograd.explain import explain
from autograd.paths import format_paths
from autograd.render import to_dot

X, W, B = 1.5, 2.0, -1.0


def neuron(x, w, b):
    """f(x; w, b) = 1 / (exp(−(w·x + b)) + 1), as the seeds write it; floats, Values or Duals."""
    return 1 / (exp(-(w * x + b)) + 1)


def neuron_fused(x, w, b):
    """The same function with the engine's fused, numerically stable sigmoid node."""
    return sigmoid(w * x + b)


def labelled() -> tuple[Value, Value, Value, Value]:
    x, w, b = Value(X, label="x"), Value(W, label="w"), Value(B, label="b")
    wx = w * x
    wx.label = "w·x"
    z = wx + b
    z.label = "z"
    f = neuron_tail(z)
    return x, w, b, f


def neuron_tail(z: Value) -> Value:
    neg = -z
    neg.label = "−z"
    e = exp(neg)
    e.label = "exp(−z)"
    d = e + 1
    d.label = "exp(−z)+1"
    f = 1 / d
    f.label = "f"
    return f


def at_a_point(demo: Demo) -> None:
    demo.section(f"One point: x = {X}, w = {W}, b = {B}")
    x, w, b, f = labelled()
    f.backward()
    z = W * X + B
    demo.say(f"""Forward: z = w·x + b = {z:g}, f = 1/(e^(−z) + 1) = {f.data:.6f}.  The
             backward pass walks the graph from f to the inputs, multiplying local
             derivatives; the explain table shows every node's value and gradient:""")
    print("\n".join("  " + line for line in explain(f).splitlines()))
    demo.say("""Each gradient is a product along the one path from the input to f (the
             neuron has no shared subexpressions, so one path each):""")
    print("\n".join("  " + line for line in format_paths(f, [w, b, x]).splitlines()))
    sigma = f.data
    demo.say(f"""Calculus says ∂f/∂z = f(1 − f) = {sigma * (1 - sigma):.6f}, so
             ∂f/∂w = f(1 − f)·x, ∂f/∂b = f(1 − f), ∂f/∂x = f(1 − f)·w.""")

    args = [X, W, B]
    reverse = reverse_gradient(neuron, args)
    forward = forward_gradient(neuron, args)
    central = numerical_gradient(neuron, args)
    rows = []
    for name, r, fw, c in zip(("∂f/∂x", "∂f/∂w", "∂f/∂b"), reverse, forward, central):
        rows.append([name, repr(r), repr(fw), repr(c), f"{abs(r - c):.1e}"])
    demo.table(["", "reverse mode", "forward mode", "central differences", "|rev − central|"],
               rows)
    agree = all(r == fw or abs(r - fw) <= 4 * sys.float_info.epsilon * abs(r)
                for r, fw in zip(reverse, forward))
    worst = max(abs(r - c) for r, c in zip(reverse, central))
    demo.say(f"""Reverse and forward mode are two separately written engines; they agree
             {'to the last bit or two' if agree else 'only approximately (!)'}.  Central
             differences are off by up to {worst:.0e}: their truncation and rounding error
             (see demos/gradient_checking.py).""")

    try:
        drawing = to_dot(f, rankdir="LR")
        demo.write_bytes("neuron_graph.svg", drawing.pipe("svg"))
        demo.write_bytes("neuron_graph.png", drawing.pipe("png"))
        drawn = True
    except GraphvizNotFoundError as exc:
        demo.say(f"(No graph picture: {exc})")
        drawn = False

    demo.section("The same neuron with the fused sigmoid node")
    xf, wf, bf = Value(X, label="x"), Value(W, label="w"), Value(B, label="b")
    wxf = wf * xf
    wxf.label = "w·x"
    zf = wxf + bf
    zf.label = "z"
    ff = zf.sigmoid()
    ff.label = "f"
    ff.backward()
    far = Value(-800.0, label="z")
    composite_far = neuron_tail(far)
    composite_far.backward()
    far_fused = Value(-800.0, label="z")
    sigmoid(far_fused).backward()
    demo.say(f"""sigmoid(w·x + b) is one node instead of four, with the rule σ' = σ(1 − σ)
             read off the primitive table.  Same gradients up to rounding: ∂f/∂w =
             {wf.grad!r} (composite: {w.grad!r}).  It is also stable where the composite
             is not: at z = −800, e^(−z) overflows to inf and the composite's ∂f/∂z is
             {far.grad!r} (inf · 0), while the fused node gives {far_fused.grad!r}.""")
    if drawn:
        demo.write_bytes("neuron_fused_graph.svg", to_dot(ff, rankdir="LR").pipe("svg"))
        demo.say("""neuron_graph.svg/.png: the composite neuron's graph, every edge labelled
                 with its local derivative; neuron_fused_graph.svg: the fused one.""")


def along_x(demo: Demo) -> None:
    demo.section("Along a range of inputs")
    n = 41 if demo.fast else 241
    xs = [-4 + 8 * i / (n - 1) for i in range(n)]
    reverse = [reverse_gradient(neuron, [x, W, B]) for x in xs]
    forward = [forward_gradient(neuron, [x, W, B]) for x in xs]
    central = [numerical_gradient(neuron, [x, W, B]) for x in xs]
    values = [neuron(x, W, B) for x in xs]
    worst_fw = max(abs(r[k] - f[k]) for r, f in zip(reverse, forward) for k in range(3))
    worst_c = max(abs(r[k] - c[k]) for r, c in zip(reverse, central) for k in range(3))
    demo.say(f"""At {n} inputs x from −4 to 4 (w = {W}, b = {B}): the largest difference
             between reverse and forward mode is {worst_fw:.1e}, between reverse mode and
             central differences {worst_c:.1e}.""")

    fig, axes = demo.subplots(1, 3, figsize=(14, 4.3))
    ax = axes[0]
    ax.plot(xs, values, color="black", lw=2, label=f"f(x; w={W:g}, b={B:g})")
    for w, b, style in ((1.0, 0.0, "--"), (5.0, -2.5, ":")):
        ax.plot(xs, [neuron(x, w, b) for x in xs], style, color="0.4", lw=1.3,
                label=f"f(x; w={w:g}, b={b:g})")
    ax.plot([X], [neuron(X, W, B)], "o", color="tab:red", ms=7, label=f"the point x = {X}")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x; w, b)")
    ax.set_title("The logistic neuron")
    ax.legend(loc="upper left", fontsize=8)

    ax = axes[1]
    step = max(1, n // 30)
    names = ["∂f/∂x", "∂f/∂w", "∂f/∂b"]
    colors = ["tab:purple", "tab:blue", "tab:green"]
    for k in range(3):
        ax.plot(xs, [g[k] for g in reverse], color=colors[k], lw=2, label=f"{names[k]} reverse")
        ax.plot(xs[::step], [g[k] for g in forward][::step], "o", mfc="none", color=colors[k],
                ms=6, label=f"{names[k]} forward")
        ax.plot(xs[::step], [g[k] for g in central][::step], "x", color="black", ms=4,
                label="central differences" if k == 0 else None)
    ax.set_xlabel("x")
    ax.set_ylabel("partial derivative")
    ax.set_title("Gradient: reverse (lines), forward (○), central (×)")
    ax.set_ylim(-0.1, 0.62)
    ax.legend(loc="upper left", fontsize=7, framealpha=0.95)

    ax = axes[2]
    tiny = 1e-18
    for k in range(3):
        ax.semilogy(xs, [max(abs(r[k] - f[k]), tiny) for r, f in zip(reverse, forward)],
                    ".", color=colors[k], ms=4,
                    label=f"{names[k]}: |reverse − forward|")
        ax.semilogy(xs, [max(abs(r[k] - c[k]), tiny) for r, c in zip(reverse, central)],
                    "-", color=colors[k], lw=1, alpha=0.8,
                    label=f"{names[k]}: |reverse − central|")
    ax.axhline(2.2e-16, color="0.5", ls=":", lw=1)
    ax.annotate("ε = 2.2e-16", (-3.9, 3.5e-16), fontsize=8, color="0.35")
    ax.set_ylim(tiny / 3, 1e-6)
    ax.set_xlabel("x")
    ax.set_ylabel("absolute difference (0 drawn at 1e-18)")
    ax.set_title("How far apart the three are")
    ax.legend(loc="upper left", fontsize=7, ncol=2)
    demo.save(fig, "three_ways.png")


def main(argv: list[str] | None = None) -> int:
    demo = Demo("logistic_neuron", __doc__, argv)
    at_a_point(demo)
    along_x(demo)
    return demo.finish()


if __name__ == "__main__":
    sys.exit(main())
