"""Training: micrograd's demo reproduced, mini-batches and shuffling, validation and early
stopping, metrics, progress bar, callbacks, exact resumption, and the step seam."""

import io
import math
import random

import pytest

from nn import (MLP, BatchResult, ConfigError, EarlyStopping, ProgressBar, ShapeError, Trainer,
                batches, data, dead_fraction, init, losses, optim, train_val_split)


def _stop_at_full_accuracy(trainer, record):
    return record["accuracy"] == 1.0


@pytest.mark.parametrize("make_opt", [
    lambda ps: optim.SGD(ps, lr=optim.linear(1.0, 0.1, 100)),  # micrograd: 1 − 0.9·k/100
    lambda ps: optim.Adam(ps, lr=0.03),
], ids=["sgd", "adam"])
def test_micrograd_demo_reaches_full_training_accuracy_within_100_steps(make_opt):
    """MLP(2, [16, 16, 1]) ReLU on 100 two-moons points (noise 0.1), SVM max-margin loss
    + 1e-4·‖W‖² (= ½λ‖W‖² with λ = 2e-4), full batch, micrograd's U(−1, 1) weights.
    Stops as soon as every point is right (measured: SGD at step 37, Adam at 36)."""
    X, y = data.two_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", init=init.uniform(-1.0, 1.0), seed=0)
    trainer = Trainer(model, losses.hinge, make_opt(model.parameters()), l2=2e-4, seed=0,
                      progress=False, dead_probe=0)
    history = trainer.fit(X, y, epochs=100, callbacks=[_stop_at_full_accuracy])
    assert history["accuracy"][-1] == 1.0
    assert len(history) <= 100
    assert history["loss"][-1] < history["loss"][0] / 5


def test_circles_model_reaches_95_percent_validation_accuracy_within_30_epochs():
    """120 circle points (noise 0.05), 25% held out; measured: 95% at epoch 20."""
    X, y = data.circles(120, noise=0.05, seed=0)
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    trainer = Trainer(model, losses.bce_with_logits, optim.Adam(model.parameters(), lr=0.05),
                      batch_size=30, seed=0, progress=False)
    history = trainer.fit(X, y, epochs=30, val_split=0.25,
                          callbacks=[lambda t, r: min(r["val_accuracy"], r["accuracy"]) >= 0.95])
    assert history["val_accuracy"][-1] >= 0.95 and history["accuracy"][-1] >= 0.95


def test_softmax_model_learns_three_spiral_arms_to_85_percent_within_30_epochs():
    """90 points on 3 arms (chance 1/3, a linear model about 1/2); measured: 85% at epoch 16."""
    X, y = data.spirals(90, classes=3, noise=0.1, seed=0)
    model = MLP(2, [16, 3], activation="relu", seed=0)
    trainer = Trainer(model, losses.softmax_cross_entropy,
                      optim.Adam(model.parameters(), lr=0.05), batch_size=30, seed=0,
                      progress=False)
    history = trainer.fit(X, y, epochs=30, callbacks=[lambda t, r: r["accuracy"] >= 0.85])
    assert history["accuracy"][-1] >= 0.85


def test_batches_cover_every_example_once_per_epoch_in_a_seeded_order():
    rng_a, rng_b = random.Random(4), random.Random(4)
    first = list(batches(10, 3, rng_a))
    assert [len(b) for b in first] == [3, 3, 3, 1]
    assert sorted(i for b in first for i in b) == list(range(10))
    assert first == list(batches(10, 3, rng_b))
    assert list(batches(10, 3, rng_a)) != first  # a new order each epoch


def test_the_trainer_shuffles_each_epoch_and_uses_every_example():
    X = [[float(i), 0.0] for i in range(8)]
    y = [i % 2 for i in range(8)]
    model = MLP(2, [1], seed=0)
    trainer = Trainer(model, losses.hinge, optim.SGD(model.parameters(), lr=0.0),
                      batch_size=3, seed=1, progress=False)
    seen = []

    def recording(xb, yb):
        seen.append([x[0] for x in xb])
        return trainer.compute_gradients(xb, yb)
    trainer.gradient_fn = recording
    trainer.fit(X, y, epochs=2)
    epochs = [sum(seen[:3], []), sum(seen[3:], [])]
    assert [len(b) for b in seen] == [3, 3, 2, 3, 3, 2]
    assert all(sorted(e) == [float(i) for i in range(8)] for e in epochs)
    assert epochs[0] != epochs[1]


def test_train_val_split_is_seeded_and_disjoint():
    X, y = list(range(20)), [i * 10 for i in range(20)]
    a = train_val_split(X, y, 0.25, seed=3)
    assert a == train_val_split(X, y, 0.25, seed=3)
    Xt, yt, Xv, yv = a
    assert len(Xv) == 5 and sorted(Xt + Xv) == X
    assert [v * 10 for v in Xt] == yt and [v * 10 for v in Xv] == yv
    with pytest.raises(ShapeError):
        train_val_split(X, y[:-1])
    with pytest.raises(ConfigError):
        train_val_split(X, y, 1.5)


def test_early_stopping_stops_on_rising_validation_loss_and_restores_the_best():
    X, y = data.two_moons(40, noise=0.1, seed=1)
    flipped = [1 - t for t in y]  # validation labels the model can only get worse on
    model = MLP(2, [8, 1], activation="tanh", seed=0)
    trainer = Trainer(model, losses.bce_with_logits, optim.Adam(model.parameters(), lr=0.05),
                      batch_size=10, seed=0, progress=False)
    snapshots = {}

    def keep(trainer, record):
        snapshots[record["epoch"]] = [p.data for p in model.parameters()]
    stopper = EarlyStopping(patience=3)
    history = trainer.fit(X, y, epochs=50, validation=(X, flipped), early_stopping=stopper,
                          callbacks=[keep])
    assert len(history) < 50
    best = min(range(len(history)), key=lambda i: history["val_loss"][i]) + 1
    assert stopper.best_epoch == best and len(history) == best + 3
    assert [p.data for p in model.parameters()] == snapshots[best]


def test_history_records_the_per_epoch_metrics():
    X, y = data.two_moons(30, noise=0.1, seed=0)
    model = MLP(2, [6, 1], activation="relu", seed=0)
    trainer = Trainer(model, losses.hinge, optim.SGD(model.parameters(), lr=0.05), l2=1e-3,
                      batch_size=10, seed=0, progress=False)
    history = trainer.fit(X, y, epochs=3, val_split=0.2)
    assert history["epoch"] == [1, 2, 3]
    for key in ("loss", "accuracy", "penalty", "val_loss", "val_accuracy", "update_ratio",
                "dead_fraction", "grad_norm", "lr"):
        assert all(v is not None and math.isfinite(v) for v in history[key]), key
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"])
    assert history["penalty"][-1] == pytest.approx(
        0.5 * 1e-3 * sum(w.data ** 2 for w in model.weights()))
    assert all(0.0 < r < 1.0 for r in history["update_ratio"])


def test_regression_losses_record_no_accuracy():
    X = [[x / 10, 0.0] for x in range(10)]
    y = [[2 * x[0]] for x in X]
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    trainer = Trainer(model, losses.mse, optim.Adam(model.parameters(), lr=0.05), seed=0,
                      progress=False)
    history = trainer.fit(X, y, epochs=30)
    assert history["accuracy"] == [None] * 30 and history["loss"][-1] < history["loss"][0]


def test_update_ratio_is_the_norm_of_the_step_over_the_norm_of_the_parameters():
    model = MLP(2, [3, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, losses.hinge, opt, seed=0, progress=False)
    before = [p.data for p in model.parameters()]
    _, _, ratio = trainer.train_step([[1.0, -1.0]], [1])
    after = [p.data for p in model.parameters()]
    step = math.sqrt(sum((a - b) ** 2 for a, b in zip(after, before)))
    assert ratio == pytest.approx(step / math.sqrt(sum(b * b for b in before)))


def test_dead_fraction_counts_hidden_units_that_never_fire():
    model = MLP(2, [4, 1], activation="relu", seed=0)
    assert dead_fraction(model, [[1.0, 1.0], [-1.0, 0.5]]) < 1.0
    dead = model.layers[0].neurons[2]
    dead.b.data = -100.0
    for w in dead.w:
        w.data = 0.0
    fraction = dead_fraction(model, [[1.0, 1.0], [-1.0, 0.5]])
    assert fraction >= 0.25
    alive = [n for n in model.layers[0].neurons if n is not dead]
    for n in alive:
        n.b.data, n.w[0].data, n.w[1].data = 1.0, 0.0, 0.0
    assert dead_fraction(model, [[1.0, 1.0]]) == 0.25


def test_callbacks_are_called_each_epoch_and_can_stop_training():
    X, y = data.xor_table()
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    trainer = Trainer(model, losses.bce_with_logits, optim.SGD(model.parameters(), lr=0.1),
                      seed=0, progress=False)
    calls = []
    history = trainer.fit(X, y, epochs=10,
                          callbacks=[lambda t, r: calls.append(r["epoch"]) or r["epoch"] == 4])
    assert calls == [1, 2, 3, 4] and len(history) == 4


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_draws_on_a_terminal_and_stays_quiet_otherwise():
    X, y = data.xor_table()
    for stream, progress, drawn in [(io.StringIO(), None, False), (_Terminal(), None, True),
                                    (io.StringIO(), True, True), (_Terminal(), False, False)]:
        model = MLP(2, [3, 1], seed=0)
        Trainer(model, losses.hinge, optim.SGD(model.parameters(), lr=0.1), batch_size=2,
                progress=progress, stream=stream).fit(X, y, epochs=3)
        text = stream.getvalue()
        assert bool(text) == drawn
        if drawn:
            assert text.startswith("\r[") and "6/6" in text  # 2 batches × 3 epochs
            assert "epoch 3" in text and text.endswith("\n")


def test_progress_bar_fills_up():
    out = _Terminal()
    bar = ProgressBar(4, out, width=4)
    bar.update(2, "half", force=True)
    bar.update(4, "done", force=True)
    bar.close()
    assert "[##..] 2/4 half" in out.getvalue() and "[####] 4/4 done" in out.getvalue()


def _moons_run(epochs, split_at=None, tmp_path=None):
    X, y = data.two_moons(30, noise=0.1, seed=2)

    def build():
        model = MLP(2, [5, 1], activation="relu", seed=0)
        opt = optim.Nesterov(model.parameters(), lr=optim.step_decay(0.05, 0.5, 4))
        return model, opt, Trainer(model, losses.hinge, opt, l2=1e-3, batch_size=7, seed=5,
                                   progress=False)
    model, opt, trainer = build()
    if split_at is None:
        trainer.fit(X, y, epochs=epochs, val_split=0.2, early_stopping=EarlyStopping(50))
        return model, trainer
    trainer.fit(X, y, epochs=split_at, val_split=0.2, early_stopping=EarlyStopping(50))
    model.save(tmp_path / "ckpt.json", optimizer=opt, trainer=trainer)
    model, opt, trainer = build()
    model.restore(tmp_path / "ckpt.json", optimizer=opt, trainer=trainer)
    trainer.fit(X, y, epochs=epochs, val_split=0.2, early_stopping=EarlyStopping(50))
    return model, trainer


def test_training_resumed_from_a_saved_file_continues_bit_for_bit(tmp_path):
    straight, t1 = _moons_run(6)
    resumed, t2 = _moons_run(6, split_at=3, tmp_path=tmp_path)
    assert resumed.state_dict() == straight.state_dict()
    assert t2.history.records == t1.history.records


def test_the_step_seam_accepts_a_replacement_gradient_function():
    X, y = data.two_moons(20, noise=0.1, seed=0)

    def run(replace):
        model = MLP(2, [4, 1], activation="tanh", seed=0)
        trainer = Trainer(model, losses.hinge, optim.SGD(model.parameters(), lr=0.1),
                          batch_size=5, seed=0, progress=False)
        calls = []
        if replace:
            def compiled(xb, yb):
                """Stand-in for a compiled step: same contract, computed separately."""
                calls.append(len(xb))
                for p in model.parameters():
                    p.grad = 0.0
                risk, data_loss, outputs = trainer.objective(xb, yb)
                risk.backward()
                return BatchResult(data_loss.data, [[o.data for o in out] for out in outputs])
            trainer.gradient_fn = compiled
        trainer.fit(X, y, epochs=2)
        return model.state_dict(), calls, trainer
    plain, _, _ = run(False)
    swapped, calls, trainer = run(True)
    assert swapped == plain and calls == [5] * 8
    trainer.gradient_fn = None
    assert trainer.gradient_fn == trainer.compute_gradients


def test_fit_checks_its_inputs():
    model = MLP(2, [1], seed=0)
    trainer = Trainer(model, losses.hinge, optim.SGD(model.parameters(), lr=0.1),
                      progress=False)
    with pytest.raises(ShapeError, match="2 inputs but 1 targets"):
        trainer.fit([[0.0, 0.0], [1.0, 1.0]], [1])
    with pytest.raises(ShapeError, match="no training examples"):
        trainer.fit([], [])
    with pytest.raises(ConfigError, match="not both"):
        trainer.fit([[0.0, 0.0]], [1], validation=([[0.0, 0.0]], [1]), val_split=0.5)
    with pytest.raises(ConfigError, match="batch_size"):
        Trainer(model, losses.hinge, optim.SGD(model.parameters()), batch_size=0)
    with pytest.raises(ConfigError, match="val_loss"):
        trainer.fit([[0.0, 0.0]], [1], epochs=1, early_stopping=EarlyStopping())


# --- hostile input (issue 15, items 9 and 10, and a nan feature) ---------------------------

def test_fit_with_targets_of_1e308_reports_overflow_in_metrics_never_raises():
    from nn import MLP, Trainer, losses, optim
    model = MLP(1, [2, 1], activation="tanh", seed=0)
    trainer = Trainer(model, losses.mse, optim.SGD(model.parameters(), lr=0.1), seed=0,
                      progress=False)
    history = trainer.fit([[1.0], [2.0]], [1e308, -1e308], epochs=2,
                          validation=([[1.0]], [1e308]))
    assert len(history) == 2
    record = history.last
    for key in ("loss", "update_ratio", "grad_norm", "val_loss"):
        assert isinstance(record[key], float)


def test_update_ratio_of_overflowing_updates_is_inf_or_nan_not_an_error():
    from nn.train import update_ratio
    assert update_ratio([1.0, 1.0], [-1e308, 1e308]) == math.inf  # (Δθ)² overflows
    assert math.isnan(update_ratio([1e300, 1e300], [-1e308, 1e308]))  # inf / inf
    assert update_ratio([1e200, 1e200], [1e200, 1e200]) == 0.0  # ‖θ‖² overflows, Δθ = 0
    assert math.isnan(update_ratio([math.inf], [math.inf]))


def test_a_step_that_fails_part_way_changes_no_parameter_and_no_slot():
    from autograd import Value
    from nn import optim

    class Breaks(optim.Momentum):
        def update(self, grads, lr):
            mu, v = self.momentum, self.slots["v"]
            v[0] = mu * v[0] - lr * grads[0]
            self.params[0].data += v[0]
            raise KeyboardInterrupt  # half way: parameter 0 moved, parameter 1 not

    a, b = Value(1.0), Value(2.0)
    a.grad, b.grad = 1.0, 1.0
    opt = Breaks([a, b], lr=0.5)
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    assert (a.data, b.data, opt.slots["v"], opt.t) == (1.0, 2.0, [0.0, 0.0], 0)


@pytest.mark.parametrize("X, y", [([[1.0], [2.0], [3.0]], [1.0, 2.0]), ([[1.0]], [1.0, 2.0])])
def test_evaluate_with_mismatched_lengths_raises_shape_error(X, y):
    from nn import MLP, ShapeError, Trainer, losses, optim
    model = MLP(1, [1], seed=0)
    trainer = Trainer(model, losses.mse, optim.SGD(model.parameters()), progress=False)
    with pytest.raises(ShapeError, match="evaluate: .* inputs but .* targets"):
        trainer.evaluate(X, y)


def test_fit_with_mismatched_validation_raises_shape_error_before_training():
    from nn import MLP, ShapeError, Trainer, losses, optim
    model = MLP(1, [1], seed=0)
    before = model.state_dict()
    trainer = Trainer(model, losses.mse, optim.SGD(model.parameters()), progress=False)
    X = [[float(i)] for i in range(5)]
    with pytest.raises(ShapeError, match="validation has 3 inputs but 2 targets"):
        trainer.fit(X, [0.0] * 5, epochs=1, validation=(X[:3], [0.0, 1.0]))
    assert model.state_dict() == before and trainer.epoch == 0


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_trailing_nonfinite_feature_warns_and_names_anomaly_mode(bad):
    from nn import MLP, Trainer, losses, optim
    model = MLP(2, [1], seed=0)
    trainer = Trainer(model, losses.mse, optim.SGD(model.parameters()), progress=False)
    with pytest.warns(RuntimeWarning, match=r"input 2 has .* position 1.*detect_anomaly"):
        trainer.fit([[1.0, 1.0], [0.0, 1.0], [1.0, bad]], [0.0, 1.0, 0.0], epochs=1)
