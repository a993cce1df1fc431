"""Initializers: sample statistics match their formulas; seeds reproduce; equal starting
weights keep hidden units identical through training (symmetry), random ones break it."""

import math
import random

import pytest

from nn import MLP, ConfigError, Trainer, data, init, losses, optim

N_IN, N_OUT = 400, 100  # 40 000 draws: the sample variance is within ~1% (1 σ) of the truth
REL_TOL = 0.05          # so 5% is a > 5 σ band


def _stats(values):
    n = len(values)
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, var


@pytest.mark.parametrize("initializer, variance", [
    (init.lecun_normal, 1 / N_IN), (init.lecun_uniform, 1 / N_IN),
    (init.xavier_normal, 2 / (N_IN + N_OUT)), (init.xavier_uniform, 2 / (N_IN + N_OUT)),
    (init.he_normal, 2 / N_IN), (init.he_uniform, 2 / N_IN),
    (init.gaussian(0.0, 0.3), 0.09), (init.uniform(-0.5, 0.5), 1 / 12),
])
def test_sample_variance_matches_the_formula(initializer, variance):
    values = [w for row in init.sample(initializer, N_IN, N_OUT, seed=1) for w in row]
    mean, var = _stats(values)
    assert init.variance(initializer, N_IN, N_OUT) == pytest.approx(variance)
    assert var == pytest.approx(variance, rel=REL_TOL)
    assert abs(mean) < 5 * math.sqrt(variance / len(values))


def test_he_std_is_root_two_over_fan_in_and_xavier_glorot_are_aliases():
    _, var = _stats([w for row in init.sample(init.msra, 800, 50, seed=2) for w in row])
    assert math.sqrt(var) == pytest.approx(math.sqrt(2 / 800), rel=REL_TOL / 2)
    assert init.glorot_normal is init.xavier_normal and init.kaiming_normal is init.he_normal


def test_uniform_initializers_stay_inside_their_limits():
    limit = math.sqrt(6 / (N_IN + N_OUT))
    values = [w for row in init.sample(init.xavier_uniform, N_IN, N_OUT, seed=3) for w in row]
    assert max(abs(v) for v in values) <= limit
    assert max(abs(v) for v in values) > 0.99 * limit


def test_gaussian_mean_is_respected():
    mean, _ = _stats([w for row in init.sample(init.gaussian(2.0, 0.1), 100, 100) for w in row])
    assert mean == pytest.approx(2.0, abs=0.01)


def test_constant_and_zeros_give_every_weight_the_value():
    assert init.sample(init.zeros, 3, 2) == [[0.0] * 3] * 2
    assert init.sample(init.constant(-0.25), 2, 2) == [[-0.25] * 2] * 2


def test_an_int_seed_or_a_random_random_reproduce_the_draws():
    a = init.sample(init.he_normal, 5, 3, seed=11)
    b = init.sample(init.he_normal, 5, 3, seed=random.Random(11))
    assert a == b != init.sample(init.he_normal, 5, 3, seed=12)
    assert MLP(2, [3, 1], init=init.he_normal, seed=11).state_dict() == \
        MLP(2, [3, 1], init=init.he_normal, seed=random.Random(11)).state_dict()


def _hidden_rows(model):
    return [[w.data for w in n.w] + [n.b.data] for n in model.layers[0].neurons]


@pytest.mark.parametrize("start", [init.zeros, init.constant(0.3)])
def test_equal_initial_weights_keep_hidden_units_identical_through_training(start):
    X, y = data.two_moons(30, noise=0.1, seed=0)
    model = MLP(2, [4, 1], activation="tanh", init=start, seed=0)
    before = _hidden_rows(model)
    Trainer(model, losses.bce_with_logits, optim.SGD(model.parameters(), lr=0.5),
            batch_size=10, seed=0, progress=False).fit(X, y, epochs=5)
    rows = _hidden_rows(model)
    assert all(row == rows[0] for row in rows)  # symmetry never breaks
    if start is not init.zeros:
        assert rows != before  # ... although the units did learn


def test_random_initial_weights_break_the_symmetry():
    X, y = data.two_moons(30, noise=0.1, seed=0)
    model = MLP(2, [4, 1], activation="tanh", init=init.xavier_normal, seed=0)
    Trainer(model, losses.bce_with_logits, optim.SGD(model.parameters(), lr=0.5),
            batch_size=10, seed=0, progress=False).fit(X, y, epochs=5)
    rows = _hidden_rows(model)
    assert len({tuple(r) for r in rows}) == len(rows)


def test_default_initializer_is_he_for_relu_and_xavier_for_tanh():
    assert init.default_for("relu") is init.he_normal
    assert init.default_for("tanh") is init.xavier_normal


def test_bad_initializer_arguments_are_config_errors():
    with pytest.raises(ConfigError):
        init.gaussian(0.0, -1.0)
    with pytest.raises(ConfigError):
        init.uniform(1.0, -1.0)
    with pytest.raises(ConfigError, match="seed"):
        init.as_rng("seven")
