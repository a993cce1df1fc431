"""Gradient checking: how good finite differences are, and what they catch.

Run:  python demos/gradient_checking.py [--fast] [--out DIR]

Part 1 measures the error of the forward difference (f(x+h) − f(x))/h and of the central
difference (f(x+h) − f(x−h))/2h against the exact derivative (reverse mode), for step sizes h
from 1e-15 to 1e-1, and draws it on a log–log plot: on the right the truncation error of the
formula (∝ h and ∝ h²), on the left the rounding error of subtracting two nearly equal
floats (∝ ε/h).  Part 2 adds a new primitive, softsign, with a derivative rule that forgets
a square, and lets ``autograd.check.gradcheck`` catch it.  Part 3 plants that wrong rule in
one neuron of an MLP's loss and lets ``autograd.blame`` name the node (op, inputs, expected
against got) and draw it highlighted (``blame.png``).  Part 4 gives the step-free verdict of
``autograd.taylor.taylor_check``: the first-order remainder shrinks like h² (slope 2) for a
right gradient and like h (slope 1) for the wrong one.
"""

from __future__ import annotations

import math
import random
import sys

from _common import Demo

import nn
from autograd import GradcheckError, Value, derivative, forward_derivative, ops, primitive
from autograd import recording_sites
from autograd.blame import blame_graph
from autograd.check import default_step, gradcheck, numerical_derivative
from autograd.taylor import taylor_check

EPS = 2.0 ** -52
X0 = 0.7


def f(x):
    """The function studied in part 1: f(x) = tanh(x)·eˣ (its derivatives of every order are
    nonzero near x = 0.7, so both error terms show)."""
    return x.tanh() * x.exp()


def f_float(x: float) -> float:
    return math.tanh(x) * math.exp(x)


# --- part 2: a primitive with a wrong derivative rule ----------------------------------------

def _softsign(x: float) -> float:
    return x / (1.0 + math.fabs(x))


#: softsign(x) = x / (1 + |x|); its derivative is 1 / (1 + |x|)².  One declaration with the
#: public API: it runs on floats, Values and Duals, and every tool of pathgrad knows it.
SOFTSIGN = primitive("softsign", _softsign,
                     lambda x, out: (ops.div(1.0, (1.0 + abs(x)) * (1.0 + abs(x))),),
                     reason="demo: a new primitive with the right rule")

#: The same primitive with a classic slip: the square of the denominator forgotten.
SOFTSIGN_WRONG = primitive("softsign_wrong", _softsign,
                           lambda x, out: (ops.div(1.0, 1.0 + abs(x)),),
                           reason="demo: a deliberately wrong rule, 1/(1+|x|) instead of "
                                  "1/(1+|x|)²")


def softsign(x):
    return SOFTSIGN(x)


def softsign_wrong(x):
    return SOFTSIGN_WRONG(x)


def neuron_with(act):
    """A small function using the op the way a network would: act(w·x + b) · x."""
    def g(w, x, b):
        return act(w * x + b) * x
    g.__name__ = f"neuron using {act.__name__}"
    return g


def logspace(lo: float, hi: float, n: int) -> list[float]:
    return [10.0 ** (lo + (hi - lo) * i / (n - 1)) for i in range(n)]


def step_size_study(demo: Demo) -> None:
    demo.section("Part 1 — the error of finite differences against the step h")
    exact = derivative(f)(X0)
    d2 = derivative(derivative(f))(X0)
    d3 = derivative(derivative(derivative(f)))(X0)
    demo.say(f"""f(x) = tanh(x)·eˣ at x = {X0}.  Exact f'(x) by reverse mode:
             {exact!r}; forward mode (dual numbers) gives {forward_derivative(f, X0)!r}.
             f'' = {d2:.6g} and f''' = {d3:.6g} (reverse mode applied to itself) predict
             the truncation errors h·|f''|/2 (forward) and h²·|f'''|/6 (central); rounding
             adds about ε·|f|/h, ε = 2.2e-16.""")
    h_fwd, h_cen = default_step(X0, "forward"), default_step(X0, "central")
    hs = sorted(logspace(-15, -1, 29 if demo.fast else 141) + [h_fwd, h_cen])
    fwd_err = [abs(numerical_derivative(f_float, X0, h, "forward") - exact) for h in hs]
    cen_err = [abs(numerical_derivative(f_float, X0, h, "central") - exact) for h in hs]
    fx = abs(f_float(X0))
    fwd_model = [h * abs(d2) / 2 + EPS * fx / h for h in hs]
    cen_model = [h * h * abs(d3) / 6 + EPS * fx / h for h in hs]
    best_f = min(range(len(hs)), key=lambda i: fwd_err[i])
    best_c = min(range(len(hs)), key=lambda i: cen_err[i])
    rows = []
    for h in (1e-1, 1e-3, 1e-5, h_cen, 1e-7, h_fwd, 1e-10, 1e-13):
        rows.append([f"{h:.1e}",
                     f"{abs(numerical_derivative(f_float, X0, h, 'forward') - exact):.2e}",
                     f"{abs(numerical_derivative(f_float, X0, h, 'central') - exact):.2e}"])
    demo.table(["h", "forward error", "central error"], rows)
    demo.say(f"""The best step measured: forward h ≈ {hs[best_f]:.1e} (error
             {fwd_err[best_f]:.1e}), central h ≈ {hs[best_c]:.1e} (error {cen_err[best_c]:.1e}).
             Theory puts them at √ε ≈ {h_fwd:.1e} and ε^(1/3) ≈ {h_cen:.1e}: the defaults of
             autograd.check.  At their best steps the central difference is
             about 1e{round(math.log10(fwd_err[best_f] / cen_err[best_c]))} times more
             accurate than the forward one (the exact factor is luck of rounding),
             and it stays good over a wider range of h: that is why gradcheck uses it.""")

    fig, ax = demo.subplots(figsize=(7.5, 5))
    floor = 1e-15
    ax.loglog(hs, [max(e, floor) for e in fwd_err], "o", ms=3.5, color="tab:blue",
              label="forward difference (f(x+h) − f(x)) / h")
    ax.loglog(hs, [max(e, floor) for e in cen_err], "s", ms=3.5, color="tab:orange",
              label="central difference (f(x+h) − f(x−h)) / 2h")
    ax.loglog(hs, fwd_model, "-", color="tab:blue", lw=1.2, alpha=0.7,
              label="model: h·|f''|/2 + ε|f|/h")
    ax.loglog(hs, cen_model, "-", color="tab:orange", lw=1.2, alpha=0.7,
              label="model: h²·|f'''|/6 + ε|f|/h")
    for h, color, name in ((h_fwd, "tab:blue", r"$\sqrt{\epsilon}$"),
                           (h_cen, "tab:orange", r"$\epsilon^{1/3}$")):
        ax.axvline(h, color=color, ls=":", lw=1)
        ax.annotate(f"h = {name}", (h, 3e-1), color=color, ha="center", fontsize=9,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.9))
    ax.annotate("rounding error\n∝ ε/h dominates", (1e-12, 1e-10), ha="center", fontsize=9,
                color="0.25")
    ax.annotate("truncation error\ndominates", (3e-3, 1e-12), ha="center", fontsize=9,
                color="0.25")
    ax.set_xlabel("step size h")
    ax.set_ylabel("|numerical − exact derivative|")
    ax.set_title(f"Finite-difference error of f(x) = tanh(x)·eˣ at x = {X0}")
    ax.set_ylim(floor, 10)
    ax.legend(loc="lower left", framealpha=0.95)
    demo.save(fig, "step_size.png")


def wrong_rule_study(demo: Demo) -> None:
    demo.section("Part 2 — gradcheck catches a wrong derivative rule")
    demo.say("""A new primitive, softsign(x) = x / (1 + |x|), is added to the engine twice:
             once with its derivative rule 1/(1+|x|)², once with the square forgotten,
             1/(1+|x|).  Both compute the same values; only the backward pass differs.  We
             check a neuron-like function act(w·x + b)·x at a few random points with
             autograd.check.gradcheck (central differences, torch's tolerances).""")
    rng = random.Random(5)
    points = [[rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-1, 1)]
              for _ in range(2 if demo.fast else 5)]
    good, bad = neuron_with(softsign), neuron_with(softsign_wrong)
    for p in points:
        report = gradcheck(good, p)
        assert report.ok, report
    demo.say(f"  right rule: gradcheck passes at all {len(points)} points.")
    caught = 0
    first_report = None
    for p in points:
        report = gradcheck(bad, p, raise_on_failure=False)
        if not report.ok:
            caught += 1
            first_report = first_report or report
    demo.say(f"  wrong rule: gradcheck fails at {caught} of {len(points)} points. "
             "The first report:")
    print("\n".join("    " + line for line in str(first_report).splitlines()))
    demo.say("""All three inputs (0 = w, 1 = x, 2 = b) flow through softsign, so all three
             get a wrong gradient; the report names each mismatching input with both
             numbers.""")
    try:
        gradcheck(bad, [0.0, 0.0, 0.0])
        lucky = "passes"
    except GradcheckError:
        lucky = "fails"
    demo.say(f"""A warning the picture makes plain: at w = x = b = 0 the wrong rule and the
             right one agree (1/(1+0) = 1/(1+0)²), and gradcheck {lucky} there.  Check at
             random points, never only at special ones like 0.""")

    xs = [-4 + 8 * i / (80 if demo.fast else 400) for i in range((80 if demo.fast else 400) + 1)]
    right, wrong, central = [], [], []
    for xv in xs:
        for fn, store in ((softsign, right), (softsign_wrong, wrong)):
            v = Value(xv)
            fn(v).backward()
            store.append(v.grad)
    sample = xs[::(8 if demo.fast else 25)]
    central = [numerical_derivative(lambda t: _softsign(t), xv) for xv in sample]
    fig, axes = demo.subplots(1, 2, figsize=(10, 4.2))
    ax = axes[0]
    ax.plot(xs, [_softsign(t) for t in xs], color="0.2")
    ax.set_title("softsign(x) = x / (1 + |x|)")
    ax.set_xlabel("x")
    ax.set_ylabel("softsign(x)")
    ax = axes[1]
    ax.plot(xs, right, color="tab:green", lw=2, label="right rule 1/(1+|x|)²")
    ax.plot(xs, wrong, color="tab:red", lw=2, ls="--", label="wrong rule 1/(1+|x|)")
    ax.plot(sample, central, "o", color="black", ms=4, label="central differences")
    ax.annotate("the rules agree at x = 0:\na check there passes", (0, 1),
                xytext=(0.9, 0.95), fontsize=9, arrowprops=dict(arrowstyle="->", lw=0.8))
    ax.set_title("its derivative by reverse mode, two rules")
    ax.set_xlabel("x")
    ax.set_ylabel("d softsign / dx")
    ax.set_ylim(0, 1.15)
    ax.legend(loc="upper left", framealpha=0.95)
    demo.save(fig, "wrong_rule.png")


def mlp_loss(model, points):
    """Squared error of ``model`` on ``points`` (a list of (x, y))."""
    loss = Value(0.0)
    for x, y in points:
        loss = loss + (model(x)[0] - y) ** 2
    return loss


def blame_study(demo: Demo) -> None:
    demo.section("Part 3 — blame: which node's rule is wrong")
    demo.say("""gradcheck says that some inputs get a wrong gradient; in a network every
             parameter upstream of the bad node does, and the table of inputs does not say
             why.  autograd.blame.blame_graph checks each node's own local derivative
             against central differences of that node's forward function at its own inputs
             (and against forward mode, where the op has a tangent rule of its own), and
             names the first node that disagrees.  We build an MLP(2, [16, 16, 1]) with
             tanh neurons, give one neuron of the second layer the wrong softsign, and
             check the graph of its squared-error loss on a few points.""")
    rng = random.Random(3)
    points = [([rng.uniform(-1, 1), rng.uniform(-1, 1)], rng.choice((-1.0, 1.0)))
              for _ in range(2 if demo.fast else 8)]
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    right = blame_graph(mlp_loss(model, points))
    demo.say(f"  all rules right: {right}")
    model.layers[1].neurons[5].act = softsign_wrong
    with recording_sites():  # every node remembers the file:line that made it
        loss = mlp_loss(model, points)
    report = blame_graph(loss)
    demo.say("  one neuron with the wrong softsign:")
    print("\n".join("    " + line for line in str(report).splitlines()))
    demo.say(f"""The report names the softsign node of the first data point (the neuron runs
             once per point, so {len(report.wrong)} nodes use the wrong rule), its input,
             and both numbers: *expected* is the reference (central differences of
             softsign's forward at that input), *got* is what the engine's rule gave.  A
             primitive of our own has no separate forward-mode tangent, so central
             differences are the only witness here; for built-in ops blame uses both.""")
    drawing = report.picture()
    demo.write_bytes("blame.png", drawing.pipe("png"))
    demo.say("""blame.png draws the culprit (red) and the values it was computed from; the
             edge into it carries the wrong local derivative.""")


def taylor_study(demo: Demo) -> None:
    demo.section("Part 4 — a verdict with no step size: the Taylor remainder")
    demo.say("""|f(x + hv) − f(x) − h·∇f·v| is the part of f the gradient does not explain.
             With the right gradient it is ½h²·vᵀHv, so halving h quarters it (slope 2 on a
             log–log plot); with a wrong one, h·(error·v) is left and halving h only halves
             it (slope 1).  No step and no tolerance to choose: taylor_check reads the slope
             over the smallest steps whose remainder stands above rounding noise.""")
    p = [0.8, -1.1, 0.3]
    for name, g in (("right rule", neuron_with(softsign)), ("wrong rule", neuron_with(
            softsign_wrong))):
        report = taylor_check(g, p, halvings=8 if demo.fast else 12)
        demo.say(f"  {name}: {report.verdict()}")
    print("\n".join("    " + line for line in str(report).splitlines()))


def main(argv: list[str] | None = None) -> int:
    demo = Demo("gradient_checking", __doc__, argv)
    step_size_study(demo)
    wrong_rule_study(demo)
    blame_study(demo)
    taylor_study(demo)
    return demo.finish()


if __name__ == "__main__":
    sys.exit(main())
