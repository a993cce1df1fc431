"""Paths: every input-to-output path, the product of local derivatives along it, and their
sum, which is the gradient (the seeds' path-sum view)."""

import math

import pytest
from hypothesis import given

from autograd import PathLimitError, Value
from autograd.paths import count_paths, format_paths, path_sums, paths

from proof_helpers import worked_example
from test_steps import build, programs


def test_worked_example_has_two_paths_from_b_summing_to_five():
    a, b, c, d, e = worked_example()
    found = paths(e, [b])
    assert [(p.nodes, p.local, p.product) for p in found] == [
        ((b, c, e), (1.0, 2.0), 2.0), ((b, d, e), (1.0, 3.0), 3.0)]
    assert [str(p) for p in found] == ["b → c → e: 1·2 = 2", "b → d → e: 1·3 = 3"]


def test_format_paths_reads_as_the_sum():
    *_, e = worked_example()
    assert format_paths(e).splitlines()[2] == "∂e/∂b = 2 + 3 = 5 (2 paths)"


def test_a_node_used_twice_by_one_op_is_two_paths():
    x = Value(3.0, label="x")
    y = x * x; y.label = "y"
    found = paths(y)
    assert [(p.edges, p.product) for p in found] == [((0,), 3.0), ((1,), 3.0)]


def test_paths_to_an_interior_node_sum_to_its_gradient():
    a, b, c, d, e = worked_example()
    e.backward()
    ((node, total, mine),) = path_sums(e, [c])
    assert node is c and total == c.grad == 2.0 and len(mine) == 1


def test_constants_and_constant_subgraphs_start_no_path():
    x = Value(2.0, label="x")
    k = Value(5.0, requires_grad=False)
    y = x * (k + 1)
    assert [p.nodes[0] for p in paths(y)] == [x]


def test_an_exponential_path_count_is_refused_quickly_with_the_count_and_the_fix():
    x = Value(1.0, label="x")
    y = x
    for _ in range(200):
        y = y + y
    # Enumerating 2²⁰⁰ paths would never finish: the refusal comes from counting them first.
    with pytest.raises(PathLimitError, match=r"2\d+ paths .* limit=10000.*paths\(\.\.\., limit="):
        paths(y)
    assert count_paths(y) == 2 ** 200


def test_the_limit_can_be_raised():
    x = Value(1.0, label="x")
    y = x
    for _ in range(12):
        y = y + y
    with pytest.raises(PathLimitError):
        paths(y, limit=4095)
    assert len(paths(y, limit=4096)) == 4096


def test_a_deep_chain_is_one_path():
    x = Value(1.0, label="x")
    y = x
    for _ in range(20000):
        y = y * 1.0
    (only,) = paths(y)
    assert len(only.nodes) == 20001 and only.product == 1.0


@given(programs)
def test_sum_over_paths_equals_the_gradient(program):
    leaves, out = build(program)
    out.backward()
    for x, total, mine in path_sums(out, leaves, limit=10**6):
        scale = sum(abs(p.product) for p in mine)
        assert math.isclose(total, x.grad, rel_tol=1e-9, abs_tol=1e-12 * scale + 1e-300), \
            (x, total, x.grad)


@given(programs)
def test_count_paths_counts_what_paths_lists(program):
    leaves, out = build(program)
    assert count_paths(out) == len(paths(out, limit=10**6))


# --- hostile input (issue 15) -----------------------------------------------------------------

def test_a_path_count_past_the_int_to_str_limit_gives_a_short_message():
    x = Value(1.0, label="x")
    y = x
    for _ in range(15_000):
        y = y * y
    with pytest.raises(PathLimitError) as info:
        paths(y)
    message = str(info.value)
    assert "more than 10^4515 paths" in message and len(message) < 300


def test_format_paths_refuses_a_listing_past_max_chars_before_listing_it():
    a = Value(1.0, label="a" * 50)
    y = a
    for _ in range(199):
        y = y * a
    with pytest.raises(PathLimitError, match=r"at least \d+ characters, more than max_chars=5000"):
        format_paths(y, max_chars=5000)
    assert "(200 paths)" in format_paths(y, max_chars=10 ** 8)


def test_format_paths_names_the_path_count_first_when_both_limits_are_passed():
    x = Value(1.0, label="x" * 100)
    y = x
    for _ in range(30):
        y = y + y
    with pytest.raises(PathLimitError, match="paths from its inputs, more than limit=10000"):
        format_paths(y, max_chars=100)


def test_path_text_escapes_control_and_bidi_characters():
    a = Value(2.0, label="a\x1b]0;owned\x07\u202e")
    b = a * a
    b.label = "b\u2066"
    text = format_paths(b) + "\n".join(str(p) for p in paths(b))
    assert all(ch == "\n" or ch.isprintable() for ch in text)
    assert "\x1b" not in text and "\u202e" not in text and "\u2066" not in text
    assert "a\\x1b]0;owned\\x07\\u202e" in text and "∂b\\u2066/∂a" in text


def test_format_paths_shows_as_text_in_a_repl_and_a_table_in_a_notebook():
    *_, e = worked_example()
    shown = format_paths(e)
    assert repr(shown) == str(shown) and repr(shown).startswith("∂e/∂a = 2 (1 path)")
    page = shown._repr_html_()
    assert "<td>b → d → e</td><td>1·3 = 3</td>" in page
