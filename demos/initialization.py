"""Initialization: what the first weights do to the signal, layer after layer.

Run:  python demos/initialization.py [--fast] [--out DIR]

Part 1 sends random inputs through a deep network (10 layers of equal width, the same
activation in every layer) and measures the mean and standard deviation of each layer's
activations, for four initializers from ``nn.init`` — zeros, a small Gaussian N(0, 0.01²),
Xavier/Glorot (Var = 2/(n_in + n_out)) and He/MSRA (Var = 2/n_in) — with tanh and with ReLU.
Too small and the signal dies out layer by layer (and with it the gradient); Xavier keeps tanh
alive, He keeps ReLU alive, as the seeds say.

Part 2 shows in numbers why all-equal weights fail: every hidden unit computes the same
thing, receives the same gradient, and stays a copy of the others — symmetry is never broken.
"""

from __future__ import annotations

import math
import random
import sys

from _common import Demo

from autograd import no_grad
from nn import MLP, Trainer, data, init, losses, optim

INITS = [("zeros", init.zeros, "tab:gray", ":"),
         ("small Gaussian N(0, 0.01²)", init.gaussian(0.0, 0.01), "tab:orange", "--"),
         ("Xavier / Glorot", init.xavier_normal, "tab:blue", "-"),
         ("He / MSRA", init.he_normal, "tab:green", "-")]
FLOOR = 1e-16  # where an exact zero is drawn on the log scale


def layer_stats(model: MLP, inputs: list) -> list[tuple[float, float]]:
    """(mean, std) of every layer's activations over all units and inputs."""
    sums: list[list[float]] = []
    with no_grad():
        for x in inputs:
            outs = model.forward_layers(x)
            if not sums:
                sums = [[] for _ in outs]
            for store, layer in zip(sums, outs):
                store.extend(v.data for v in layer)
    stats = []
    for values in sums:
        mean = math.fsum(values) / len(values)
        var = math.fsum((v - mean) ** 2 for v in values) / len(values)
        stats.append((mean, math.sqrt(var)))
    return stats


def signal(demo: Demo) -> None:
    width, depth, n = (12, 10, 12) if demo.fast else (40, 10, 60)
    demo.section(f"Part 1 — activations through {depth} layers of width {width}")
    rng = random.Random(0)
    inputs = [[rng.gauss(0.0, 1.0) for _ in range(width)] for _ in range(n)]
    demo.say(f"""{n} inputs with independent N(0, 1) entries go through
             MLP({width}, [{width}] × {depth}) with the same activation in every layer
             (output layer included) and zero biases.  For each layer: the mean and the
             standard deviation of its {width} × {n} activations.""")
    results = {}
    for act in ("tanh", "relu"):
        for name, draw, color, style in INITS:
            model = MLP(width, [width] * depth, activation=act, output_activation=act,
                        init=draw, seed=1)
            results[act, name] = layer_stats(model, inputs)
    for act in ("tanh", "relu"):
        demo.say(f"{act}: standard deviation of the activations at layers 1, 2, 5 and 10")
        rows = []
        for name, *_ in INITS:
            s = results[act, name]
            rows.append([name] + [f"{s[l][1]:.3g}" for l in (0, 1, 4, depth - 1)])
        demo.table(["initializer", "layer 1", "layer 2", "layer 5", "layer 10"], rows)
    std = {key: [sd for mean, sd in stats] for key, stats in results.items()}
    xt, xr = std["tanh", "Xavier / Glorot"], std["relu", "Xavier / Glorot"]
    ht, hr = std["tanh", "He / MSRA"], std["relu", "He / MSRA"]
    per_layer = (xr[-1] / xr[0]) ** (1 / (depth - 1))
    demo.say(f"""Zeros: every activation is exactly 0 (tanh(0) = relu(0) = 0), at every
             layer.  The small Gaussian multiplies the spread by about 0.01·√{width} per
             layer, so it falls to nothing within a few layers; the gradients, multiplied by
             the same small weights on the way back, vanish with it.  Xavier keeps tanh's
             spread of the same order ({xt[0]:.2f} → {xt[-1]:.2f} over {depth} layers: tanh
             squashes a little each time).  ReLU zeroes half of its inputs, so under Xavier
             the spread shrinks by ≈ 1/√2 per layer (measured: {per_layer:.2f}×;
             {xr[0]:.2f} → {xr[-1]:.3f}); He's extra factor 2 in the variance puts it back
             ({hr[0]:.2f} → {hr[-1]:.2f}).  (He with tanh: {ht[0]:.2f} → {ht[-1]:.2f}, a
             little large — tanh units start to saturate.)""")

    fig, axes = demo.subplots(2, 2, figsize=(11, 7.6), sharex=True)
    layers = list(range(1, depth + 1))
    for row, act in enumerate(("tanh", "relu")):
        for name, draw, color, style in INITS:
            stats = results[act, name]
            axes[row, 0].plot(layers, [m for m, s in stats], style, marker="o", ms=4,
                              color=color, lw=2, label=name)
            axes[row, 1].semilogy(layers, [max(s, FLOOR) for m, s in stats], style, marker="o",
                                  ms=4, color=color, lw=2, label=name)
        axes[row, 0].set_ylabel(f"{act}: mean activation")
        axes[row, 1].set_ylabel(f"{act}: std of activations (log)")
        axes[row, 1].set_ylim(FLOOR / 3, 10)
        axes[row, 1].annotate("zeros: exactly 0 at every layer (drawn at 1e-16)",
                              (1.2, FLOOR * 4), fontsize=8, color="0.3")
        axes[row, 0].set_title(f"{act}: mean per layer")
        axes[row, 1].set_title(f"{act}: spread per layer")
    for ax in axes[1]:
        ax.set_xlabel("layer")
        ax.set_xticks(layers)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=9)
    fig.suptitle(f"Activation statistics through {depth} layers (width {width}) for four "
                 "initializers", fontsize=11)
    demo.save(fig, "activations.png")


def symmetry(demo: Demo) -> None:
    demo.section("Part 2 — the symmetry failure of equal weights, in numbers")
    epochs = 60 if demo.fast else 400
    X, y = data.xor_table()
    demo.say(f"""MLP(2, [4, 1]) with tanh hidden units learns XOR (4 points), Adam, lr 0.05,
             {epochs} full-batch steps, binary cross-entropy.  After training, the four
             hidden neurons' weights (w₁, w₂, b):""")
    rows = []
    summary = []
    for name, draw in (("zeros", init.zeros), ("constant 0.5", init.constant(0.5)),
                       ("Xavier", init.xavier_normal)):
        model = MLP(2, [4, 1], activation="tanh", init=draw, seed=2)
        trainer = Trainer(model, losses.bce_with_logits,
                          optim.Adam(model.parameters(), lr=0.05), seed=0, progress=False)
        trainer.fit(X, y, epochs=epochs)
        hidden = model.layers[0].neurons
        weights = [(n.w[0].data, n.w[1].data, n.b.data) for n in hidden]
        distinct = len({tuple(round(v, 12) for v in w) for w in weights})
        acc = trainer.evaluate(X, y)["accuracy"]
        summary.append((name, distinct, acc))
        for i, (w1, w2, b) in enumerate(weights):
            rows.append([name if i == 0 else "", f"neuron {i + 1}", f"{w1:+.4f}", f"{w2:+.4f}",
                         f"{b:+.4f}"])
    demo.table(["init", "", "w₁", "w₂", "b"], rows)
    for name, distinct, acc in summary:
        demo.say(f"  {name:13s} {distinct} distinct hidden unit(s); XOR accuracy "
                 f"{100 * acc:.0f}%")
    demo.say("""With zeros, every hidden unit outputs tanh(0) = 0, so the output weights get
             gradient 0, and the hidden weights get ∂R/∂w = (output weight = 0)·… = 0:
             nothing but the output bias ever moves.  With all weights 0.5 the units do
             move, but in lockstep — four copies of one unit, which cannot carve XOR.  Random
             initialization breaks the symmetry; that is its purpose.""")


def main(argv: list[str] | None = None) -> int:
    demo = Demo("initialization", __doc__, argv)
    signal(demo)
    symmetry(demo)
    return demo.finish()


if __name__ == "__main__":
    sys.exit(main())
