#!/usr/bin/env python3
"""Where pathgrad's time goes, per node, and what alternatives would cost.

    python tests/bench/profile_engine.py           # breakdown + micro-benchmarks (~1 min)
    python tests/bench/profile_engine.py --cprofile

Part 1 splits each workload of ``bench_engine.py`` into forward (node creation), the
topological sort, the rest of the backward walk, and freeing the graph, per node, with the
garbage collector on (default) and off.

All times are CPU time of this process (``time.process_time``), so other programs on a
shared machine inflate them less.

Part 2 times small alternatives with :mod:`timeit` (best of several repeats), each next to
the engine's current code.  The alternatives are written here, outside the engine, over
the engine's own nodes; where they compute gradients, they are checked against
``Value.backward`` first.  Reads the engine's private slots (``_op _a _b _mark``): update
this file when the node layout changes.
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
import timeit
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import autograd  # noqa: E402
from autograd import graph, ops  # noqa: E402
from autograd.value import Value, _binary, _lift  # noqa: E402
from workloads import chain, dot, fan_out, loss_graph, make_mlp, two_moons, \
    wide_sum_leaves  # noqa: E402


# --- part 1: breakdown --------------------------------------------------------------------

def breakdown(name: str, build: Callable[[], Value], gc_on: bool, reps: int) -> list[str]:
    rows = []
    for _ in range(reps):
        gc.collect()
        if not gc_on:
            gc.disable()
        try:
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
        rows.append((t1 - t0, t2 - t1, t4 - t3, t6 - t5, n))
    n = rows[0][4]
    fwd, topo, bwd, free = (statistics.median(r[i] for r in rows) / n * 1e9 for i in range(4))
    return [name, "on" if gc_on else "off", str(n), f"{fwd:.0f}", f"{topo:.0f}",
            f"{bwd - topo:.0f}", f"{bwd:.0f}", f"{free:.0f}", f"{fwd + bwd + free:.0f}"]


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
    print("Part 1: ns per node (median); walk = backward − topological sort")
    from bench_engine import print_table
    print_table(["workload", "gc", "nodes", "forward", "topo sort", "walk", "backward",
                 "free", "total"], rows)
    print()


# --- part 2: micro-benchmarks -------------------------------------------------------------

def best(stmt: Callable[[], Any], number: int, repeat: int = 7) -> float:
    """Best time per call in ns."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat,
                             timer=time.process_time)) / number * 1e9


def walk_plain(root: Value) -> None:
    """The float path of ``graph.walk`` as a plain loop (no generator, no yield)."""
    order = graph.topological_order(root, only_requiring_grad=True)
    for node in order:
        if node._op is not None:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        op = node._op
        if op is None:
            continue
        g = node.grad
        a = node._a
        b = node._b
        if b is not None:
            local = op.local(a.data, b.data, node.data)
            if a.requires_grad:
                a.grad += g * local[0]
            if b.requires_grad:
                b.grad += g * local[1]
        else:
            local = op.local(a.data, node.data)
            a.grad += g * local[0]


ADD, MUL = ops.ADD, ops.MUL


def walk_special(root: Value) -> None:
    """:func:`walk_plain` with ``+`` and ``*`` handled inline (no ``local`` call, no tuple)."""
    order = graph.topological_order(root, only_requiring_grad=True)
    for node in order:
        if node._op is not None:
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        op = node._op
        if op is None:
            continue
        g = node.grad
        a = node._a
        b = node._b
        if op is ADD:
            if a.requires_grad:
                a.grad += g
            if b.requires_grad:
                b.grad += g
        elif op is MUL:
            if a.requires_grad:
                a.grad += g * b.data
            if b.requires_grad:
                b.grad += g * a.data
        elif b is not None:
            local = op.local(a.data, b.data, node.data)
            if a.requires_grad:
                a.grad += g * local[0]
            if b.requires_grad:
                b.grad += g * local[1]
        else:
            local = op.local(a.data, node.data)
            a.grad += g * local[0]


def topo_with_zeroing(root: Value) -> list[Value]:
    """``topological_order(only_requiring_grad=True)`` that also zeroes interior grads as it
    emits them, so ``_prepare`` needs no second pass."""
    token = object()
    order: list[Value] = []
    stack: list = [root]
    pop, push, emit = stack.pop, stack.append, order.append
    while stack:
        node = pop()
        if node is None:
            node = pop()
            if node._op is not None:
                node.grad = 0.0
            emit(node)
            continue
        if node._mark is token:
            continue
        node._mark = token
        push(node)
        push(None)
        a = node._a
        if a is not None:
            b = node._b
            if b is not None and b._mark is not token and b.requires_grad:
                push(b)
            if a._mark is not token and a.requires_grad:
                push(a)
    return order


def check_same_gradients() -> None:
    """The alternative walks give the engine's gradients, bit for bit."""
    X, y = two_moons(20, seed=0)
    for walker in (walk_plain, walk_special):
        grads = []
        for run in (lambda r: r.backward(), walker):
            model = make_mlp(Value, seed=7)
            root = loss_graph(Value, model, X, y)
            run(root)
            grads.append([p.grad for p in model.parameters])
        assert grads[0] == grads[1], walker.__name__


class SlotsNode:
    """A node with the engine's slot layout, for construction micro-benchmarks."""
    __slots__ = ("data", "grad", "requires_grad", "_op", "_a", "_b", "_meta", "_mark",
                 "__weakref__")


class LeanNode:
    """Five slots: no ``__weakref__``, ``_meta`` and ``_mark``, for comparison."""
    __slots__ = ("data", "grad", "_op", "_a", "_b")


def _make(op: Any, a: "DelegatingNode", b: "DelegatingNode") -> "DelegatingNode":
    out = object.__new__(a.__class__)
    out.data = op.forward(a.data, b.data)
    out.grad = 0.0
    out.requires_grad = a.requires_grad or b.requires_grad
    out._op = op
    out._a = a
    out._b = b
    out._meta = out._mark = None
    return out


class DelegatingNode(SlotsNode):
    """``__mul__`` calls a module-level builder, as ``Value.__mul__`` calls ``_binary``."""
    __slots__ = ()

    def __mul__(self, other: Any) -> "DelegatingNode":
        return _make(MUL, self, other)


class InlinedNode(SlotsNode):
    """``__mul__`` with the builder's body inlined and ``a * b`` computed directly."""
    __slots__ = ()

    def __mul__(self, other: Any) -> "InlinedNode":
        out = object.__new__(InlinedNode)
        out.data = self.data * other.data
        out.grad = 0.0
        out.requires_grad = self.requires_grad or other.requires_grad
        out._op = MUL
        out._a = self
        out._b = other
        out._meta = out._mark = None
        return out


def _leaf(cls: type, data: float) -> Any:
    node = object.__new__(cls)
    node.data, node.grad, node.requires_grad = data, 0.0, True
    node._op = node._a = node._b = node._meta = node._mark = None
    return node


def part2(quick: bool) -> None:
    number = 20_000 if quick else 100_000
    check_same_gradients()
    print("Part 2: micro-benchmarks, ns per call (best of 7 repeats)")
    rows: list[list[str]] = []

    def row(what: str, ns: float, note: str = "") -> None:
        rows.append([what, f"{ns:.0f}", note])

    # node creation
    y = Value(1.0)
    c = Value(1.0001, requires_grad=False)
    row("y * 1.0001          (Value.__mul__, lifts the float)", best(lambda: y * 1.0001, number))
    row("y * c               (c a constant Value: no lift)", best(lambda: y * c, number))
    row("_lift(1.0001)       (a constant leaf)", best(lambda: _lift(1.0001, "*"), number))
    row("_binary(MUL, y, c)  (no method dispatch)", best(lambda: _binary(MUL, y, c), number))
    new = object.__new__

    def make_slots() -> SlotsNode:
        out = new(SlotsNode)
        out.data = 1.0
        out.grad = 0.0
        out.requires_grad = True
        out._op = MUL
        out._a = y
        out._b = c
        out._meta = out._mark = None
        return out

    def make_lean() -> LeanNode:
        out = new(LeanNode)
        out.data = 1.0
        out.grad = 0.0
        out._op = MUL
        out._a = y
        out._b = c
        return out

    p, q = _leaf(DelegatingNode, 1.5), _leaf(DelegatingNode, 2.5)
    row("p * q, __mul__ delegating to a builder (as now)", best(lambda: p * q, number))
    r, s = _leaf(InlinedNode, 1.5), _leaf(InlinedNode, 2.5)
    row("p * q, builder inlined, data = a*b directly", best(lambda: r * s, number))
    row("bare node, 9 slots, 8 stores", best(make_slots, number))
    row("bare node, 5 slots, 5 stores", best(make_lean, number))
    row("object.__new__(SlotsNode) alone", best(lambda: new(SlotsNode), number))
    row("MUL.forward(a, b) vs a * b on floats",
        best(lambda: MUL.forward(1.5, 2.5), number),
        f"inline a*b: {best(lambda: 1.5 * 2.5, number):.0f}")
    row("y.relu()            (max(y, 0) + shared group mark)",
        best(lambda: y.relu(), number))
    zero = Value(0.0, requires_grad=False)
    row("_binary(MAX, y, zero) (relu with one shared constant 0)",
        best(lambda: _binary(ops.MAX, y, zero), number))
    row("y - c               (sub: neg, add, group)", best(lambda: y - c, number))
    row("y + (-1.0) * c      (what sub builds)", best(lambda: y + c * -1.0, number))

    # backward, per node of a 10^4-step chain (40 001 nodes)
    root = chain(Value, 10 ** 4)
    n = len(graph.topological_order(root))
    k = 5 if quick else 20
    per = lambda f: best(f, k, repeat=5) / n  # noqa: E731
    gc.disable()
    try:
        row("topological_order(root), per node", per(
            lambda: graph.topological_order(root, only_requiring_grad=True)))
        row("  + _prepare's zeroing pass, per node",
            per(lambda: graph._prepare(root, 1.0, False)))
        row("topo sort that zeroes as it emits, per node", per(lambda: topo_with_zeroing(root)))
        row("root.backward(), per node", per(root.backward))
        row("walk as a plain loop (no generator), per node", per(lambda: walk_plain(root)))
        row("plain loop, + and * inline (no local()), per node",
            per(lambda: walk_special(root)))
    finally:
        gc.enable()
    row("MUL.local(a, b, out) (a lambda returning a tuple)",
        best(lambda: MUL.local(1.5, 2.5, 3.75), number))
    row("ADD.local(a, b, out)", best(lambda: ADD.local(1.5, 2.5, 4.0), number))

    # the garbage collector while a graph is alive
    def grow(gc_on: bool) -> float:
        gc.collect()
        if not gc_on:
            gc.disable()
        t0 = time.process_time()
        r = chain(Value, 10 ** 5 // (10 if quick else 1))
        t1 = time.process_time()
        gc.enable()
        nodes = len(graph.topological_order(r))
        del r
        return (t1 - t0) / nodes * 1e9

    on = statistics.median(grow(True) for _ in range(3))
    off = statistics.median(grow(False) for _ in range(3))
    row("chain forward per node, gc on", on, f"gc off: {off:.0f}")
    from bench_engine import print_table
    print_table(["what", "ns", "note"], rows)
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
    part2(args.quick)
    if args.cprofile:
        profile()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
