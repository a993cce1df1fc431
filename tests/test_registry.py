"""One record per op: every table a tool reads is made from the registry, and none is kept
by hand anywhere in the tree."""

from __future__ import annotations

import ast
import dataclasses
import math
import os

import pytest

import autograd
from autograd import Value, cli, functional as F, ops
from autograd.forward import TANGENT_RULES, Dual
from autograd.testing import DOMAINS, EXPRESSION_OPS, KINKED_OPS, SMOOTH_OPS

BUILTIN = [r for r in ops.REGISTRY.values() if r in ops.PRIMITIVES or r.name in F.DERIVED
           or getattr(r, "reference_for", "")]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(autograd.__file__)))


def _sample(record) -> tuple:
    x = 0.7 if record.domain_of(0).contains(0.7) else 1.3
    return (x,) if record.arity == 1 else (x, 1.9)


@pytest.mark.parametrize("record", BUILTIN, ids=lambda r: r.name)
def test_every_method_and_operator_comes_from_the_record(record):
    args = _sample(record)
    want = record(*args)
    if record.method:
        on_value = getattr(Value(args[0]), record.method)(*args[1:])
        on_dual = getattr(Dual(args[0], 1.0), record.method)(*args[1:])
        assert on_value.data == want and on_dual.value == want
    if record.operator:
        stem = record.operator
        assert f"__{stem}__" in vars(Value) and f"__{stem}__" in vars(Dual)
        if record.arity == 2:
            assert f"__r{stem}__" in vars(Value) and f"__r{stem}__" in vars(Dual)
    if isinstance(record, ops.Primitive) and record.method:
        assert getattr(Value, record.method) is autograd.value.method_for(record)


def test_the_command_line_functions_are_the_records_cli_names():
    expected = {r.cli: r.arity for r in ops.REGISTRY.values() if r.cli}
    assert {name: low for name, (_, low, _) in cli.FUNCTIONS.items()} == expected
    for name, (_, low, high) in cli.FUNCTIONS.items():
        record = next(r for r in ops.REGISTRY.values() if r.cli == name)
        assert high == low + len(getattr(record, "params", ()))


def test_domains_tangents_and_bounds_are_the_records():
    for name, record in ops.REGISTRY.items():
        if getattr(record, "reference_for", ""):
            continue
        assert DOMAINS[name] is record.domain_of(0)
    for p in ops.primitives():
        assert p.name in TANGENT_RULES
    assert F.ULP_BOUNDS == {r.name: r.ulps for r in BUILTIN if r.ulps is not None}
    assert F.REFERENCES == {r.reference_for: r.fn for r in BUILTIN
                            if getattr(r, "reference_for", "")}
    assert set(SMOOTH_OPS) | set(KINKED_OPS) <= set(EXPRESSION_OPS)
    assert all(ops.REGISTRY[n].domain_of(0).kinks for n in KINKED_OPS)


def test_every_built_in_op_has_an_accuracy_bound_or_says_why_not():
    """The mpmath oracle holds each bound; an op without one is listed here with why."""
    unbounded = {"max": "exact: it returns one of its inputs (pinned by the tie tests)",
                 "minimum": "exact: −max(−a, −b)", "silu": "swish at β = 1 (bounded there)"}
    for r in BUILTIN:
        if not getattr(r, "reference_for", ""):
            assert r.ulps is not None or r.name in unbounded, r.name


def test_backward_inline_rules_equal_the_records():
    """The walk applies add and mul inline; a copy of each record (not the same object)
    takes the general path: the gradients must be bit for bit the same."""
    slow_add = dataclasses.replace(ops.ADD)
    slow_mul = dataclasses.replace(ops.MUL)

    def build(add, mul):
        a, b = Value(0.3), Value(-1.7)
        c = F.apply(mul, F.apply(add, a, b), b)
        d = F.apply(add, F.apply(mul, c, 2.5), F.apply(mul, a, a))
        e = F.apply(mul, F.apply(add, d, 0.125), Value(3.0, requires_grad=False))
        e.backward()
        return [a.grad, b.grad]
    assert build(ops.ADD, ops.MUL) == build(slow_add, slow_mul)
    assert [s.local for s in build_steps(ops.ADD, ops.MUL)] == \
        [s.local for s in build_steps(slow_add, slow_mul)]


def build_steps(add, mul):
    a, b = Value(0.3), Value(-1.7)
    y = F.apply(add, F.apply(mul, a, b), F.apply(mul, a, 4.0))
    return list(y.backward_steps())


# --- no per-op table kept by hand ---------------------------------------------------------------

#: Literals keyed by op names that are not facts about the ops, each with why it may stay.
ALLOWED = {
    ("autograd/__init__.py", "__all__"): "the package's exported names",
    ("autograd/functional.py", "__all__"): "the module's exported names",
    ("autograd/value.py", "PYTHON_SYMBOLS"): "Python's operator grammar, not the ops",
    ("nn/activations.py", "__all__"): "the module's exported names",
    ("nn/activations.py", "FUNCTIONS"): "nn's activation vocabulary for configs, with aliases",
    ("tests/test_mpmath_oracle.py", "EXACT"): "the independent oracle: exact forms in mpmath",
    ("tests/test_mpmath_oracle.py", "forms"): "the independent oracle for + − × ÷",
    ("tests/test_nn_activations.py", "ELEMENTWISE"): "nn activations the test compares",
    ("tests/test_nn_state.py", "ARCH_ACTS"): "nn activation names a model config may use",
    ("tests/test_random_graphs.py", "ARITHMETIC"): "the subset of ops a test draws from",
    ("tests/test_steps.py", "_OPS"): "a random program's instructions (code, not facts)",
}


def _tables():
    names = set(ops.REGISTRY)
    for top in ("autograd", "nn", "tests"):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            if "bench" in folder:
                continue
            for file in sorted(files):
                if not file.endswith(".py"):
                    continue
                path = os.path.join(folder, file)
                rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
                tree = ast.parse(open(path, encoding="utf-8").read())
                for node in ast.walk(tree):
                    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                        continue
                    target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                    value = node.value
                    keys = value.keys if isinstance(value, ast.Dict) else \
                        value.elts if isinstance(value, (ast.Set, ast.Tuple, ast.List)) else []
                    hits = [k.value for k in keys if isinstance(k, ast.Constant)
                            and k.value in names]
                    if len(hits) >= 4 and isinstance(target, ast.Name):
                        yield rel, target.id, node.lineno


def test_no_table_of_ops_is_kept_by_hand():
    """A dict, set, tuple or list naming four or more ops is a hand-kept table: the facts it
    holds belong in the ops' records (a test's own list of programs is a function, not one)."""
    found = [f"{rel}:{line} {name}" for rel, name, line in _tables()
             if (rel, name) not in ALLOWED]
    assert found == []
