"""Losses: values against their formulas, gradients against the numerical checker, at ordinary
and extreme (±1000) logits."""

import math

import pytest
from hypothesis import given, strategies as st

from autograd import Value
from autograd.check import check_modes, gradcheck
from nn import ConfigError, ShapeError, losses

ordinary = st.floats(-8.0, 8.0, allow_nan=False)
extreme = st.sampled_from([-1000.0, -700.0, -40.0, 0.0, 40.0, 700.0, 1000.0])
logit = st.one_of(ordinary, extreme)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _grads(f, xs):
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, [v.grad for v in leaves]


@given(ordinary, st.sampled_from([0, 1]))
def test_bce_with_logits_equals_its_textbook_formula(z, y):
    p = _sigmoid(z)
    expected = -(y * math.log(p) + (1 - y) * math.log(1 - p))
    assert losses.bce_with_logits(z, y) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(logit, st.sampled_from([0, 1]))
def test_bce_with_logits_gradient_is_sigmoid_minus_label_and_finite(z, y):
    value, (g,) = _grads(lambda v: losses.bce_with_logits(v, y), [z])
    assert math.isfinite(value) and math.isfinite(g)
    assert g == pytest.approx(_sigmoid(z) - y, abs=1e-12)
    gradcheck(lambda v: losses.bce_with_logits(v, y), [z])


def test_bce_with_logits_at_extreme_logits():
    assert losses.bce_with_logits(1000.0, 1) == 0.0
    assert losses.bce_with_logits(-1000.0, 0) == 0.0
    assert losses.bce_with_logits(-1000.0, 1) == 1000.0
    assert losses.bce_with_logits(1000.0, 0) == 1000.0
    assert losses.bce_with_logits(1000.0, -1) == 1000.0  # -1 is the negative class


@given(st.lists(logit, min_size=2, max_size=5), st.data())
def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot(z, data):
    y = data.draw(st.integers(0, len(z) - 1))
    value, grads = _grads(lambda *v: losses.softmax_cross_entropy(list(v), y), z)
    m = max(z)
    exps = [math.exp(zi - m) for zi in z]
    total = math.fsum(exps)
    assert value == pytest.approx(m + math.log(total) - z[y], rel=1e-9, abs=1e-9)
    assert all(math.isfinite(g) for g in grads)
    for i, g in enumerate(grads):
        assert g == pytest.approx(exps[i] / total - (i == y), abs=1e-9)
    gradcheck(lambda *v: losses.softmax_cross_entropy(list(v), y), z)


@pytest.mark.parametrize("z", [[1000.0, -1000.0, 0.5], [-1000.0, -1000.0], [1000.0, 1000.0,
                                                                             999.0]])
def test_softmax_cross_entropy_is_finite_and_checked_at_plus_minus_1000(z):
    for y in range(len(z)):
        gradcheck(lambda *v: losses.softmax_cross_entropy(list(v), y), z)
        value, grads = _grads(lambda *v: losses.softmax_cross_entropy(list(v), y), z)
        assert math.isfinite(value) and all(math.isfinite(g) for g in grads)
        assert math.fsum(grads) == pytest.approx(0.0, abs=1e-12)  # softmax sums to one


@given(st.lists(ordinary, min_size=2, max_size=4), st.data())
def test_losses_agree_between_reverse_and_forward_mode(z, data):
    y = data.draw(st.integers(0, len(z) - 1))
    check_modes(lambda *v: losses.softmax_cross_entropy(list(v), y), z, rtol=1e-9, atol=1e-12)
    check_modes(lambda v: losses.bce_with_logits(v, y % 2), z[:1], rtol=1e-9, atol=1e-12)


@given(ordinary, st.sampled_from([-1, 0, 1]))
def test_binary_hinge_is_max_margin_loss(s, y):
    sign = 1.0 if y == 1 else -1.0
    assert losses.hinge(s, y) == pytest.approx(max(0.0, 1.0 - sign * s))
    if abs(1.0 - sign * s) > 1e-3:  # away from the kink
        gradcheck(lambda v: losses.hinge(v, y), [s])


@given(st.lists(ordinary, min_size=2, max_size=5), st.data())
def test_multiclass_hinge_matches_weston_watkins(s, data):
    y = data.draw(st.integers(0, len(s) - 1))
    expected = sum(max(0.0, sj - s[y] + 1.0) for j, sj in enumerate(s) if j != y)
    assert losses.multiclass_hinge(s, y) == pytest.approx(expected, abs=1e-12)
    kinks = [abs(sj - s[y] + 1.0) for j, sj in enumerate(s) if j != y]
    if min(kinks) > 1e-3:
        gradcheck(lambda *v: losses.multiclass_hinge(list(v), y), s)


@given(st.lists(ordinary, min_size=1, max_size=4), st.data())
def test_mse_and_half_l2_values_and_gradients(p, data):
    t = data.draw(st.lists(ordinary, min_size=len(p), max_size=len(p)))
    assert losses.mse(p, t) == pytest.approx(math.fsum((a - b) ** 2 for a, b in zip(p, t))
                                             / len(p), rel=1e-12, abs=1e-12)
    _, grads = _grads(lambda *v: losses.half_l2(list(v), t), p)
    assert grads == pytest.approx([a - b for a, b in zip(p, t)], abs=1e-12)  # ŷ − y
    gradcheck(lambda *v: losses.mse(list(v), t), p)


@given(st.lists(ordinary, min_size=1, max_size=6), st.floats(0.0, 1.0))
def test_l2_penalty_is_half_lambda_squared_norm_with_gradient_lambda_w(w, lam):
    value, grads = _grads(lambda *v: losses.l2_penalty(v, lam), w)
    assert value == pytest.approx(0.5 * lam * math.fsum(x * x for x in w), rel=1e-12, abs=1e-300)
    assert grads == pytest.approx([lam * x for x in w], rel=1e-12, abs=1e-300)


def test_a_one_element_output_list_counts_as_its_element():
    assert losses.bce_with_logits([0.5], 1) == losses.bce_with_logits(0.5, 1)
    assert losses.hinge([Value(0.2)], 1).data == losses.hinge(0.2, 1)


def test_each_loss_names_its_task():
    assert losses.hinge.task == losses.bce_with_logits.task == "binary"
    assert losses.softmax_cross_entropy.task == losses.multiclass_hinge.task == "multiclass"
    assert losses.mse.task == losses.half_l2.task == "regression"


def test_bad_targets_and_shapes_raise_clear_errors():
    with pytest.raises(ConfigError, match="binary labels"):
        losses.hinge(0.1, 2)
    with pytest.raises(ConfigError, match="class index"):
        losses.softmax_cross_entropy([0.1, 0.2], 2)
    with pytest.raises(ShapeError, match="one output"):
        losses.bce_with_logits([0.1, 0.2], 1)
    with pytest.raises(ShapeError, match="2 outputs but 1 targets"):
        losses.mse([0.1, 0.2], [0.0])
    with pytest.raises(ConfigError, match="unknown loss"):
        losses.get("nope")


@pytest.mark.parametrize("loss", [losses.hinge, losses.bce_with_logits])
def test_binary_losses_build_the_same_graph_for_either_label(loss):
    """The label is data, not a Python branch, so a traced step serves every batch."""
    from autograd import topological_order

    def shape(label):
        out = loss(Value(0.3), label)
        return [n.op.name if n.op else "leaf" for n in topological_order(out)]
    assert shape(0) == shape(1) == shape(-1)


def test_a_value_label_is_used_as_data():
    s = Value(0.25)
    assert losses.hinge(s, Value(-1.0, requires_grad=False)).data == losses.hinge(0.25, -1)
    assert losses.bce_with_logits(s, Value(1.0, requires_grad=False)).data == \
        losses.bce_with_logits(0.25, 1)
