"""Toy datasets: seeded, the right shapes and classes, and the geometry they promise."""

import math

import pytest
from hypothesis import given, strategies as st

from nn import ConfigError, data

MAKERS = [data.two_moons, data.circles, data.spirals, data.xor]


@pytest.mark.parametrize("make", MAKERS)
@given(n=st.integers(2, 60), seed=st.integers(0, 2 ** 32))
def test_same_seed_same_data_and_shapes_are_right(make, n, seed):
    X, y = make(n, seed=seed)
    assert (X, y) == make(n, seed=seed)
    assert len(X) == len(y) == n
    assert all(len(x) == 2 and all(math.isfinite(v) for v in x) for x in X)
    assert all(isinstance(t, int) for t in y)


@pytest.mark.parametrize("make", MAKERS)
def test_different_seeds_give_different_data(make):
    assert make(50, seed=0) != make(50, seed=1)


def test_two_moons_without_noise_lie_on_their_half_circles():
    X, y = data.two_moons(50, noise=0.0, seed=0)
    assert y.count(0) == 25 and y.count(1) == 25
    for (a, b), t in zip(X, y):
        cx, cy = (0.0, 0.0) if t == 0 else (1.0, 0.5)
        assert math.hypot(a - cx, b - cy) == pytest.approx(1.0)
        assert (b >= -1e-12) if t == 0 else (b <= 0.5 + 1e-12)


def test_circles_without_noise_have_the_two_radii():
    X, y = data.circles(40, noise=0.0, factor=0.3, seed=0)
    for (a, b), t in zip(X, y):
        assert math.hypot(a, b) == pytest.approx(1.0 if t == 0 else 0.3)


def test_spirals_have_balanced_arms_within_the_unit_disc():
    X, y = data.spirals(90, classes=3, noise=0.0, seed=0)
    assert [y.count(k) for k in range(3)] == [30, 30, 30]
    assert all(math.hypot(a, b) <= 1.0 + 1e-12 for a, b in X)


def test_xor_labels_are_the_xor_of_the_signs():
    X, y = data.xor(100, seed=0)
    assert all(t == int((a > 0) != (b > 0)) for (a, b), t in zip(X, y))
    assert all(min(abs(a), abs(b)) >= 0.1 for a, b in X)
    assert data.xor_table()[1] == [0, 1, 1, 0]


def test_bad_dataset_arguments_are_config_errors():
    with pytest.raises(ConfigError):
        data.two_moons(0)
    with pytest.raises(ConfigError):
        data.circles(10, noise=-1.0)
    with pytest.raises(ConfigError):
        data.circles(10, factor=1.5)
    with pytest.raises(ConfigError):
        data.spirals(10, classes=1)
