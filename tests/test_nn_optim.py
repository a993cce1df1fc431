"""Optimizers: several steps on a small model equal the seeds' update rules written out on
plain floats; schedules; clipping; state that resumes exactly."""

import math

import pytest

from autograd import Value
from nn import MLP, ConfigError, StateFileError, losses, optim

X = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [0.1, 0.1]]
Y = [1, 0, 1, 0]
STEPS = 6


def _model():
    return MLP(2, [3, 1], activation="tanh", seed=3)


def _gradient(model, at):
    """dL/dθ at parameter values ``at`` (floats), computed by the engine; θ left at ``at``."""
    for p, v in zip(model.parameters(), at):
        p.data = v
    model.zero_grad()
    total = 0.0
    for x, y in zip(X, Y):
        total = total + losses.bce_with_logits(model(x), y)
    (total * 0.25).backward()
    return [p.grad for p in model.parameters()]


def _run(opt_factory, steps=STEPS):
    model = _model()
    opt = opt_factory(model.parameters())
    for _ in range(steps):
        _gradient(model, [p.data for p in model.parameters()])
        opt.step()
    return [p.data for p in model.parameters()]


def _reference(rule, steps=STEPS):
    """Run ``rule(x, dx, state, t)`` on plain floats, gradient from a twin model."""
    model = _model()
    x = [p.data for p in model.parameters()]
    state: dict = {}
    for t in range(1, steps + 1):
        dx = _gradient(model, x)
        x = rule(x, dx, state, t)
    return x


def test_sgd_is_x_minus_lr_dx():
    lr = 0.3

    def rule(x, dx, s, t):
        return [xi + -lr * di for xi, di in zip(x, dx)]
    assert _run(lambda p: optim.SGD(p, lr=lr)) == _reference(rule)


def test_sgd_weight_decay_adds_lambda_x_to_the_gradient():
    lr, lam = 0.3, 0.05

    def rule(x, dx, s, t):
        return [xi + -lr * (di + lam * xi) for xi, di in zip(x, dx)]
    assert _run(lambda p: optim.SGD(p, lr=lr, weight_decay=lam)) == _reference(rule)


def test_weight_decay_equals_the_gradient_of_the_l2_penalty():
    model, lam = _model(), 0.05
    opt = optim.SGD(model.parameters(), lr=0.1, weight_decay=lam, decay=model.weights())
    _gradient(model, [p.data for p in model.parameters()])
    decayed = opt.gradients()
    model.zero_grad()
    total = 0.0
    for x, y in zip(X, Y):
        total = total + losses.bce_with_logits(model(x), y)
    (total * 0.25 + losses.l2_penalty(model.weights(), lam)).backward()
    assert decayed == pytest.approx([p.grad for p in model.parameters()], rel=1e-12, abs=1e-15)


def test_momentum_is_v_mu_v_minus_lr_dx_then_x_plus_v():
    lr, mu = 0.2, 0.9

    def rule(x, dx, s, t):
        v = s.setdefault("v", [0.0] * len(x))
        for i in range(len(x)):
            v[i] = mu * v[i] - lr * dx[i]
        return [xi + vi for xi, vi in zip(x, v)]
    assert _run(lambda p: optim.Momentum(p, lr=lr, momentum=mu)) == _reference(rule)


def test_nesterov_is_the_seeds_rewritten_form():
    lr, mu = 0.2, 0.9

    def rule(x, dx, s, t):
        v = s.setdefault("v", [0.0] * len(x))
        out = []
        for i in range(len(x)):
            v_prev = v[i]
            v[i] = mu * v[i] - lr * dx[i]
            out.append(x[i] + (-mu * v_prev + (1 + mu) * v[i]))
        return out
    assert _run(lambda p: optim.Nesterov(p, lr=lr, momentum=mu)) == _reference(rule)


def test_nesterov_parameters_are_the_look_ahead_point_of_the_original_form():
    """x_ahead = x + μv; v = μv − lr·dx_ahead; x += v.  Our parameters hold x + μv."""
    lr, mu = 0.2, 0.9
    model = _model()
    x = [p.data for p in model.parameters()]
    v = [0.0] * len(x)
    ahead = []
    for _ in range(STEPS):
        x_ahead = [xi + mu * vi for xi, vi in zip(x, v)]
        dx_ahead = _gradient(model, x_ahead)
        v = [mu * vi - lr * di for vi, di in zip(v, dx_ahead)]
        x = [xi + vi for xi, vi in zip(x, v)]
        ahead = [xi + mu * vi for xi, vi in zip(x, v)]
    ours = _run(lambda p: optim.Nesterov(p, lr=lr, momentum=mu))
    assert ours == pytest.approx(ahead, rel=1e-12, abs=1e-14)


def test_adagrad_divides_by_the_root_of_the_summed_squares():
    lr, eps = 0.1, 1e-8

    def rule(x, dx, s, t):
        cache = s.setdefault("cache", [0.0] * len(x))
        out = []
        for i in range(len(x)):
            cache[i] += dx[i] ** 2
            out.append(x[i] + -lr * dx[i] / (math.sqrt(cache[i]) + eps))
        return out
    assert _run(lambda p: optim.Adagrad(p, lr=lr, eps=eps)) == _reference(rule)


def test_rmsprop_keeps_a_decaying_average_of_squares():
    lr, d, eps = 0.01, 0.9, 1e-8

    def rule(x, dx, s, t):
        cache = s.setdefault("cache", [0.0] * len(x))
        out = []
        for i in range(len(x)):
            cache[i] = d * cache[i] + (1 - d) * dx[i] ** 2
            out.append(x[i] + -lr * dx[i] / (math.sqrt(cache[i]) + eps))
        return out
    assert _run(lambda p: optim.RMSprop(p, lr=lr, decay_rate=d, eps=eps)) == _reference(rule)


def test_adam_moments_and_bias_correction():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8

    def rule(x, dx, s, t):
        m = s.setdefault("m", [0.0] * len(x))
        v = s.setdefault("v", [0.0] * len(x))
        out = []
        for i in range(len(x)):
            m[i] = b1 * m[i] + (1 - b1) * dx[i]
            v[i] = b2 * v[i] + (1 - b2) * (dx[i] ** 2)
            m_hat = m[i] / (1 - b1 ** t)
            v_hat = v[i] / (1 - b2 ** t)
            out.append(x[i] + -lr * m_hat / (math.sqrt(v_hat) + eps))
        return out
    assert _run(lambda p: optim.Adam(p, lr=lr, beta1=b1, beta2=b2, eps=eps)) == _reference(rule)


def test_adam_first_step_moves_each_parameter_by_about_lr():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    before = [p.data for p in model.parameters()]
    _gradient(model, before)
    grads = [p.grad for p in model.parameters()]
    opt.step()
    for b, p, g in zip(before, model.parameters(), grads):
        if abs(g) > 1e-6:
            assert p.data - b == pytest.approx(-0.01 * math.copysign(1.0, g), rel=1e-3)


@pytest.mark.parametrize("schedule, expected", [
    (optim.step_decay(0.1, factor=0.5, every=2), [0.1, 0.1, 0.05, 0.05, 0.025]),
    (optim.exponential(0.1, k=0.5), [0.1 * math.exp(-0.5 * t) for t in range(5)]),
    (optim.inverse_time(0.1, k=1.0), [0.1 / (1 + t) for t in range(5)]),
    (optim.linear(1.0, 0.1, 100), [1.0 - 0.9 * t / 100 for t in range(5)]),
])
def test_schedules_follow_their_formulas_in_the_step_count(schedule, expected):
    x = Value(1.0)
    opt = optim.SGD([x], lr=schedule)
    seen = []
    for _ in range(5):
        seen.append(opt.current_lr())
        x.grad = 0.0
        opt.step()
    assert seen == pytest.approx(expected, rel=1e-12)


def test_clip_grad_norm_scales_to_the_limit_and_leaves_small_gradients():
    ps = [Value(0.0) for _ in range(3)]
    for p, g in zip(ps, [3.0, 0.0, 4.0]):
        p.grad = g
    assert optim.clip_grad_norm(ps, 1.0) == 5.0
    assert optim.grad_norm(ps) == pytest.approx(1.0)
    assert [p.grad for p in ps] == pytest.approx([0.6, 0.0, 0.8])
    assert optim.clip_grad_norm(ps, 10.0) == pytest.approx(1.0)
    assert [p.grad for p in ps] == pytest.approx([0.6, 0.0, 0.8])


def test_clip_grad_value_clamps_each_gradient():
    ps = [Value(0.0) for _ in range(3)]
    for p, g in zip(ps, [-7.0, 0.5, 2.0]):
        p.grad = g
    optim.clip_grad_value(ps, 1.0)
    assert [p.grad for p in ps] == [-1.0, 0.5, 1.0]


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_optimizer_state_resumes_bit_for_bit(name):
    cls = optim.OPTIMIZERS[name]
    straight = _run(lambda p: cls(p, lr=optim.step_decay(0.05, 0.5, 3)), steps=6)
    model = _model()
    opt = cls(model.parameters(), lr=optim.step_decay(0.05, 0.5, 3))
    for _ in range(3):
        _gradient(model, [p.data for p in model.parameters()])
        opt.step()
    state = opt.state_dict()
    resumed = cls(model.parameters(), lr=1.0)
    resumed.load_state_dict(state)
    assert resumed.t == 3 and resumed.current_lr() == opt.current_lr()
    for _ in range(3):
        _gradient(model, [p.data for p in model.parameters()])
        resumed.step()
    assert [p.data for p in model.parameters()] == straight


def test_loading_a_wrong_optimizer_state_changes_nothing():
    model = _model()
    adam = optim.Adam(model.parameters(), lr=0.01)
    _gradient(model, [p.data for p in model.parameters()])
    adam.step()
    good = adam.state_dict()
    for bad, message in [
        ({**good, "type": "SGD"}, "not Adam"),
        ({**good, "t": -1}, "step count"),
        ({**good, "slots": {"m": good["slots"]["m"][:-1], "v": good["slots"]["v"]}}, "needs"),
        ({**good, "slots": {"m": ["x"] * len(good["slots"]["m"]), "v": good["slots"]["v"]}},
         "expected a number"),
    ]:
        before = (adam.t, {k: list(v) for k, v in adam.slots.items()})
        with pytest.raises(StateFileError, match=message):
            adam.load_state_dict(bad)
        assert (adam.t, adam.slots) == before


def test_bad_optimizer_settings_raise_config_errors():
    with pytest.raises(ConfigError, match="no parameters"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ConfigError, match="not a Value"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(ConfigError, match="lr"):
        optim.SGD([Value(1.0)], lr=-1)
    with pytest.raises(ConfigError, match="betas"):
        optim.Adam([Value(1.0)], beta1=1.0)
