#!/usr/bin/env python3
"""Replay vs the eager engines vs a hand-written pure-float step, side by side in one process.

    python tests/bench/bench_replay.py            # full run (several minutes: micrograd is slow)
    python tests/bench/bench_replay.py --quick    # fewer repeats, 10-step training
    python tests/bench/bench_replay.py --json results.json

Uses the environment, engines and workloads of ``bench_engine.py`` (micrograd 0.1.0 from PyPI
in ``tests/bench/.venv``, the W1 workload of ``workloads.py``).

- W1 step: one MLP training step (2→16→16→1, ReLU, 100 two-moons points, SVM loss + 1e-4·L2,
  SGD), timed for micrograd, eager pathgrad, pathgrad replay (``autograd.replay.LossStep``)
  and a hand-written pure-float step (the floor: the same arithmetic with no graph at all).
  Contestants run interleaved; every step zeroes the gradients, runs forward and backward and
  updates the parameters.
- One-off cost: tracing (one eager forward with the tracer on) and compiling; break-even =
  that cost / (eager step − replay step).
- Training: the full two-moons demo (100 SGD steps, learning rate 1 − 0.9·k/100) end to end,
  replay (trace and compile included) against micrograd and eager pathgrad; the replay's final
  parameters must equal eager pathgrad's bit for bit.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_engine as engine_bench  # noqa: E402  (the shared environment and engines)

W1_TARGET, W1_AIM, FLOOR_FACTOR = 70.0, 150.0, 4.0


# --- the floor: the W1 step by hand on floats --------------------------------------------------

def float_layers(model: Any) -> list:
    """The model's parameters as plain floats, ``[(rows, biases), ...]``."""
    return [([[w.data for w in row] for row in rows], [b.data for b in biases])
            for rows, biases in model.layers]


def float_step(layers: list, X: list, y: list, learning_rate: float, l2: float) -> float:
    """One SGD step of the W1 loss written by hand: forward, backward, update; no graph.

    Same arithmetic as the engines' graph (sequential sums, relu = max(z, 0) with ½ at a
    tie), so the loss is the same float; gradients differ only in summation order.
    """
    last = len(layers) - 1
    scale = 1.0 / len(X)
    grads = [([[0.0] * len(row) for row in rows], [0.0] * len(biases))
             for rows, biases in layers]
    total = 0.0
    for x, t in zip(X, y):
        inputs, sums = [], []
        h = list(x)
        for index, (rows, biases) in enumerate(layers):
            inputs.append(h)
            z = []
            for row, bias in zip(rows, biases):
                s = bias
                for w, xi in zip(row, h):
                    s = s + w * xi
                z.append(s)
            sums.append(z)
            h = z if index == last else [s if s >= 0.0 else 0.0 for s in z]
        margin = 1.0 + -t * h[0]
        total = total + (margin if margin >= 0.0 else 0.0)
        upstream = scale * (1.0 if margin > 0.0 else 0.5 if margin == 0.0 else 0.0)
        dh = [upstream * -t]
        for index in range(last, -1, -1):
            rows, biases = layers[index]
            grad_rows, grad_biases = grads[index]
            h, z = inputs[index], sums[index]
            if index != last:
                dh = [d if s > 0.0 else 0.5 * d if s == 0.0 else 0.0 for d, s in zip(dh, z)]
            below = [0.0] * len(h)
            for j, d in enumerate(dh):
                grad_biases[j] += d
                grad_row, row = grad_rows[j], rows[j]
                for k, xi in enumerate(h):
                    grad_row[k] += d * xi
                    if index:
                        below[k] += d * row[k]
            dh = below
    square_sum = 0.0
    for rows, biases in layers:
        for row, bias in zip(rows, biases):
            for w in row:
                square_sum = square_sum + w * w
            square_sum = square_sum + bias * bias
    loss = total * scale + l2 * square_sum
    for (rows, biases), (grad_rows, grad_biases) in zip(layers, grads):
        for row, grad_row in zip(rows, grad_rows):
            for k, g in enumerate(grad_row):
                w = row[k]
                row[k] = w - learning_rate * (g + 2.0 * l2 * w)
        for j, g in enumerate(grad_biases):
            b = biases[j]
            biases[j] = b - learning_rate * (g + 2.0 * l2 * b)
    return loss


# --- contestants ------------------------------------------------------------------------------

def replay_step(step: Any, parameters: list, learning_rate: float) -> float:
    """The W1 step on a compiled replay: zero grads, replay forward+backward, SGD."""
    for p in parameters:
        p.grad = 0.0
    loss = step()
    for p in parameters:
        p.data -= learning_rate * p.grad
    return loss


def learning_rate(k: int) -> float:
    return 1.0 - 0.9 * (k % 100) / 100


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def bench_step(reps: int, steps: dict[str, int]) -> dict:
    """Seconds per W1 step for each contestant, interleaved, medians over ``reps`` samples."""
    import autograd
    import micrograd.engine
    from autograd.replay import LossStep
    from workloads import L2, loss_graph, make_mlp, training_step, two_moons

    X, y = two_moons(100, seed=0)
    models = {"micrograd": make_mlp(micrograd.engine.Value, seed=1337),
              "pathgrad": make_mlp(autograd.Value, seed=1337),
              "replay": make_mlp(autograd.Value, seed=1337)}
    floor_layers = float_layers(models["pathgrad"])
    replay_params = models["replay"].parameters
    gc.collect()
    t0 = time.perf_counter()
    # The workload makes its input Values from floats, so the (fixed, full) batch is baked
    # into the step: fed=() feeds only the parameters.
    step = LossStep(lambda model, batch: loss_graph(autograd.Value, model, *batch),
                    models["replay"], (X, y), parameters=replay_params, fed=())
    t1 = time.perf_counter()
    counters = dict.fromkeys(list(models) + ["floor"], 0)
    losses: dict[str, list[float]] = {name: [] for name in counters}

    def run(name: str) -> None:
        k = counters[name]
        counters[name] += 1
        lr = learning_rate(k)
        if name == "replay":
            losses[name].append(replay_step(step, replay_params, lr))
        elif name == "floor":
            losses[name].append(float_step(floor_layers, X, y, lr, L2))
        else:
            V = autograd.Value if name == "pathgrad" else micrograd.engine.Value
            losses[name].append(training_step(V, models[name], X, y, lr)[0])

    order = ["micrograd", "pathgrad", "replay", "floor"]
    samples: dict[str, list[float]] = {name: [] for name in order}
    for rep in range(reps + 1):  # the first round warms up, untimed
        for name in (order if rep % 2 == 0 else order[::-1]):
            gc.collect()
            t_start = time.perf_counter()
            for _ in range(steps[name]):
                run(name)
            elapsed = (time.perf_counter() - t_start) / steps[name]
            if rep:
                samples[name].append(elapsed)
    n = min(len(v) for v in losses.values())
    same_losses = losses["replay"][:n] == losses["pathgrad"][:n]
    return {
        "per_step": {name: median(samples[name]) for name in order},
        "samples": samples,
        "trace_s": step.replay.trace_seconds,
        "compile_s": step.replay.compile_seconds,
        "setup_s": t1 - t0,
        "nodes": step.replay.stats["nodes"],
        "replay": repr(step.replay),
        "first_losses": {name: losses[name][0] for name in order},
        "replay_losses_equal_eager": same_losses,
        "floor_first_loss_equal": losses["floor"][0] == losses["pathgrad"][0],
    }


def bench_training(steps: int, engines: list[str]) -> dict:
    """The two-moons demo end to end: ``steps`` SGD steps from the same initial model."""
    import autograd
    import micrograd.engine
    from autograd.replay import LossStep
    from workloads import loss_graph, make_mlp, training_step, two_moons

    X, y = two_moons(100, seed=0)
    result: dict[str, Any] = {}
    models: dict[str, Any] = {}
    for name in engines:
        gc.collect()
        t0 = time.perf_counter()
        if name == "replay":
            model = make_mlp(autograd.Value, seed=1337)
            step = LossStep(lambda m, batch: loss_graph(autograd.Value, m, *batch), model,
                            (X, y), parameters=model.parameters, fed=())
            for k in range(steps):
                loss = replay_step(step, model.parameters, learning_rate(k))
        else:
            V = autograd.Value if name == "pathgrad" else micrograd.engine.Value
            model = make_mlp(V, seed=1337)
            for k in range(steps):
                loss = training_step(V, model, X, y, learning_rate(k))[0]
        elapsed = time.perf_counter() - t0
        models[name] = model
        correct = sum((_score(model, x) > 0.0) == (t > 0.0) for x, t in zip(X, y))
        result[name] = {"seconds": elapsed, "last_loss": loss, "accuracy": correct / len(X)}
    if "replay" in models and "pathgrad" in models:
        result["replay_params_equal_eager"] = all(
            a.data == b.data for a, b in zip(models["replay"].parameters,
                                             models["pathgrad"].parameters))
    return result


def _score(model: Any, x: tuple) -> float:
    h = list(x)
    for index, (rows, biases) in enumerate(model.layers):
        z = [b.data + sum(w.data * xi for w, xi in zip(row, h)) for row, b in zip(rows, biases)]
        h = z if index == len(model.layers) - 1 else [max(s, 0.0) for s in z]
    return h[0]


# --- main -----------------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    args = engine_bench.options(__doc__, "fewer repeats, 10-step training").parse_args(argv)
    if not args.no_venv and not engine_bench._inside_venv():
        engine_bench.bootstrap(argv, script=__file__)
    info = engine_bench.machine_info()
    print(f"replay benchmark — {'quick' if args.quick else 'full'} run")
    print(f"Python {info['python']}; {info['platform']}; {info['cpu']}; "
          f"{info['cpu_count']} CPUs; pathgrad {info['pathgrad_revision']}", flush=True)
    reps = 3 if args.quick else 7
    steps = {"micrograd": 1, "pathgrad": 3, "replay": 20, "floor": 10}
    print(f"W1 step: {reps} interleaved samples per contestant ...", flush=True)
    w1 = bench_step(reps, steps)
    per = w1["per_step"]
    one_off = w1["trace_s"] + w1["compile_s"]
    saved = per["pathgrad"] - per["replay"]
    break_even = one_off / saved if saved > 0 else float("inf")
    rows = [[name, engine_bench.fmt_time(per[name]), f"{per['micrograd'] / per[name]:.1f}×",
             f"{per[name] / per['floor']:.2f}×"] for name in per]
    print()
    print("W1 training step (median per step; fwd + bwd + SGD)")
    engine_bench.print_table(["contestant", "per step", "vs micrograd", "vs floor"], rows)
    ratio = per["micrograd"] / per["replay"]
    floor_ratio = per["replay"] / per["floor"]
    verdicts = [ratio >= W1_TARGET, floor_ratio <= FLOOR_FACTOR,
                bool(w1["replay_losses_equal_eager"]), bool(w1["floor_first_loss_equal"])]
    print()
    print(f"replay vs micrograd: {ratio:.0f}× (target ≥{W1_TARGET:.0f}×, aim "
          f"{W1_AIM:.0f}×): {'PASS' if verdicts[0] else 'FAIL'}")
    print(f"replay vs hand-written float step: {floor_ratio:.2f}× slower (target ≤ "
          f"{FLOOR_FACTOR:.0f}×): {'PASS' if verdicts[1] else 'FAIL'}")
    print(f"one-off: trace {engine_bench.fmt_time(w1['trace_s'])} + compile "
          f"{engine_bench.fmt_time(w1['compile_s'])} = {engine_bench.fmt_time(one_off)} "
          f"({w1['nodes']} nodes); break-even vs eager pathgrad after {break_even:.1f} steps, "
          f"vs micrograd after {one_off / (per['micrograd'] - per['replay']):.2f} steps")
    print(f"{w1['replay']}")
    print(f"replay losses == eager pathgrad losses at every step both ran (bit for bit): "
          f"{w1['replay_losses_equal_eager']}; the floor's first loss is the same float: "
          f"{w1['floor_first_loss_equal']}")

    train_steps = 10 if args.quick else 100
    print(f"\nTwo-moons training, {train_steps} steps end to end (replay includes trace and "
          f"compile) ...", flush=True)
    training = bench_training(train_steps, ["replay", "pathgrad", "micrograd"])
    rows = [[name, engine_bench.fmt_time(training[name]["seconds"]),
             f"{training['micrograd']['seconds'] / training[name]['seconds']:.1f}×",
             f"{training[name]['last_loss']:.6f}", f"{training[name]['accuracy']:.0%}"]
            for name in ("micrograd", "pathgrad", "replay")]
    engine_bench.print_table(["engine", "total", "vs micrograd", "final loss", "accuracy"], rows)
    print(f"replay's trained parameters == eager pathgrad's (bit for bit): "
          f"{training['replay_params_equal_eager']}")
    verdicts.append(bool(training["replay_params_equal_eager"]))
    failed = verdicts.count(False)
    print(f"\n{len(verdicts) - failed} of {len(verdicts)} checks pass.")
    if args.json:
        engine_bench.write_json_atomic(args.json, {"machine": info, "w1": w1,
                                                   "break_even_steps": break_even,
                                                   "training": training})
        print(f"results written to {args.json}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
