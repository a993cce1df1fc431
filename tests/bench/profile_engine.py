#!/usr/bin/env python3
"""Where pathgrad's time goes, per node.

    python tests/bench/profile_engine.py           # the breakdown
    python tests/bench/profile_engine.py --cprofile

It splits each workload of ``bench_engine.py`` into forward (node creation), the
topological sort, the rest of the backward walk, and freeing the graph, per node, with the
garbage collector on (default) and off, and reports how much of it was spent inside the
collector itself.

All times are CPU time of this process (``time.process_time``), so other programs on a
shared machine inflate them less.

It measures the engine as it is, through its own functions; it keeps no copies of engine
code, so it cannot drift from it.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import autograd  # noqa: E402
from autograd import Value, graph  # noqa: E402
from workloads import chain, dot, fan_out, loss_graph, make_mlp, two_moons, \
    wide_sum_leaves  # noqa: E402


# --- the breakdown -------------------------------------------------------------------------

class CollectorClock:
    """CPU time spent inside Python's cyclic garbage collector, from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.process_time()
        else:
            self.seconds += time.process_time() - self._start

    def __enter__(self) -> "CollectorClock":
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def breakdown(name: str, build: Callable[[], Value], gc_on: bool, reps: int) -> list[str]:
    rows = []
    for _ in range(reps):
        gc.collect()
        if not gc_on:
            gc.disable()
        try:
            with CollectorClock() as collector:
                t0 = time.process_time()
                root = build()
                t1 = time.process_time()
                order = graph.topological_order(root, only_requiring_grad=True)
                t2 = time.process_time()
                del order
                t3 = time.process_time()
                root.backward()
                t4 = time.process_time()
            n = len(graph.topological_order(root))
            t5 = time.process_time()
            del root
            t6 = time.process_time()
        finally:
            gc.enable()
        rows.append((t1 - t0, t2 - t1, t4 - t3, t6 - t5, collector.seconds, n))
    n = rows[0][5]
    fwd, topo, bwd, free, collect = (statistics.median(r[i] for r in rows) / n * 1e9
                                     for i in range(5))
    return [name, "on" if gc_on else "off", str(n), f"{fwd:.0f}", f"{topo:.0f}",
            f"{bwd - topo:.0f}", f"{bwd:.0f}", f"{free:.0f}", f"{fwd + bwd + free:.0f}",
            f"{collect:.0f}"]


def part1(quick: bool) -> None:
    X, y = two_moons(100, seed=0)
    model = make_mlp(Value, seed=1337)
    big = 10 ** 4 if quick else 10 ** 5
    size = f"10^{len(str(big)) - 1}"
    a, b = wide_sum_leaves(Value, big)
    x = Value(0.5)
    cases = [("W1 loss graph", lambda: loss_graph(Value, model, X, y)),
             ("W2 chain 10^4", lambda: chain(Value, 10 ** 4)),
             (f"W2 chain {size}", lambda: chain(Value, big)),
             (f"W3 Σ aᵢ·bᵢ {size}", lambda: dot(a, b)),
             (f"W4 fan-out {size}", lambda: fan_out(x, big))]
    if quick:
        del cases[1]
    rows = [breakdown(name, build, gc_on, 3 if quick else 5)
            for gc_on in (True, False) for name, build in cases]
    print("ns per node (median); walk = backward − topological sort; collector = time inside "
          "the cyclic garbage collector during forward and backward (gc.callbacks)")
    from bench_engine import print_table
    print_table(["workload", "gc", "nodes", "forward", "topo sort", "walk", "backward",
                 "free", "total", "collector"], rows)
    print()


def profile() -> None:
    X, y = two_moons(100, seed=0)
    model = make_mlp(Value, seed=1337)
    from workloads import training_step
    training_step(Value, model, X, y, 0.1)
    for name, run in (("W1: 3 training steps",
                       lambda: [training_step(Value, model, X, y, 0.1) for _ in range(3)]),
                      ("W2: chain 10^5, forward + backward",
                       lambda: chain(Value, 10 ** 5).backward())):
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        run()
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(12)
        print(f"cProfile, {name} (cProfile's own per-call cost inflates small functions)")
        print(text.getvalue())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile tables")
    args = parser.parse_args(argv)
    print(f"pathgrad {autograd.__version__} at {Path(autograd.__file__).parent}; Python "
          f"{sys.version.split()[0]}")
    part1(args.quick)
    if args.cprofile:
        profile()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
