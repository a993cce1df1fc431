"""Modules: parameter discovery and counts, naming, layers returning lists, the linear output
layer, zero_grad, state dicts, shapes."""

import pytest
from hypothesis import given, strategies as st

from autograd import Value
from nn import MLP, ConfigError, Layer, Module, Neuron, ShapeError, StateFileError, init


@pytest.mark.parametrize("nin, sizes, neurons, weights, biases", [
    (3, [4, 2], 6, 20, 6),     # the seeds' left network: 26 parameters
    (3, [4, 4, 1], 9, 32, 9),  # the seeds' right network: 41 parameters
])
def test_parameter_counts_match_the_seeds(nin, sizes, neurons, weights, biases):
    model = MLP(nin, sizes, seed=0)
    assert sum(len(layer.neurons) for layer in model.layers) == neurons
    assert len(model.weights()) == weights
    assert model.num_parameters() == weights + biases


@given(st.integers(1, 5), st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_parameter_count_is_sum_of_fan_in_plus_one_per_neuron(nin, sizes):
    model = MLP(nin, sizes, seed=0)
    dims = [nin] + sizes
    assert model.num_parameters() == sum((dims[i] + 1) * dims[i + 1] for i in range(len(sizes)))
    names = [n for n, _ in model.named_parameters()]
    assert len(set(names)) == len(names)


def test_parameter_names_are_dotted_paths_in_construction_order():
    model = MLP(2, [2, 1], seed=0)
    assert [n for n, _ in model.named_parameters()] == [
        "layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0", "layers.0.neurons.1.w.1", "layers.0.neurons.1.b",
        "layers.1.neurons.0.w.0", "layers.1.neurons.0.w.1", "layers.1.neurons.0.b"]
    assert model.parameters() == [p for _, p in model.named_parameters()]


def test_a_layer_of_one_neuron_still_returns_a_list():
    out = Layer(3, 1, "relu", seed=0)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)


def test_the_output_layer_is_linear_by_default():
    model = MLP(2, [3, 1], activation="relu", init=init.constant(-1.0), seed=0)
    (out,) = model([1.0, 1.0])
    # hidden: relu(-2) = 0; output: linear, b + Σ w·0 = 0; with output_activation it is not.
    assert out.data == 0.0
    model.layers[-1].neurons[0].b.data = -5.0
    assert model([1.0, 1.0])[0].data == -5.0
    relu_out = MLP(2, [3, 1], activation="relu", output_activation="relu", seed=0)
    relu_out.layers[-1].neurons[0].b.data = -5.0
    for n in relu_out.layers[-1].neurons:
        n.w = [Value(0.0) for _ in n.w]
    assert relu_out([1.0, 1.0])[0].data == 0.0


def test_neuron_computes_bias_plus_weighted_sum_then_activation():
    n = Neuron(3, "tanh", init=init.constant(0.5), bias=0.25)
    x = [1.0, -2.0, 4.0]
    z = 0.25 + 0.5 * 1.0 + 0.5 * -2.0 + 0.5 * 4.0
    import math
    assert n(x).data == pytest.approx(math.tanh(z), rel=1e-15)


def test_gradients_reach_every_parameter_and_zero_grad_clears_them():
    model = MLP(2, [4, 3], activation="tanh", seed=1)
    out = model([0.3, -0.7])
    (out[0] + out[1] * out[2]).backward()
    assert all(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_weights_exclude_biases_and_learnable_slopes():
    model = MLP(2, [3, 1], activation="prelu", seed=0)
    names = dict(model.named_parameters())
    assert "layers.0.neurons.0.act.a" in names
    weights = {id(w) for w in model.weights()}
    for name, p in names.items():
        assert (id(p) in weights) == (name.split(".")[-2] == "w")


def test_state_dict_round_trips_and_is_a_copy():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    state = a.state_dict()
    b.load_state_dict(state)
    assert b.state_dict() == state
    state["layers.0.neurons.0.b"] = 99.0
    assert a.state_dict()["layers.0.neurons.0.b"] != 99.0


def test_load_state_dict_with_wrong_names_or_types_changes_nothing():
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    other = MLP(2, [4, 1], seed=0).state_dict()
    with pytest.raises(StateFileError, match="missing.*unexpected"):
        model.load_state_dict(other)
    bad = dict(before, **{"layers.1.neurons.0.b": "0.5"})
    with pytest.raises(StateFileError, match="expected a number"):
        model.load_state_dict(bad)
    bad = dict(before, **{"layers.1.neurons.0.b": True})
    with pytest.raises(StateFileError, match="expected a number"):
        model.load_state_dict(bad)
    assert model.state_dict() == before


def test_same_seed_same_model_different_seed_different_model():
    assert MLP(2, [4, 1], seed=7).state_dict() == MLP(2, [4, 1], seed=7).state_dict()
    assert MLP(2, [4, 1], seed=7).state_dict() != MLP(2, [4, 1], seed=8).state_dict()


def test_wrong_input_length_is_a_shape_error():
    model = MLP(3, [2, 1], seed=0)
    with pytest.raises(ShapeError, match="expects 3 inputs, got 2"):
        model([1.0, 2.0])
    with pytest.raises(ShapeError, match="sequence"):
        model(1.0)


def test_bad_architectures_are_config_errors():
    with pytest.raises(ConfigError):
        MLP(0, [1])
    with pytest.raises(ConfigError):
        MLP(2, [])
    with pytest.raises(ConfigError):
        MLP(2, [0])
    with pytest.raises(ConfigError, match="unknown activation"):
        MLP(2, [1], activation="swishy")
    with pytest.raises(ConfigError, match="unknown initializer"):
        MLP(2, [1], init="nope")


def test_a_custom_module_discovers_values_modules_and_lists():
    class Pair(Module):
        def __init__(self):
            super().__init__()
            self.scale = Value(2.0)
            self.inner = [Neuron(1, "identity", init=init.ones), Neuron(1, "identity")]
            self._private = Value(5.0)  # underscored attributes are not parameters

        def __call__(self, x):
            return self.scale * (self.inner[0]([x]) + self.inner[1]([x]))

    m = Pair()
    assert [n for n, _ in m.named_parameters()] == [
        "scale", "inner.0.w.0", "inner.0.b", "inner.1.w.0", "inner.1.b"]
    assert m.num_parameters() == 5
    assert len(m.modules()) == 3


def test_train_and_eval_set_the_mode_on_every_submodule():
    model = MLP(2, [3, 1], activation="rrelu", seed=0)
    assert all(m.training for m in model.modules())
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_config_rebuilds_the_same_architecture():
    model = MLP(3, [5, 2], activation="leaky_relu", activation_kwargs={"slope": 0.2}, seed=0)
    clone = MLP.from_config(model.config())
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]
    clone.load_state_dict(model.state_dict())
    assert [v.data for v in clone([1.0, -2.0, 3.0])] == [v.data for v in model([1.0, -2.0, 3.0])]


def test_parameters_in_nested_lists_are_refused_but_plain_data_is_ignored():
    class Grid(Module):
        def __init__(self, cells):
            super().__init__()
            self.cells = cells

    assert Grid([[1.0, 2.0], [3.0]]).num_parameters() == 0
    with pytest.raises(ConfigError, match="nested lists"):
        Grid([[Value(1.0)]]).parameters()


def test_a_shared_parameter_is_listed_once():
    class Tied(Module):
        def __init__(self):
            super().__init__()
            self.a = Neuron(1, "identity")
            self.b = Neuron(1, "identity")
            self.b.w = self.a.w  # tied weights

    assert [n for n, _ in Tied().named_parameters()] == ["a.w.0", "a.b", "b.b"]
