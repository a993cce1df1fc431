"""Explain: a terminal table of the graph; summaries of big graphs."""

from autograd import Value
from autograd.explain import explain, format_number, node_names, summarize

from proof_helpers import worked_example


def test_explain_table_lists_every_node_with_op_data_and_grad():
    *_, e = worked_example()
    e.backward()
    lines = explain(e).splitlines()
    assert lines[0].split() == ["node", "op", "data", "grad"]
    assert lines[-1].split() == ["e", "c", "*", "d", "(output)", "6", "1"]
    assert [line.split()[0] for line in lines[1:]] == ["a", "b", "c", "1", "d", "e"]


def test_explain_columns_are_aligned():
    *_, e = worked_example()
    e.backward()
    lines = explain(e).splitlines()
    ends = {len(line) for line in lines}
    assert len(ends) == 1  # right-aligned numbers: every row ends in the same column


def test_long_tables_keep_head_and_tail():
    x = Value(1.0, label="x")
    y = x
    for _ in range(100):
        y = y * 1.0
    lines = explain(y, max_rows=10).splitlines()
    assert len(lines) == 12 and "… 191 more nodes …" in lines


def test_numbers_are_short_and_negative_zero_is_zero():
    assert [format_number(v) for v in (2.0, 0.1, -0.0, 1e16, float("inf"), float("nan"))] == \
        ["2", "0.1", "0", "1e+16", "inf", "nan"]
    assert format_number(0.4999999999999998) == "0.5"
    assert format_number(-2.0) == "-2" and format_number(True) == "1"


def test_digits_none_gives_the_exact_shortest_repr():
    assert float(format_number(1 / 3, digits=None)) == 1 / 3


def test_one_digits_setting_reaches_every_view():
    from autograd.numbers import options, get_digits
    from autograd import Value
    x = Value(1 / 3, label="x")
    y = x * 3.14159; y.label = "y"
    with options(digits=3):
        assert "0.333" in str(explain(y)) and "3.14" in str(explain(y))
        assert str(next(iter(y.backward_steps()))) == \
            "y = x * 3.14: starts with 1; sends 1·3.14 = 3.14 to x"
    assert get_digits() == 6


def test_digits_must_be_sensible():
    import pytest
    from autograd.numbers import set_digits
    with pytest.raises(ValueError, match="digits must be"):
        set_digits(0)


def test_names_are_labels_constants_or_topological_positions():
    x = Value(1.0, label="x")
    y = (x + 2) * x
    names = node_names(y)
    assert [names[id(n)] for n in (x, y)] == ["x", "#3"]


def test_summary_counts_ops():
    x = Value(1.0, label="x")
    y = x.tanh() + x.exp()
    assert summarize(y) == ("4 nodes: 1 input, 0 constants, 1 tanh, 1 exp, 1 +; depth 2 "
                            "(longest input-to-output chain)")


def test_explain_shows_as_its_text_in_a_repl_and_as_a_table_in_a_notebook():
    *_, e = worked_example()
    e.backward()
    shown = explain(e)
    assert repr(shown) == str(shown) and str(shown).startswith("node  op")
    page = shown._repr_html_()
    assert page.startswith('<table class="pathgrad-table">') and "<td>c * d (output)</td>" in page


def test_html_tables_escape_labels():
    x = Value(1.0, label="<b>&")
    y = x * 2; y.label = "y"
    assert "&lt;b&gt;&amp;" in explain(y)._repr_html_() and "<b>" not in explain(y)._repr_html_()
