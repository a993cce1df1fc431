"""Activations: by name or function, the engine's own derived ops, PReLU's learnable slope,
RReLU's random/mean slope, Maxout as a neuron."""

import math

import pytest
from hypothesis import given, strategies as st

import autograd.functional as F
from autograd import Value
from autograd.check import gradcheck
from nn import MLP, ConfigError, Layer, MaxoutNeuron, Neuron, PReLU, RReLU, activations, init

xs = st.floats(-20.0, 20.0, allow_nan=False)

ELEMENTWISE = {"identity": lambda x: x, "sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu,
               "leaky_relu": F.leaky_relu, "elu": F.elu, "softplus": F.softplus,
               "hard_sigmoid": F.hard_sigmoid, "hard_tanh": F.hard_tanh}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_by_name_and_by_function_give_the_same_neuron(name):
    fn = activations.FUNCTIONS[name]
    a = Neuron(2, name, init=init.constant(0.7), bias=-0.3)
    b = Neuron(2, fn, init=init.constant(0.7), bias=-0.3)
    for x in ([1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]):
        z = (-0.3 + 0.7 * x[0]) + 0.7 * x[1]  # b + Σ wᵢxᵢ, in the neuron's order
        expected = ELEMENTWISE[name](z)
        assert a(x).data == b(x).data == (expected.data if isinstance(expected, Value)
                                           else expected)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_activations_are_the_engines_derived_ops(name):
    assert activations.FUNCTIONS[name] is ELEMENTWISE[name] or name == "identity"


@given(xs)
def test_activation_values_match_their_formulas(x):
    f = activations.FUNCTIONS
    assert f["sigmoid"](x) == pytest.approx(1 / (1 + math.exp(-x)))
    assert f["tanh"](x) == pytest.approx(math.tanh(x))
    assert f["relu"](x) == max(0.0, x)
    assert f["leaky_relu"](x) == pytest.approx(max(x, 0.01 * x))
    assert f["elu"](x) == pytest.approx(x if x > 0 else math.expm1(x))
    assert f["softplus"](x) == pytest.approx(math.log1p(math.exp(x)))
    assert f["hard_sigmoid"](x) == pytest.approx(max(min(0.25 * x + 0.5, 1.0), 0.0))
    assert f["hard_tanh"](x) == max(min(x, 1.0), -1.0)


def test_activation_parameters_are_passed_by_keyword():
    assert activations.make("leaky_relu", slope=0.2)(-2.0) == -0.4
    assert activations.make("elu", alpha=2.0)(-1.0) == pytest.approx(2 * math.expm1(-1.0))
    with pytest.raises(ConfigError, match="takes no parameter 'slope'"):
        activations.make("relu", slope=0.2)


@given(xs.filter(lambda v: abs(v) > 1e-3), st.floats(0.0, 1.0))
def test_prelu_is_relu_plus_a_times_min_and_learns_its_slope(x, a0):
    act = PReLU(init=a0)
    y = act(Value(x))
    assert y.data == pytest.approx(max(0.0, x) + a0 * min(0.0, x))
    y.backward()
    assert act.a.grad == min(0.0, x)  # ∂/∂a = min(0, x)
    gradcheck(lambda v, a: F.relu(v) + a * F.minimum(v, 0.0), [x, a0])


def test_prelu_slope_is_one_parameter_per_neuron_and_trains():
    model = MLP(1, [3, 1], activation="prelu", activation_kwargs={"init": 0.1}, seed=0)
    slopes = [p for n, p in model.named_parameters() if n.endswith("act.a")]
    assert len(slopes) == 3 and all(s.data == 0.1 for s in slopes)
    out = model([-2.0])[0]
    out.backward()
    assert any(s.grad != 0.0 for s in slopes)


def test_rrelu_draws_slopes_in_training_and_uses_the_mean_in_eval():
    act = RReLU(lower=0.1, upper=0.3, seed=1)
    train = [-act(-1.0) for _ in range(200)]
    assert all(0.1 <= s <= 0.3 for s in train) and len(set(train)) > 100
    act.eval()
    assert act(-1.0) == pytest.approx(-0.2) and act(2.0) == 2.0
    again = RReLU(lower=0.1, upper=0.3, seed=1)
    assert [-again(-1.0) for _ in range(200)] == train  # seeded


def test_maxout_takes_the_max_of_its_linear_pieces_and_doubles_parameters():
    layer = Layer(3, 4, "maxout", seed=0)
    assert layer.num_parameters() == 2 * 4 * (3 + 1)
    neuron = layer.neurons[0]
    assert isinstance(neuron, MaxoutNeuron)
    x = [0.5, -1.0, 2.0]
    pieces = [p(x).data for p in neuron.pieces]
    assert neuron(x).data == max(pieces)
    three = Layer(3, 2, "maxout", activation_kwargs={"pieces": 3}, seed=0)
    assert three.num_parameters() == 3 * 2 * 4


def test_relu_is_maxout_with_one_piece_pinned_to_zero():
    m = MaxoutNeuron(2, pieces=2, init=init.constant(0.0))
    m.pieces[0].w = [Value(1.5), Value(-0.5)]
    relu = Neuron(2, "relu")
    relu.w = [Value(1.5), Value(-0.5)]
    for x in ([1.0, 1.0], [-1.0, 2.0], [3.0, 0.5]):
        assert m(x).data == relu(x).data


def test_a_custom_function_works_but_must_be_registered_to_save():
    cube = lambda x: x * x * x  # noqa: E731
    model = MLP(1, [2, 1], activation=cube, seed=0)
    assert model([2.0])[0].data is not None
    with pytest.raises(ConfigError, match="register"):
        model.config()
    activations.register("cube_for_test", cube)
    assert model.config()["activation"] == "cube_for_test"


def test_unknown_or_wrong_typed_activations_are_config_errors():
    with pytest.raises(ConfigError, match="unknown activation 'sigmoidal'"):
        activations.make("sigmoidal")
    with pytest.raises(ConfigError, match="name or a callable"):
        activations.make(3)
    with pytest.raises(ConfigError, match="neuron type"):
        activations.make("maxout")


def test_maxout_can_be_chosen_by_its_class_too():
    assert activations.name_of(MaxoutNeuron) == "maxout"
    assert Layer(2, 3, MaxoutNeuron, seed=0).num_parameters() == 2 * 3 * 3
