"""Hostile state files and writes through links (issue 15): every bad file is a
StateFileError raised before anything is allocated or changed, and every writer follows links."""

import contextlib
import json
import os
import subprocess
import sys
import threading
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from nn import MLP, StateFileError, Trainer, losses, optim, state


def _small(tmp_path):
    model = MLP(1, [2, 1], activation="tanh", seed=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    trainer = Trainer(model, losses.mse, opt, seed=0, progress=False)
    trainer.fit([[0.5], [1.0]], [0.1, 0.2], epochs=1)
    path = tmp_path / "m.json"
    model.save(path, optimizer=opt, trainer=trainer)
    return model, opt, trainer, path


def _fresh():
    model = MLP(1, [2, 1], activation="tanh", seed=5)
    opt = optim.Adam(model.parameters(), lr=0.01)
    return model, opt, Trainer(model, losses.mse, opt, seed=5, progress=False)


def _snapshot(model, opt, trainer):
    return (json.dumps(model.state_dict(), sort_keys=True),
            json.dumps(opt.state_dict(), sort_keys=True),
            json.dumps(trainer.state_dict(), sort_keys=True))


def _resign(path, edit):
    payload = json.loads(path.read_text())
    edit(payload)
    body = {k: payload[k] for k in ("model", "parameters", "optimizer", "trainer")}
    path.write_text(state.dumps(body))


@contextlib.contextmanager
def peak_memory():
    """The block's peak traced allocation, in bytes, in ``peak[0]`` once the block ends."""
    peak = [0]
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def _only_state_file_errors(path):
    """Load ``path`` every way; anything but StateFileError (or success) fails the test."""
    model, opt, trainer = _fresh()
    before = _snapshot(model, opt, trainer)
    try:
        model.restore(path, optimizer=opt, trainer=trainer)
    except StateFileError:
        assert _snapshot(model, opt, trainer) == before
    try:
        MLP.load(path)
    except StateFileError:
        pass


# --- item 3: sizes are checked against the parameters present ------------------------------

@pytest.mark.parametrize("sizes", [[10 ** 7], [10 ** 9, 1], [2, 10 ** 6]])
def test_forged_huge_sizes_with_a_valid_checksum_are_refused_before_building(tmp_path, sizes):
    _, _, _, path = _small(tmp_path)
    _resign(path, lambda p: p["model"]["config"].update({"sizes": sizes}))
    with peak_memory() as peak, pytest.raises(
            StateFileError, match="needs at least .* parameters but the file"):
        MLP.load(path)
    assert peak[0] < 20 * 2 ** 20  # memory bounded by the file, not by the forged sizes


@pytest.mark.parametrize("config", [{"nin": 10 ** 30}, {"sizes": [True]}, {"sizes": [0]},
                                    {"sizes": "abc"}, {"nin": "2"}, {"sizes": []}])
def test_malformed_sizes_are_state_file_errors(tmp_path, config):
    _, _, _, path = _small(tmp_path)
    _resign(path, lambda p: p["model"]["config"].update(config))
    with pytest.raises(StateFileError, match="cannot rebuild MLP|needs at least"):
        MLP.load(path)


# --- item 4: huge integers ------------------------------------------------------------------

@pytest.mark.parametrize("digits", [41, 400, 5000, 50_000])
@pytest.mark.parametrize("where", ["t", "parameter"])
def test_huge_integers_are_state_file_errors(tmp_path, digits, where):
    _, _, _, path = _small(tmp_path)
    text = path.read_text()
    payload = json.loads(text)
    big = "9" * digits
    if where == "t":
        text = text.replace(f'"t": {payload["optimizer"]["t"]}', f'"t": {big}')
    else:
        name, value = next(iter(payload["parameters"].items()))
        text = text.replace(f'"{name}": {value!r}', f'"{name}": {big}', 1)
    assert big in text
    path.write_text(text)
    for verify in (True, False):
        with pytest.raises(StateFileError, match="integer of"):
            MLP.load(path, verify=verify)


# --- item 5: non-regular files and the size limit ------------------------------------------

def test_dev_zero_is_refused_without_reading():
    with pytest.raises(StateFileError, match="not a regular file"):
        MLP.load("/dev/zero")


def test_a_fifo_with_no_writer_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    result = []
    worker = threading.Thread(target=lambda: result.append(_error_of(fifo)), daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert isinstance(result[0], StateFileError) and "not a regular file" in str(result[0])


def _error_of(path):
    try:
        MLP.load(path)
    except Exception as e:  # noqa: BLE001 - the test inspects it
        return e
    return None


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(StateFileError):
        MLP.load(tmp_path)


def test_a_file_past_the_size_limit_is_refused_before_reading(tmp_path):
    big = tmp_path / "sparse.json"
    with open(big, "wb") as f:
        f.truncate(3 * 2 ** 30)  # a sparse 3 GB file: no disk used
    with peak_memory() as peak, pytest.raises(StateFileError,
                                              match="state-file limit of 67108864 bytes"):
        MLP.load(big)
    assert peak[0] < 2 ** 20
    assert state.MAX_STATE_BYTES == 64 * 2 ** 20


def test_the_size_limit_is_the_named_constant(tmp_path, monkeypatch):
    _, _, _, path = _small(tmp_path)
    monkeypatch.setattr(state, "MAX_STATE_BYTES", os.path.getsize(path) - 1)
    with pytest.raises(StateFileError, match="limit"):
        MLP.load(path)


# --- item 6: loading validates what the constructors validate ------------------------------

@pytest.mark.parametrize("edit, match", [
    (lambda p: p["optimizer"]["hyper"].update({"lr": {"kind": "constant", "lr": "abc"}}),
     "bad constant schedule"),
    (lambda p: p["optimizer"]["hyper"].update(
        {"lr": {"kind": "linear", "lr": 1.0, "end": 0.1, "steps": 0}}), "steps"),
    (lambda p: p["optimizer"]["hyper"].update(
        {"lr": {"kind": "step_decay", "lr": 1.0, "factor": 3.0, "every": 2}}), "factor"),
    (lambda p: p["optimizer"]["hyper"].update(
        {"lr": {"kind": "exponential", "lr": 1.0, "k": -5.0}}), "k must be"),
    (lambda p: p["optimizer"]["hyper"].update(
        {"lr": {"kind": "inverse_time", "lr": 1.0, "k": "nan"}}), "k must be"),
    (lambda p: p["optimizer"]["hyper"].update({"beta1": 1.0}), "beta1"),
    (lambda p: p["optimizer"]["hyper"].update({"beta2": -0.1}), "beta2"),
    (lambda p: p["optimizer"]["hyper"].update({"eps": 0.0}), "eps"),
    (lambda p: p["optimizer"]["hyper"].update({"eps": "inf"}), "eps"),
    (lambda p: p["optimizer"]["hyper"].update({"lr": -1.0}), "lr"),
    (lambda p: p["optimizer"]["hyper"].update({"lr": "nan"}), "lr"),
    (lambda p: p["optimizer"]["hyper"].update({"weight_decay": -1.0}), "weight_decay"),
    (lambda p: p["optimizer"]["slots"]["v"].__setitem__(0, -1.0), "negative"),
])
def test_loading_refuses_what_the_constructors_refuse(tmp_path, edit, match):
    _, _, _, path = _small(tmp_path)
    _resign(path, edit)
    model, opt, trainer = _fresh()
    before = _snapshot(model, opt, trainer)
    with pytest.raises(StateFileError, match=match):
        model.restore(path, optimizer=opt, trainer=trainer)
    assert _snapshot(model, opt, trainer) == before


@pytest.mark.parametrize("make", [
    lambda: optim.constant("abc"), lambda: optim.linear(1.0, 0.1, 0),
    lambda: optim.step_decay(1.0, factor=3.0), lambda: optim.exponential(1.0, -5.0),
    lambda: optim.Adam([optim.Value(1.0)], beta1=1.0),
    lambda: optim.Adam([optim.Value(1.0)], eps=0.0),
    lambda: optim.Adagrad([optim.Value(1.0)], eps=float("nan")),
    lambda: optim.RMSprop([optim.Value(1.0)], decay_rate=1.5),
    lambda: optim.Momentum([optim.Value(1.0)], momentum="x"),
    lambda: optim.SGD([optim.Value(1.0)], lr=-1.0),
    lambda: optim.SGD([optim.Value(1.0)], lr=float("nan")),
    lambda: optim.SGD([optim.Value(1.0)], lr=0.1, weight_decay=float("inf")),
])
def test_the_constructors_refuse_the_same_values(make):
    from nn.errors import ConfigError
    with pytest.raises(ConfigError):
        make()


@pytest.mark.parametrize("kwargs_key, kwargs", [
    ("activation_kwargs", {"slope": "x"}), ("activation_kwargs", {"slope": "nan"}),
    ("activation_kwargs", {"slope": None}), ("activation_kwargs", {"alpha": [1]}),
    ("activation_kwargs", {"init": True}),
])
def test_activation_constants_are_checked_on_load_as_in_the_constructor(tmp_path, kwargs_key,
                                                                         kwargs):
    from nn.errors import ConfigError
    act = {"slope": "leaky_relu", "alpha": "elu", "init": "prelu"}[next(iter(kwargs))]
    value = next(iter(kwargs.values()))
    with pytest.raises(ConfigError):
        MLP(1, [2, 1], activation=act, activation_kwargs={next(iter(kwargs)): value})
    model = MLP(1, [2, 1], activation=act, seed=0)
    path = tmp_path / "a.json"
    model.save(path)
    _resign(path, lambda p: p["model"]["config"].update({kwargs_key: kwargs}))
    with pytest.raises(StateFileError, match="cannot rebuild MLP"):
        MLP.load(path)


# --- the mutation class (kept in the suite, bounded) ---------------------------------------

def test_truncation_at_every_offset_is_a_state_file_error(tmp_path):
    _, _, _, path = _small(tmp_path)
    raw = path.read_bytes()
    for cut in range(len(raw)):
        if raw[:cut].strip() == raw.strip():
            continue
        path.write_bytes(raw[:cut])
        _only_state_file_errors(path)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(0.0, 1.0, exclude_max=True), bit=st.integers(0, 7))
def test_bit_flips_are_state_file_errors_or_harmless(tmp_path, position, bit):
    _, _, _, path = _small(tmp_path)
    raw = bytearray(path.read_bytes())
    raw[int(position * len(raw))] ^= 1 << bit
    path.write_bytes(bytes(raw))
    _only_state_file_errors(path)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 45, 10 ** 45)
    | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(["inf", "-inf", "nan"])
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=6)


def _paths(node, prefix=()):
    """Every (path) to a value inside a JSON tree, root excluded."""
    out = []
    stack = [(node, prefix)]
    while stack:
        item, at = stack.pop()
        children = (item.items() if isinstance(item, dict)
                    else enumerate(item) if isinstance(item, list) else ())
        for key, child in children:
            out.append(at + (key,))
            stack.append((child, at + (key,)))
    return out


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=st.integers(0, 10 ** 6), replacement=_JSON_VALUES, resign=st.booleans())
def test_type_swaps_and_crafted_configs_with_recomputed_checksums(tmp_path, choice,
                                                                  replacement, resign):
    _, _, _, path = _small(tmp_path)
    payload = json.loads(path.read_text())
    body = {k: payload[k] for k in ("model", "parameters", "optimizer", "trainer")}
    spots = _paths(body)
    where = spots[choice % len(spots)]
    parent = body
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = replacement
    if resign:
        path.write_text(state.dumps(body))
    else:
        payload.update(body)
        path.write_text(json.dumps(payload))
    _only_state_file_errors(path)


# --- item 1: writers through links ---------------------------------------------------------

def test_module_save_through_a_link_writes_the_target_and_keeps_the_link(tmp_path):
    model, _, _, _ = _small(tmp_path)
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    model.save(link)
    assert link.is_symlink() and MLP.load(real).state_dict() == model.state_dict()
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "new.json")
    model.save(dangling)
    assert dangling.is_symlink() and MLP.load(tmp_path / "new.json").config() == model.config()


def _cli(args, stdout=subprocess.PIPE):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    return subprocess.run([sys.executable, "-m", "autograd", *args], env=env, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=120)


def test_cli_svg_through_a_link_to_a_regular_file_keeps_the_link(tmp_path):
    real = tmp_path / "real.svg"
    real.write_text("old")
    link = tmp_path / "out.svg"
    link.symlink_to(real)
    result = _cli(["a*2", "a=1", "--svg", str(link)])
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and real.read_text().lstrip().startswith(("<?xml", "<svg"))


def test_cli_svg_through_a_link_to_stdout_writes_the_stream(tmp_path):
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    log = tmp_path / "log.txt"
    with open(log, "wb") as out:
        result = _cli(["a*2", "a=1", "--svg", str(link)], stdout=out)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert b"<svg" in log.read_bytes()
