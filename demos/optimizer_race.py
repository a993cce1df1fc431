"""Optimizer race: SGD, Momentum, Nesterov, Adagrad, RMSprop and Adam down Rosenbrock's valley.

Run:  python demos/optimizer_race.py [--fast] [--out DIR]

Each optimizer from ``nn.optim`` minimizes the Rosenbrock function
f(x, y) = (1 − x)² + 100·(y − x²)² from the classic start (−1.2, 1); the minimum is f(1, 1) = 0
at the end of a long, curved, flat-bottomed valley.  For a fair race every optimizer gets the
learning rate that did best from the same grid.  The pictures: the trajectories over the
contour lines and the loss against the step; then the seeds' picture of a learning rate too
small, about right, and too big, on the parabola J(θ) = θ².
"""

from __future__ import annotations

import math
import sys

from _common import Demo

from autograd import Value
from nn.optim import SGD, Adagrad, Adam, Momentum, Nesterov, RMSprop

START = (-1.2, 1.0)
MINIMUM = (1.0, 1.0)
#: name, optimizer class, extra hyperparameters, colour
RACERS = [
    ("SGD", SGD, {}, "tab:brown"),
    ("Momentum", Momentum, {"momentum": 0.9}, "tab:blue"),
    ("Nesterov", Nesterov, {"momentum": 0.9}, "tab:cyan"),
    ("Adagrad", Adagrad, {}, "tab:green"),
    ("RMSprop", RMSprop, {"decay_rate": 0.99}, "tab:purple"),
    ("Adam", Adam, {}, "tab:red"),
]
#: The learning rates tried for every optimizer (half-decades).
GRID = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0]
GRID_FAST = [1e-3, 1e-2, 1e-1]


def rosenbrock(x, y):
    """f(x, y) = (1 − x)² + 100·(y − x²)²; works on floats and on Values."""
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def run(cls, lr: float, extra: dict, steps: int) -> tuple[list, list, list]:
    """Minimize from START; the path (x, y) and the loss at each step (nan once diverged)."""
    x, y = Value(START[0], label="x"), Value(START[1], label="y")
    opt = cls([x, y], lr=lr, **extra)
    xs, ys, losses = [x.data], [y.data], []
    for _ in range(steps):
        opt.zero_grad()
        loss = rosenbrock(x, y)
        loss.backward()
        losses.append(loss.data)
        if not math.isfinite(loss.data) or abs(x.data) > 1e6 or abs(y.data) > 1e6:
            break
        opt.step()
        xs.append(x.data)
        ys.append(y.data)
    losses.append(rosenbrock(x.data, y.data) if math.isfinite(x.data) else math.inf)
    return xs, ys, losses


def final_loss(losses: list) -> float:
    last = losses[-1]
    return last if math.isfinite(last) else math.inf


def race(demo: Demo) -> None:
    steps = 300 if demo.fast else 2000
    grid = GRID_FAST if demo.fast else GRID
    demo.section(f"The race: {steps} steps each from ({START[0]}, {START[1]})")
    demo.say(f"""Every optimizer tries the learning rates {', '.join(f'{g:g}' for g in grid)}
             and keeps the one with the lowest loss after {steps} steps (a diverging run
             counts as infinitely bad).  Momentum terms are 0.9; Adam uses β₁ = 0.9,
             β₂ = 0.999 with bias correction, as in the seeds.""")
    results = []
    for name, cls, extra, color in RACERS:
        best = None
        for lr in grid:
            xs, ys, losses = run(cls, lr, extra, steps)
            score = final_loss(losses) if len(losses) == steps + 1 else math.inf
            if best is None or score < best[0]:
                best = (score, lr, xs, ys, losses)
        score, lr, xs, ys, losses = best
        dist = math.hypot(xs[-1] - MINIMUM[0], ys[-1] - MINIMUM[1])
        reach = next((i for i, v in enumerate(losses) if v < 1e-3), None)
        results.append((name, color, lr, xs, ys, losses, dist, reach))
    demo.table(["optimizer", "best lr", "final loss", "distance to (1,1)", "steps to loss<1e-3"],
               [[name, f"{lr:g}", f"{losses[-1]:.2e}", f"{dist:.2e}",
                 "never" if reach is None else reach]
                for name, color, lr, xs, ys, losses, dist, reach in results])
    winner = min(results, key=lambda r: r[5][-1])
    demo.say(f"""Plain SGD must keep its step small enough for the steep valley walls
             (curvature ~1000 across, ~1 along), so it crawls along the floor.  Momentum
             and Nesterov build up speed along the valley; Adagrad's step shrinks as its
             sum of squared gradients grows; RMSprop and Adam divide by a running RMS of the
             gradient, so their step size is almost independent of the steepness — which
             also leaves RMSprop, at a fixed learning rate, jittering across the valley floor
             (Adam's averaged gradient m̂ damps that).  Lowest final loss here:
             {winner[0]}.  (Nesterov's parameters hold its look-ahead point, the seeds'
             second form of the update; that is the path drawn.)""")

    import numpy as np
    plt = demo.plt
    from matplotlib.colors import LogNorm
    n = 120 if demo.fast else 400
    gx = np.linspace(-2.0, 2.0, n)
    gy = np.linspace(-1.0, 3.0, n)
    X, Y = np.meshgrid(gx, gy)
    Z = rosenbrock(X, Y)
    fig = plt.figure(figsize=(14, 6.6), constrained_layout=True)
    grid_spec = fig.add_gridspec(2, 4, width_ratios=[1, 1, 1, 1.5])
    levels = np.logspace(-1, 3.5, 19)
    for k, (name, color, lr, xs, ys, losses, dist, reach) in enumerate(results):
        ax = fig.add_subplot(grid_spec[k // 3, k % 3])
        ax.contourf(X, Y, Z, levels=levels, norm=LogNorm(), cmap="Blues_r", alpha=0.45,
                    extend="both")
        ax.contour(X, Y, Z, levels=levels, norm=LogNorm(), colors="0.55", linewidths=0.4)
        ax.plot(xs, ys, "-", color=color, lw=1.4)
        ax.plot(xs[-1], ys[-1], "o", color=color, mec="black", ms=6)
        ax.plot(*START, "ks", ms=5)
        ax.plot(*MINIMUM, "*", color="gold", mec="black", ms=12)
        ax.set_xlim(-2, 2)
        ax.set_ylim(-1, 3)
        ax.set_title(f"{name}, lr = {lr:g}")
        ax.grid(False)
        if k % 3 == 0:
            ax.set_ylabel("y")
        if k // 3 == 1:
            ax.set_xlabel("x")
    bx = fig.add_subplot(grid_spec[:, 3])
    for name, color, lr, xs, ys, losses, dist, reach in results:
        bx.semilogy(range(len(losses)), [max(v, 1e-18) for v in losses], color=color, lw=1.6,
                    label=name)
    bx.set_xlabel("step")
    bx.set_ylabel("f(x, y)  (log scale; 0 drawn at 1e-18)")
    bx.set_title("Loss against steps")
    bx.legend(loc="lower left", framealpha=0.95)
    fig.suptitle(f"Minimizing Rosenbrock's f(x, y) = (1 − x)² + 100(y − x²)² from ■ (−1.2, 1) "
                 f"to ★ (1, 1): {steps} steps, the best learning rate of the grid for each",
                 fontsize=11)
    demo.save(fig, "race.png")


def learning_rates(demo: Demo) -> None:
    demo.section("The learning rate: too small, about right, too big")
    demo.say("""The seeds' picture: gradient descent θ ← θ − α·dJ/dθ on J(θ) = θ² from
             θ = 4.  Too small an α creeps towards the minimum; a good one gets there in a few
             steps; a big one overshoots and oscillates from side to side; beyond α = 1 every
             step lands farther out than the last and the iteration diverges.""")
    steps = 12 if demo.fast else 25
    cases = [(0.03, "α = 0.03: too small, creeps", "tab:blue"),
             (0.3, "α = 0.3: about right", "tab:green"),
             (0.9, "α = 0.9: too big, oscillates", "tab:orange"),
             (1.05, "α = 1.05: diverges", "tab:red")]
    paths = []
    rows = []
    for lr, label, color in cases:
        theta = Value(4.0, label="θ")
        opt = SGD([theta], lr=lr)
        thetas, losses = [theta.data], []
        for _ in range(steps):
            opt.zero_grad()
            loss = theta * theta
            loss.backward()
            losses.append(loss.data)
            opt.step()
            thetas.append(theta.data)
        losses.append(theta.data ** 2)
        paths.append((lr, label, color, thetas, losses))
        rows.append([f"{lr:g}", f"{thetas[1]:.3f}", f"{thetas[5]:.3f}", f"{thetas[-1]:.3g}"])
    demo.table(["α", "θ after 1 step", "after 5", f"after {steps}"], rows)

    fig, (ax, bx) = demo.subplots(1, 2, figsize=(11, 4.5))
    grid = [-7 + 14 * i / 400 for i in range(401)]
    ax.plot(grid, [g * g for g in grid], color="0.5", lw=1.2, zorder=0)
    for lr, label, color, thetas, losses in paths:
        shown = [t for t in thetas[:8] if abs(t) <= 7]
        ax.plot(shown, [t * t for t in shown], "o-", color=color, ms=4, lw=1, alpha=0.85,
                label=label)
    ax.plot(4, 16, "ks", ms=7, label="start θ = 4")
    ax.set_xlim(-7, 7)
    ax.set_ylim(-1, 68)
    ax.set_xlabel("θ")
    ax.set_ylabel("J(θ) = θ²")
    ax.set_title("First steps of gradient descent")
    ax.legend(loc="upper center", fontsize=8, framealpha=0.95)
    for lr, label, color, thetas, losses in paths:
        bx.semilogy(range(len(losses)), [max(v, 1e-30) for v in losses], "o-", ms=3,
                    color=color, label=label)
    bx.set_xlabel("step")
    bx.set_ylabel("J(θ)  (log scale)")
    bx.set_title("Loss against steps")
    bx.legend(loc="lower left", fontsize=8, framealpha=0.95)
    demo.save(fig, "learning_rate.png")


def main(argv: list[str] | None = None) -> int:
    demo = Demo("optimizer_race", __doc__, argv)
    race(demo)
    learning_rates(demo)
    return demo.finish()


if __name__ == "__main__":
    sys.exit(main())
