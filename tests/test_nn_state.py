"""The state file: exact round trips, clear errors on any corruption with nothing changed, and
atomic writes."""

import json
import math
import os
import struct

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nn import MLP, Module, StateFileError, Trainer, data, losses, optim, state
from autograd import Value

any_float = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
ARCH_ACTS = ["relu", "tanh", "sigmoid", "leaky_relu", "elu", "softplus", "hard_tanh",
             "hard_sigmoid", "identity", "prelu", "rrelu", "maxout"]


def _same_float(a: float, b: float) -> bool:
    if a != a:
        return b != b
    return struct.pack("<d", a) == struct.pack("<d", b)  # -0.0 differs from 0.0


def _trained(tmp_path, epochs=2):
    X, y = data.two_moons(24, noise=0.1, seed=0)
    model = MLP(2, [4, 1], activation="relu", seed=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    trainer = Trainer(model, losses.hinge, opt, batch_size=8, seed=0, progress=False)
    trainer.fit(X, y, epochs=epochs, validation=(X[:6], y[:6]))
    path = tmp_path / "m.json"
    model.save(path, optimizer=opt, trainer=trainer)
    return model, opt, trainer, path


def _snapshot(model, opt, trainer):
    return (json.dumps(model.state_dict(), sort_keys=True),
            json.dumps(opt.state_dict(), sort_keys=True),
            json.dumps(trainer.state_dict(), sort_keys=True))


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nin=st.integers(1, 3), sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
       act=st.sampled_from(ARCH_ACTS), data_=st.data())
def test_random_models_round_trip_every_float_exactly(tmp_path, nin, sizes, act, data_):
    model = MLP(nin, sizes, activation=act, seed=0)
    values = data_.draw(st.lists(any_float, min_size=model.num_parameters(),
                                 max_size=model.num_parameters()))
    for p, v in zip(model.parameters(), values):
        p.data = v
    path = tmp_path / "r.json"
    model.save(path)
    loaded = MLP.load(path)
    assert loaded.config() == model.config()
    assert [n for n, _ in loaded.named_parameters()] == [n for n, _ in model.named_parameters()]
    assert all(_same_float(a.data, b) for a, b in zip(loaded.parameters(), values))
    json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"non-standard {c}"))


def test_the_file_is_strict_json_with_a_format_marker_and_named_parameters(tmp_path):
    model, opt, trainer, path = _trained(tmp_path)
    payload = json.loads(path.read_text())
    assert payload["format"] == "pathgrad.nn.state" and payload["version"] == 1
    assert payload["model"] == {"class": "MLP", "config": model.config()}
    assert list(payload["parameters"]) == [n for n, _ in model.named_parameters()]
    assert payload["optimizer"]["type"] == "Adam" and payload["optimizer"]["t"] == 6
    assert payload["trainer"]["epoch"] == 2
    assert payload["checksum"].startswith("sha256:")


def test_infinities_and_nan_are_written_as_strings(tmp_path):
    model = MLP(1, [1], seed=0)
    model.layers[0].neurons[0].w[0].data = math.inf
    model.layers[0].neurons[0].b.data = math.nan
    model.save(tmp_path / "x.json")
    params = json.loads((tmp_path / "x.json").read_text())["parameters"]
    assert params == {"layers.0.neurons.0.w.0": "inf", "layers.0.neurons.0.b": "nan"}
    back = MLP.load(tmp_path / "x.json")
    assert back.layers[0].neurons[0].w[0].data == math.inf
    assert math.isnan(back.layers[0].neurons[0].b.data)


def test_restore_brings_back_model_optimizer_and_trainer(tmp_path):
    model, opt, trainer, path = _trained(tmp_path)
    expected = _snapshot(model, opt, trainer)
    m2 = MLP(2, [4, 1], activation="relu", seed=5)
    o2 = optim.Adam(m2.parameters(), lr=0.5)
    t2 = Trainer(m2, losses.hinge, o2, batch_size=8, seed=9, progress=False)
    m2.restore(path, optimizer=o2, trainer=t2)
    assert _snapshot(m2, o2, t2) == expected


def _expect_rejected(path, model, opt, trainer, match=None):
    before = _snapshot(model, opt, trainer)
    with pytest.raises(StateFileError, match=match):
        model.restore(path, optimizer=opt, trainer=trainer)
    assert _snapshot(model, opt, trainer) == before


def _fresh(seed=3):
    m = MLP(2, [4, 1], activation="relu", seed=seed)
    o = optim.Adam(m.parameters(), lr=0.01)
    return m, o, Trainer(m, losses.hinge, o, batch_size=8, seed=seed, progress=False)


def test_truncated_files_raise_and_change_nothing(tmp_path):
    _, _, _, path = _trained(tmp_path)
    raw = path.read_bytes()
    model, opt, trainer = _fresh()
    cuts = sorted({0, 1, 2, 10, len(raw) // 2, len(raw) - 2, len(raw) - 1}
                  | set(range(0, len(raw), max(1, len(raw) // 40))))
    for cut in cuts:
        if raw[:cut].strip() == raw.strip():
            continue  # only the trailing newline was cut: the file is whole
        path.write_bytes(raw[:cut])
        _expect_rejected(path, model, opt, trainer)
        with pytest.raises(StateFileError):
            MLP.load(path)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(0.0, 1.0, exclude_max=True), bit=st.integers(0, 7))
def test_a_flipped_bit_is_caught_or_changes_nothing_that_matters(tmp_path, position, bit):
    model, opt, trainer, path = _trained(tmp_path, epochs=1)
    good = _snapshot(model, opt, trainer)
    raw = bytearray(path.read_bytes())
    i = int(position * len(raw))
    raw[i] ^= 1 << bit
    path.write_bytes(bytes(raw))
    m2, o2, t2 = _fresh()
    before = _snapshot(m2, o2, t2)
    try:
        m2.restore(path, optimizer=o2, trainer=t2)
    except StateFileError:
        assert _snapshot(m2, o2, t2) == before
    else:  # e.g. 1e-05 → 1E-05: the same numbers, so loading them is right
        assert _snapshot(m2, o2, t2) == good


def _rewrite(path, edit):
    """Edit the payload and re-sign it, to reach the checks behind the checksum."""
    payload = json.loads(path.read_text())
    edit(payload)
    body = {k: payload[k] for k in ("model", "parameters", "optimizer", "trainer")}
    path.write_text(state.dumps(body))


@pytest.mark.parametrize("edit, match", [
    (lambda p: p["parameters"].pop("layers.0.neurons.0.b"), "missing"),
    (lambda p: p["parameters"].update({"layers.9.neurons.0.b": 1.0}), "unexpected"),
    (lambda p: p["parameters"].update({"layers.0.neurons.0.b": "0.5"}), "expected a number"),
    (lambda p: p["parameters"].update({"layers.0.neurons.0.b": [0.5]}), "expected a number"),
    (lambda p: p["parameters"].update({"layers.0.neurons.0.b": None}), "expected a number"),
    (lambda p: p["parameters"].update({"layers.0.neurons.0.b": False}), "expected a number"),
    (lambda p: p.update({"parameters": [1.0, 2.0]}), "parameters"),
    (lambda p: p["optimizer"].update({"type": "SGD"}), "not Adam"),
    (lambda p: p["optimizer"]["slots"]["m"].pop(), "needs"),
    (lambda p: p["optimizer"]["slots"].update({"m": "zeros"}), "needs"),
    (lambda p: p["optimizer"].update({"t": 1.5}), "step count"),
    (lambda p: p["optimizer"].update({"params": ["a"] * 17}), "different parameters"),
    (lambda p: p["trainer"].update({"epoch": "two"}), "epoch"),
    (lambda p: p["trainer"].update({"rng": [3, "abc", None]}), "rng"),
    (lambda p: p["trainer"]["rng"].update({"words": "xyz"}), "rng words"),
    (lambda p: p["trainer"]["rng"].update({"pos": 9999}), "rng state is malformed"),
    (lambda p: p["trainer"]["rng"].update({"version": "3"}), "rng state is malformed"),
    (lambda p: p["trainer"].update({"history": {"loss": 1}}), "history"),
    (lambda p: p.update({"trainer": None}), "no trainer state"),
    (lambda p: p.update({"optimizer": 7}), "optimizer"),
])
def test_wrong_shapes_and_types_raise_clear_errors_and_change_nothing(tmp_path, edit, match):
    _, _, _, path = _trained(tmp_path, epochs=1)
    _rewrite(path, edit)
    model, opt, trainer = _fresh()
    _expect_rejected(path, model, opt, trainer, match)


def test_a_model_of_another_shape_is_rejected(tmp_path):
    _, _, _, path = _trained(tmp_path, epochs=1)
    other = MLP(2, [5, 1], seed=0)
    before = other.state_dict()
    with pytest.raises(StateFileError, match="do not match this MLP"):
        other.restore(path)
    assert other.state_dict() == before


@pytest.mark.parametrize("edit, match", [
    (lambda p: p.update({"model": None}), "'model' must be"),
    (lambda p: p["model"].update({"class": "CNN"}), "unknown model class"),
    (lambda p: p["model"]["config"].update({"sizes": "abc"}), "cannot rebuild"),
    (lambda p: p["model"]["config"].update({"activation": "swishy"}), "cannot rebuild"),
    (lambda p: p["model"]["config"].update({"depth": 3}), "cannot rebuild"),
])
def test_a_bad_architecture_cannot_be_loaded(tmp_path, edit, match):
    _, _, _, path = _trained(tmp_path, epochs=1)
    _rewrite(path, edit)
    with pytest.raises(StateFileError, match=match):
        MLP.load(path)


@pytest.mark.parametrize("text, match", [
    ("", "not a complete JSON"), ("[1, 2]", "expected a JSON object"),
    ('{"format": "other"}', "not a pathgrad state file"),
    ('{"format": "pathgrad.nn.state", "version": 99}', "unsupported state file version"),
    ('{"format": "pathgrad.nn.state", "version": 1}', "wrong top-level keys"),
    ('{"a": NaN}', "non-standard JSON literal"), ('{"a": 1, "a": 2}', "duplicate key"),
])
def test_malformed_files_name_the_problem_and_the_file(tmp_path, text, match):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(StateFileError, match=match) as info:
        MLP.load(path)
    assert str(path) in str(info.value)


def test_binary_garbage_and_missing_files_are_state_file_errors(tmp_path):
    path = tmp_path / "bin.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(StateFileError, match="not UTF-8"):
        MLP.load(path)
    with pytest.raises(StateFileError, match="cannot read"):
        MLP.load(tmp_path / "absent.json")


def test_a_hand_edited_file_needs_verify_false(tmp_path):
    model, _, _, path = _trained(tmp_path, epochs=1)
    payload = json.loads(path.read_text())
    payload["parameters"]["layers.0.neurons.0.b"] = 0.5
    path.write_text(json.dumps(payload, indent=1))
    with pytest.raises(StateFileError, match="checksum mismatch"):
        MLP.load(path)
    assert MLP.load(path, verify=False).state_dict()["layers.0.neurons.0.b"] == 0.5


@pytest.mark.parametrize("fail_at", ["fsync", "replace"])
def test_an_interrupted_write_leaves_the_previous_file_intact(tmp_path, monkeypatch, fail_at):
    model, opt, trainer, path = _trained(tmp_path, epochs=1)
    previous = path.read_bytes()
    for p in model.parameters():
        p.data += 1.0

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")
    monkeypatch.setattr(state.os, fail_at, crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(path, optimizer=opt, trainer=trainer)
    monkeypatch.undo()
    assert path.read_bytes() == previous
    assert sorted(os.listdir(tmp_path)) == ["m.json"]  # no temporary file left behind
    MLP.load(path)  # and it still loads


def test_a_write_cut_off_half_way_never_reaches_the_target(tmp_path, monkeypatch):
    model, _, _, path = _trained(tmp_path, epochs=1)
    previous = path.read_bytes()
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            self.f.write(text[: len(text) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(state.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space"):
        model.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == previous
    assert sorted(os.listdir(tmp_path)) == ["m.json"]


def test_a_custom_module_saves_parameters_and_restores_into_an_instance(tmp_path):
    class Line(Module):
        def __init__(self, w, b):
            super().__init__()
            self.w, self.b = Value(w), Value(b)

    Line(0.1, -0.0).save(tmp_path / "line.json")
    target = Line(5.0, 5.0)
    target.restore(tmp_path / "line.json")
    assert target.w.data == 0.1 and _same_float(target.b.data, -0.0)
    with pytest.raises(StateFileError, match="'model' must be"):
        MLP.load(tmp_path / "line.json")
