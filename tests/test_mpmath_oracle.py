"""mpmath at 50 digits as the third oracle (beside forward mode and central differences):
value, first and second derivative of each op, in ulps of the exact result, to the bound
stated once in :data:`autograd.functional.ULP_BOUNDS`; the losses at logits up to ±1e300 and
their gradients; and the named cases of the numerics issue with their true values."""

from __future__ import annotations

import math

import mpmath
import pytest
from hypothesis import given, settings, strategies as st

from autograd import Value, ops
from autograd import functional as F
from autograd.graph import derivative, grad
from nn import losses

mpmath.mp.dps = 50
M = mpmath.mpf
DBL_MAX = 1.7976931348623157e308
EXTREMES = (0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-10, -1e-10, 1.0, -1.0, 20.0,
            -20.0, 40.0, -40.0, 700.0, -700.0, 710.0, -710.0, 1e300, -1e300, DBL_MAX,
            -DBL_MAX)
SETTINGS = settings(max_examples=60, deadline=None)


def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


#: name → the exact value, first and second derivative (closed forms, in mpmath).
EXACT = {
    "exp": (mpmath.exp, mpmath.exp, mpmath.exp),
    "log": (mpmath.log, lambda x: 1 / x, lambda x: -1 / x ** 2),
    "log1p": (mpmath.log1p, lambda x: 1 / (1 + x), lambda x: -1 / (1 + x) ** 2),
    "expm1": (mpmath.expm1, mpmath.exp, mpmath.exp),
    "sqrt": (mpmath.sqrt, lambda x: 1 / (2 * mpmath.sqrt(x)),
             lambda x: -1 / (4 * x * mpmath.sqrt(x))),
    "neg": (lambda x: -x, lambda x: M(-1), lambda x: M(0)),
    "tanh": (mpmath.tanh, lambda x: 1 / mpmath.cosh(x) ** 2,
             lambda x: -2 * mpmath.tanh(x) / mpmath.cosh(x) ** 2),
    "sigmoid": (_sig, lambda x: _sig(x) * _sig(-x),
                lambda x: -mpmath.tanh(x / 2) * _sig(x) * _sig(-x)),
    "softplus": (lambda x: mpmath.log1p(mpmath.exp(x)), _sig,
                 lambda x: _sig(x) * _sig(-x)),
    "swish": (lambda x: x * _sig(x), None, None),
    # piecewise ops, away from their kinks (the ½/½ tie there is pinned elsewhere)
    "relu": (lambda x: max(x, 0), lambda x: M(x > 0), lambda x: M(0)),
    "abs": (abs, lambda x: M(1 if x > 0 else -1), lambda x: M(0)),
    "elu": (lambda x: x if x > 0 else mpmath.expm1(x), lambda x: M(1) if x > 0 else mpmath.exp(x),
            lambda x: M(0) if x > 0 else mpmath.exp(x)),
    "leaky_relu": (lambda x: x if x > 0 else M("0.01") * x,
                   lambda x: M(1) if x > 0 else M("0.01"), lambda x: M(0)),
    "hard_tanh": (lambda x: min(max(x, -1), 1), lambda x: M(abs(x) < 1), lambda x: M(0)),
    "hard_sigmoid": (lambda x: min(max(x / 4 + M("0.5"), 0), 1), lambda x: M(abs(x) < 2) / 4,
                     lambda x: M(0)),
}


def _kinks(name):
    return ops.REGISTRY[name].domain_of(0).kinks


def _inside(name, x):
    return ops.REGISTRY[name].domain_of(0).contains(x)


def ulps(got: float, exact) -> float:
    """|got − exact| in ulps of the exact result rounded to a float."""
    want = float(exact)
    if got == want:
        return 0.0
    if math.isnan(got) or math.isinf(got):
        return math.inf
    return float(abs(M(got) - exact) / math.ulp(want))


def _representable(exact) -> bool:
    return isinstance(exact, mpmath.mpf) and mpmath.isfinite(exact) and abs(exact) <= DBL_MAX


def _fn(name):
    return getattr(F, name)


def _check_unary(name: str, x: float) -> None:
    if not _inside(name, x) or x in _kinks(name):
        return
    fn = _fn(name)
    got = (fn(x), derivative(fn)(x), derivative(derivative(fn))(x))
    for order, (exact_fn, bound) in enumerate(zip(EXACT[name], F.ULP_BOUNDS[name])):
        if bound is None:
            continue
        exact = exact_fn(M(x))
        if not _representable(exact) or (name == "sqrt" and order == 2 and
                                          not _representable(4 * exact)):
            continue  # see ULP_BOUNDS: x**k's second derivative overflows with x^(k-2)
        assert ulps(float(got[order]), exact) <= bound, (name, order, x, got[order],
                                                         float(exact))


@pytest.mark.parametrize("name", sorted(EXACT))
def test_every_unary_op_matches_mpmath_at_the_extremes(name):
    for x in EXTREMES:
        _check_unary(name, x)


@pytest.mark.parametrize("name", sorted(EXACT))
@SETTINGS
@given(x=st.one_of(st.floats(-40, 40), st.floats(allow_nan=False, allow_infinity=False)))
def test_every_unary_op_matches_mpmath_to_its_stated_ulp_bound(name, x):
    _check_unary(name, x)


def _hessian(f, xs):
    leaves = [Value(x) for x in xs]
    gs = grad(f(*leaves), leaves, create_graph=True)
    return [g.data if isinstance(g, Value) else g for g in gs], \
        [[float(getattr(h, "data", h)) for h in grad(g, leaves)] if isinstance(g, Value)
         else [0.0] * len(xs) for g in gs]


def _check_binary(name, f, exact, partials, second, xs, widen=1.0, scale2=None,
                  value_cond=False):
    """``widen`` multiplies the derivative bounds, and the value's by 1 + its condition
    number; ``scale2(x, y)[i][j]`` is the magnitude a Hessian entry's ulps are taken of."""
    bound = F.ULP_BOUNDS[name]
    bound = (bound[0], bound[1] * widen, bound[2] * widen)
    value = f(*xs)
    want = exact(*map(M, xs))
    cond = 1 if want == 0 or not value_cond else 1 + float(
        sum(abs(M(x) * p) for x, p in zip(xs, partials(*map(M, xs)))) / abs(want))
    assert ulps(value, want) <= bound[0] * cond, (name, xs, value, float(want))
    g, h = _hessian(f, xs)
    for i in range(2):
        want = partials(*map(M, xs))[i]
        if _representable(want):
            assert ulps(g[i], want) <= bound[1], (name, xs, i, g[i], float(want))
        for j in range(2):
            want = second(*map(M, xs))[i][j]
            if not _representable(want):
                continue
            if scale2 is None:
                assert ulps(h[i][j], want) <= bound[2], (name, xs, i, j, h[i][j], float(want))
            else:
                unit = math.ulp(float(scale2(*map(M, xs))[i][j]))
                assert abs(M(h[i][j]) - want) <= bound[2] * unit, (name, xs, i, j, h[i][j])


@SETTINGS
@given(x=st.floats(1e-3, 1e3), y=st.floats(-40, 40))
def test_pow_of_two_values_matches_mpmath_with_its_hessian(x, y):
    def partials(x, y):
        return (y * x ** (y - 1), x ** y * mpmath.log(x))

    def second(x, y):
        lx = mpmath.log(x)
        cross = x ** (y - 1) * (1 + y * lx)
        return ((y * (y - 1) * x ** (y - 2), cross), (cross, x ** y * lx * lx))
    def scale2(x, y):
        lx = mpmath.log(x)
        cross = x ** (y - 1) * max(1, abs(y * lx))
        return ((abs(y * (y - 1)) * x ** (y - 2), cross), (cross, x ** y * lx * lx))
    _check_binary("pow", lambda a, b: a ** b, lambda a, b: a ** b, partials, second, (x, y),
                  widen=1.0 + abs(math.log(x)), scale2=scale2)


_moderate = st.one_of(st.sampled_from((0.0, 5e-324, -1e-300, 1e-10, 1.0, -20.0, 700.0)),
                     st.floats(-1e100, 1e100), st.floats(-10, 10))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
@SETTINGS
@given(a=_moderate, b=_moderate)
def test_arithmetic_matches_mpmath_with_its_hessian(name, a, b):
    from hypothesis import assume
    if name == "div":
        assume(b != 0.0 and abs(b) > 1e-100 and (a == 0.0 or abs(a / b) >= 2.0 ** -1022))
    forms = {
        "add": (lambda a, b: a + b, lambda a, b: (M(1), M(1)), lambda a, b: ((0, 0), (0, 0))),
        "sub": (lambda a, b: a - b, lambda a, b: (M(1), M(-1)), lambda a, b: ((0, 0), (0, 0))),
        "mul": (lambda a, b: a * b, lambda a, b: (b, a), lambda a, b: ((0, 1), (1, 0))),
        "div": (lambda a, b: a / b, lambda a, b: (1 / b, -a / b ** 2),
                    lambda a, b: ((0, -1 / b ** 2), (-1 / b ** 2, 2 * a / b ** 3))),
    }
    exact, partials, second = forms[name]
    second_mp = lambda a, b: tuple(tuple(M(v) for v in row) for row in second(a, b))  # noqa
    _check_binary(name, exact, exact, partials, second_mp, (a, b))  # the operators on Values


_logit = st.one_of(st.sampled_from(EXTREMES[:-2]), st.floats(-50, 50), st.floats(-1e300, 1e300))


@SETTINGS
@given(a=_logit, b=_logit)
def test_logaddexp_matches_mpmath_with_its_hessian(a, b):
    def exact(a, b):
        return max(a, b) + mpmath.log1p(mpmath.exp(-abs(a - b)))

    def partials(a, b):
        return (_sig(a - b), _sig(b - a))

    def second(a, b):
        s = _sig(a - b) * _sig(b - a)
        return ((s, -s), (-s, s))
    _check_binary("logaddexp", F.logaddexp, exact, partials, second, (a, b),
                  widen=1.0 + abs(a - b), value_cond=True)


# --- losses against mpmath at logits up to ±1e300 ---------------------------------------------

def _mp_softmax_ce(z, y):
    z = [M(v) for v in z]  # differences of floats are exact in mpmath's big exponents
    others = mpmath.fsum(mpmath.exp(v - z[y]) for i, v in enumerate(z) if i != y)
    total = 1 + others
    probs = [mpmath.exp(v - z[y]) / total for v in z]
    return mpmath.log1p(others), [p - (1 if i == y else 0) for i, p in enumerate(probs)]


# value and gradient within (4 + n)·(1 + max |zᵢ − z_y|) ulps: the differences zᵢ − z_y are
# rounded once, which the exact loss is sensitive to by that factor (its condition number)
LOSS_BOUND_ULPS = 4


@SETTINGS
@given(z=st.lists(_logit, min_size=2, max_size=5), data=st.data())
def test_softmax_cross_entropy_and_gradient_match_mpmath(z, data):
    y = data.draw(st.integers(0, len(z) - 1))
    exact, exact_grad = _mp_softmax_ce(z, y)
    leaves = [Value(v) for v in z]
    loss = losses.softmax_cross_entropy(leaves, y)
    bound = (LOSS_BOUND_ULPS + len(z)) * (1 + max(abs(M(v) - M(z[y])) for v in z))
    if _representable(exact):
        assert ulps(loss.data, exact) <= bound, (z, y, loss.data, float(exact))
    got = grad(loss, leaves)
    for g, want in zip(got, exact_grad):
        assert abs(M(g) - want) <= bound * math.ulp(max(abs(float(want)), 1.0)), (z, y)
    assert abs(sum(got)) <= 4 * len(z) * 2.0 ** -52


@SETTINGS
@given(z=_logit, y=st.sampled_from([0, 1]))
def test_bce_with_logits_and_gradient_match_mpmath(z, y):
    exact = mpmath.log1p(mpmath.exp(-M(z))) if y == 1 else mpmath.log1p(mpmath.exp(M(z)))
    v = Value(z)
    loss = losses.bce_with_logits(v, y)
    if _representable(exact):
        assert ulps(loss.data, exact) <= LOSS_BOUND_ULPS, (z, y, loss.data, float(exact))
    (g,) = grad(loss, [v])
    want = _sig(M(z)) if y == 0 else -_sig(-M(z))
    assert ulps(g, want) <= LOSS_BOUND_ULPS, (z, y, g, float(want))


# --- the named cases, with their true values ----------------------------------------------------

def test_three_equal_logits_of_1e16_give_ln3_and_gradients_to_an_ulp():
    z = [Value(1e16) for _ in range(3)]
    loss = losses.softmax_cross_entropy(z, 1)
    assert ulps(loss.data, mpmath.log(3)) <= 2
    for got, true in zip(grad(loss, z), (mpmath.mpf(1) / 3, -mpmath.mpf(2) / 3, mpmath.mpf(1) / 3)):
        assert ulps(got, true) <= 1


def test_softmax_gradient_is_accurate_where_logits_are_close_to_each_other_but_far_from_the_target():
    # z_i − z_y rounds away the 1.19e-7 between z0 and z1; differences to the largest do not
    z = [Value(0.0), Value(1.192092896e-07), Value(-1073741824.0)]
    g = grad(losses.softmax_cross_entropy(z, 2), z)
    e = mpmath.exp(mpmath.mpf(1.192092896e-07))
    assert ulps(g[0], 1 / (1 + e)) <= 4 and ulps(g[1], e / (1 + e)) <= 4


def test_three_equal_logits_of_1000_give_ln3_to_a_few_ulps():
    z = [Value(1000.0) for _ in range(3)]
    assert ulps(losses.softmax_cross_entropy(z, 0).data, mpmath.log(3)) <= 2


def test_bce_with_logits_is_accurate_on_both_sides_of_zero():
    truth = mpmath.exp(-40) * 0 + mpmath.log1p(mpmath.exp(-40))  # 4.248354255291589e-18
    assert ulps(losses.bce_with_logits(40.0, 1), truth) <= 1
    assert ulps(losses.bce_with_logits(-40.0, 0), truth) <= 1


def test_mse_does_not_overflow_where_the_mean_is_finite():
    assert losses.mse([1.4e154, 0.0], [0.0, 0.0]) == 9.8e307
    assert losses.mse([1.4e154], [0.0]) == math.inf  # 1.96e308 is beyond the float range
    assert losses.mse([1e300, 1e300], [-1e300, 0.0]) == math.inf  # 2.5e600: truly beyond
    assert ulps(losses.mse([1e-160, 0.0], [0.0, 0.0]), M(1e-160) ** 2 / 2) <= 2**20


def test_mse_gradient_is_finite_where_the_result_is():
    x = Value(1.4e154)
    (g,) = grad(losses.mse([x, 0.0], [0.0, 0.0]), [x])
    assert g == 1.4e154


def test_clip_grad_norm_scales_like_hypot():
    from nn.optim import clip_grad_norm
    ps = [Value(0.0) for _ in range(3)]
    for p, g in zip(ps, (1e300, 1e300, 1.0)):
        p.grad = g
    norm = clip_grad_norm(ps, 1.0)
    assert ulps(norm, mpmath.sqrt(2 * M(1e300) ** 2 + 1)) <= 1
    assert ulps(ps[0].grad, 1 / mpmath.sqrt(2)) <= 2 and ps[2].grad > 0.0


def test_abs_of_negative_zero_is_positive_zero():
    assert math.copysign(1.0, abs(Value(-0.0)).data) == 1.0
    assert math.copysign(1.0, abs(Value(0.0)).data) == 1.0
    x = Value(-0.0)
    (g,) = grad(abs(x), [x])
    assert g == 0.0  # the max tie: ½·1 + ½·(−1)
