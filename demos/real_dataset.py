"""A real dataset: handwritten digits (8×8), or iris, with an MLP, Adam and early stopping.

Run:  python demos/real_dataset.py [--dataset digits|iris] [--fast] [--out DIR]

scikit-learn's bundled datasets (no download): ``digits`` — 1797 handwritten digits, 8×8
pixels of 0..16, ten classes — or ``iris`` — 150 flowers, four measurements, three species.
A stratified quarter (digits: a fifth) is held out as the test set and not touched until the
end; of the rest, 20% is a validation set.  An MLP from ``nn`` is trained with softmax
cross-entropy and Adam on mini-batches; early stopping watches the validation loss and puts
back the best weights.  Then the test accuracy, the confusion matrix, and the test examples the
network got wrong.
"""

from __future__ import annotations

import argparse
import math
import sys

from _common import Demo

from nn import MLP, EarlyStopping, Trainer, losses, optim, predict, train_val_split

SETTINGS = {
    #          hidden, activation, lr, batch, max epochs, patience, test share, target
    "digits": dict(hidden=[16], activation="relu", lr=0.01, batch=32, epochs=40, patience=4,
                   test=0.2, target=0.90),
    "iris": dict(hidden=[16], activation="tanh", lr=0.02, batch=16, epochs=300, patience=20,
                 test=0.25, target=0.95),
}


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=sorted(SETTINGS), default="digits",
                        help="which bundled scikit-learn dataset (default: digits)")


def load(name: str, fast: bool) -> tuple:
    """(X_train, y_train, X_test, y_test, class names, feature names, images or None)."""
    from sklearn.datasets import load_digits, load_iris
    from sklearn.model_selection import train_test_split
    bunch = load_digits() if name == "digits" else load_iris()
    X = bunch.data.tolist()
    y = [int(t) for t in bunch.target]
    indices = list(range(len(X)))
    train_idx, test_idx = train_test_split(indices, test_size=SETTINGS[name]["test"],
                                           stratify=y, random_state=0)
    if fast:
        train_idx, test_idx = train_idx[:150], test_idx[:60]
    if name == "digits":
        scale = lambda row: [v / 16.0 for v in row]  # noqa: E731 — pixels 0..16 → 0..1
    else:  # standardize with the training set's statistics only
        cols = list(zip(*[X[i] for i in train_idx]))
        means = [sum(c) / len(c) for c in cols]
        stds = [(sum((v - m) ** 2 for v in c) / len(c)) ** 0.5 for c, m in zip(cols, means)]
        scale = lambda row: [(v - m) / s for v, m, s in zip(row, means, stds)]  # noqa: E731
    names = [str(t) for t in bunch.target_names]
    images = bunch.images if name == "digits" else None
    return ([scale(X[i]) for i in train_idx], [y[i] for i in train_idx],
            [scale(X[i]) for i in test_idx], [y[i] for i in test_idx],
            names, list(bunch.feature_names), images, test_idx, X)


def main(argv: list[str] | None = None) -> int:
    demo = Demo("real_dataset", __doc__, argv, arguments)
    name = demo.args.dataset
    s = dict(SETTINGS[name])
    if demo.fast:
        s.update(epochs=2 if name == "digits" else 15, patience=2)
    X, y, X_test, y_test, classes, features, images, test_idx, raw = load(name, demo.fast)
    X_train, y_train, X_val, y_val = train_val_split(X, y, 0.2, seed=0)
    nin, nout = len(X[0]), len(classes)
    demo.section(f"{name}: {len(X_train)} training, {len(X_val)} validation, "
                 f"{len(X_test)} test examples; {nin} features, {nout} classes")
    model = MLP(nin, s["hidden"] + [nout], activation=s["activation"], seed=0)
    opt = optim.Adam(model.parameters(), lr=s["lr"])
    trainer = Trainer(model, losses.softmax_cross_entropy, opt, batch_size=s["batch"], seed=0,
                      progress=None, dead_probe=0)
    stopper = EarlyStopping(patience=s["patience"], restore_best=True)
    demo.say(f"""{model!r}, {model.num_parameters()} parameters; softmax cross-entropy,
             Adam (lr {s['lr']}), mini-batches of {s['batch']}, at most {s['epochs']} epochs;
             early stopping after {s['patience']} epochs without a better validation loss,
             restoring the best weights.""")
    history = trainer.fit(X_train, y_train, epochs=s["epochs"], validation=(X_val, y_val),
                          early_stopping=stopper)
    rows = [[r["epoch"], f"{r['loss']:.4f}", f"{r['val_loss']:.4f}",
             f"{100 * r['accuracy']:.1f}%", f"{100 * r['val_accuracy']:.1f}%"]
            for r in history]
    if len(rows) > 12:
        rows = rows[:5] + [["…", "", "", "", ""]] + rows[-6:]
    demo.table(["epoch", "train loss", "val loss", "train acc", "val acc"], rows)
    stopped = len(history) < s["epochs"]
    demo.say(f"""{'Early stopping ended training after' if stopped else 'Training ran for'}
             {len(history)} epochs; the best validation loss {stopper.best:.4f} was at epoch
             {stopper.best_epoch}, and those weights are the ones kept.""")

    outputs = predict(model, X_test)
    predicted = [max(range(nout), key=o.__getitem__) for o in outputs]
    right = sum(p == t for p, t in zip(predicted, y_test))
    acc = right / len(y_test)
    demo.section("On the held-out test set")
    demo.say(f"Test accuracy: {right}/{len(y_test)} = {100 * acc:.1f}%"
             + ("" if demo.fast else f" (the goal for {name}: ≥ {100 * s['target']:.0f}%"
                + (", met)." if acc >= s["target"] else ", NOT met).")))
    confusion = [[0] * nout for _ in range(nout)]
    for p, t in zip(predicted, y_test):
        confusion[t][p] += 1
    demo.say("Confusion matrix (rows: true class, columns: predicted):")
    demo.table(["true \\ predicted"] + classes,
               [[classes[i]] + confusion[i] for i in range(nout)])
    wrong = [(k, p, t) for k, (p, t) in enumerate(zip(predicted, y_test)) if p != t]
    plot(demo, name, history, stopper, confusion, classes, acc, wrong, images, test_idx,
         X_test, outputs, features)
    return demo.finish()


def plot(demo: Demo, name: str, history, stopper, confusion, classes, acc, wrong, images,
         test_idx, X_test, outputs, features) -> None:
    from matplotlib.ticker import MaxNLocator
    fig, axes = demo.subplots(1, 3, figsize=(15, 4.6), width_ratios=[1.1, 1.1, 1])
    ax = axes[0]
    epochs = [r["epoch"] for r in history]
    ax.plot(epochs, [r["loss"] for r in history], "o-", ms=3, color="tab:blue",
            label="training loss")
    ax.plot(epochs, [r["val_loss"] for r in history], "o-", ms=3, color="tab:orange",
            label="validation loss")
    ax.axvline(stopper.best_epoch, color="0.3", ls=":", lw=1.2,
               label=f"best validation loss (epoch {stopper.best_epoch}): kept")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("softmax cross-entropy")
    ax.set_title("Training with early stopping")
    ax2 = ax.twinx()
    ax2.plot(epochs, [100 * r["val_accuracy"] for r in history], "--", color="tab:green",
             label="validation accuracy")
    ax2.set_ylabel("validation accuracy (%)", color="tab:green")
    ax2.set_ylim(0, 101)
    ax2.grid(False)
    ax2.spines["right"].set_visible(True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="center right", fontsize=8, framealpha=0.95)

    ax = axes[1]
    n = len(classes)
    ax.imshow(confusion, cmap="Blues")
    top = max(max(row) for row in confusion) or 1
    for i in range(n):
        for j in range(n):
            v = confusion[i][j]
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=8 if n > 5 else 10,
                        color="white" if v > top / 2 else ("tab:red" if i != j else "black"))
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(classes, rotation=0 if n > 3 else 15)
    ax.set_yticklabels(classes)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"Test set confusion matrix: {100 * acc:.1f}% right")
    ax.grid(False)

    ax = axes[2]
    ax.axis("off")
    if images is not None:
        shown = wrong[:12]
        cols = 4
        rows = max(1, math.ceil(len(shown) / cols))
        # an empty first row of the grid holds the panel's title above the little pictures
        grid = ax.get_subplotspec().subgridspec(rows + 1, cols, hspace=0.5, wspace=0.15,
                                                height_ratios=[0.15] + [1] * rows)
        ax.text(0.5, 1.0, f"Misclassified test examples ({len(wrong)}"
                + (", the first 12)" if len(wrong) > 12 else ")"), transform=ax.transAxes,
                ha="center", va="top", fontsize=11)
        for k, (i, p, t) in enumerate(shown):
            sub = fig.add_subplot(grid[1 + k // cols, k % cols])
            sub.imshow(images[test_idx[i]], cmap="gray_r", interpolation="nearest")
            sub.set_title(f"true {classes[t]} → {classes[p]}", fontsize=8, color="tab:red")
            sub.set_xticks([])
            sub.set_yticks([])
            sub.grid(False)
            for spine in sub.spines.values():
                spine.set_visible(True)
                spine.set_color("0.6")
        if not shown:
            ax.text(0.5, 0.5, "none", ha="center", va="center", fontsize=12)
    else:
        ax.axis("on")
        ax.set_title(f"Test set, petal measurements ({len(wrong)} misclassified)")
        colors = ["tab:blue", "tab:orange", "tab:green"]
        pl, pw = features.index("petal length (cm)"), features.index("petal width (cm)")
        for c, cname in enumerate(classes):
            pts = [x for x, o in zip(X_test, outputs) if max(range(n), key=o.__getitem__) == c]
            ax.scatter([x[pl] for x in pts], [x[pw] for x in pts], c=colors[c], s=25,
                       label=f"predicted {cname}")
        ax.scatter([X_test[i][pl] for i, p, t in wrong], [X_test[i][pw] for i, p, t in wrong],
                   s=160, facecolors="none", edgecolors="tab:red", linewidths=1.5,
                   label="misclassified")
        ax.set_xlabel("petal length (standardized)")
        ax.set_ylabel("petal width (standardized)")
        ax.legend(loc="upper left", fontsize=8)
    demo.save(fig, f"{name}.png")


if __name__ == "__main__":
    sys.exit(main())
