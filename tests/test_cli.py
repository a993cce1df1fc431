"""The command line: value and gradients, --steps/--paths/--svg/--html, and a parser that
refuses everything outside its whitelist with one line and exit code 2."""

import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings, strategies as st

from autograd.cli import FUNCTIONS, evaluate, main


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_prints_value_and_each_gradient(capsys):
    status, out, err = run(capsys, "(a+b)*(b+1)", "a=2", "b=1")
    assert (status, err) == (0, "")
    assert out.splitlines() == ["f = (a+b)*(b+1) = 6", "∂f/∂a = 2", "∂f/∂b = 5"]


def test_steps_and_paths_tell_the_worked_example(capsys):
    status, out, _ = run(capsys, "(a+b)*(b+1)", "a=2", "b=1", "--steps", "--paths")
    assert status == 0
    assert "  f = (a+b) * (b+1): starts with 1; sends 1·2 = 2 to a+b, 1·3 = 3 to b+1" in out
    assert "  a+b: got 2; sends 2·1 = 2 to a, 2·1 = 2 to b (b now holds 5)" in out
    assert "∂f/∂b = 2 + 3 = 5 (2 paths)" in out
    assert "  b → b+1 → f: 1·3 = 3" in out


def test_an_expression_may_start_with_a_minus_sign(capsys):
    status, out, err = run(capsys, "-a*b", "a=2", "b=3", "--steps")
    assert status == 0, err
    assert out.splitlines()[:3] == ["f = -a*b = -6", "∂f/∂a = -3", "∂f/∂b = -2"]
    status, out, _ = run(capsys, "--svg=" + os.devnull, "-a", "a=2")
    assert status == 0 and "∂f/∂a = -1" in out


def test_a_misspelt_option_is_named(capsys):
    status, _, err = run(capsys, "a", "a=1", "--stepz")
    assert status == 2 and "unknown option '--stepz'" in err


def test_too_many_paths_is_exit_2_naming_the_option(capsys):
    status, out, err = run(capsys, "x*x*x*x*x", "x=1", "--paths", "--path-limit", "4")
    assert status == 2 and "5 paths" in err and "--max-paths N" in err
    status, out, err = run(capsys, "x*x*x*x*x", "x=1", "--paths", "--path-limit", "5")
    assert status == 0 and "(5 paths)" in out


def test_every_function_is_available_by_name(capsys):
    for name, (_, low, _) in FUNCTIONS.items():
        args = ", ".join(["x", "0.5"][:low]) if name not in ("max", "min", "logaddexp") \
            else "x, 0.25"
        status, out, err = run(capsys, f"{name}({args})", "x=0.7")
        assert status == 0, (name, err)
        assert out.startswith(f"f = {name}(")


def test_optional_numeric_parameters(capsys):
    status, out, _ = run(capsys, "leaky_relu(x, 0.1)", "x=-2")
    assert status == 0 and "∂f/∂x = 0.1" in out


def test_svg_png_dot_and_html_files(capsys, tmp_path):
    svg, png, dot, page = (tmp_path / n for n in ("g.svg", "g.png", "g.dot", "s.html"))
    status, out, err = run(capsys, "tanh(w*x + b)", "w=0.5", "x=2", "b=-1", "--svg", str(svg),
                           "--png", str(png), "--dot", str(dot), "--html", str(page))
    assert status == 0, err
    ET.parse(svg)
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert dot.read_text().startswith("digraph")
    assert page.read_text().startswith("<!DOCTYPE html>")
    assert f"wrote {svg}" in out


def test_missing_graphviz_is_exit_1_naming_both_fixes(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    status, _, err = run(capsys, "a*a", "a=1", "--svg", str(tmp_path / "g.svg"))
    assert status == 1
    assert "apt-get install graphviz" in err and "pathgrad[draw]" in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("expression, says", [
    ("a.__class__", "attribute access"),
    ("__import__('os')", "calls are allowed only to"),
    ("open('x')", "not open"),
    ("[x for x in a]", "comprehensions"),
    ("(lambda: a)()", "calls are allowed only to"),
    ("lambda: a", "lambdas"),
    ("a[0]", "indexing"),
    ("'text'", "only numbers"),
    ("a if a else a", "if-expressions"),
    ("a < a", "comparisons"),
    ("a // a", "operator FloorDiv"),
    ("exp(a, a)", "exp() takes 1 argument"),
    ("exp(x=a)", "keyword"),
    ("leaky_relu(a, a)", "must be a number"),
    ("leaky_relu(a, 5)", "slope"),
    ("a +", "not a valid expression"),
    ("", "empty expression"),
    ("b", "no value given for b"),
    ("exp", "exp is a function"),
    ("_a", "names starting with _"),
    ("9" * 5000, "not a valid expression"),
    ("(" * 300 + "a" + ")" * 300, "not a valid expression"),
    ("True", "only numbers"),
    ("1j * a", "only numbers"),
    ("1if a else a", "if-expressions"),  # Python would also print a SyntaxWarning line
])
def test_refused_input_is_one_line_and_exit_code_2(capsys, expression, says):
    status, out, err = run(capsys, expression, "a=1")
    assert status == 2 and out == ""
    assert err.startswith("pathgrad: error: ") and says in err
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("argv, says", [
    (["a", "a"], "expected NAME=NUMBER"), (["a", "a=x"], "'x' is not a number"),
    (["a", "a=1", "c=2"], "c is given but not used"), (["exp(a)", "exp=1", "a=1"],
                                                       "is a function name"),
])
def test_bad_values_are_refused_too(capsys, argv, says):
    status, _, err = run(capsys, *argv)
    assert status == 2 and says in err and len(err.splitlines()) == 1


def test_deep_expressions_evaluate_without_recursion():
    # 2000 nested additions: deeper than the recursion limit, as deep as Python's parser goes
    out, inputs = evaluate("+".join(["a"] * 2000), {"a": 1.0})
    out.backward()
    assert out.data == 2000.0 and inputs["a"].grad == 2000.0


def test_the_module_runs_as_a_program():
    done = subprocess.run([sys.executable, "-m", "autograd", "(a+b)*(b+1)", "a=2", "b=1"],
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0 and done.stdout.splitlines()[0] == "f = (a+b)*(b+1) = 6"
    done = subprocess.run([sys.executable, "-m", "autograd", "a.b", "a=1"], capture_output=True,
                          text=True, encoding="utf-8")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1


PIECES = ["a", "b", "1", "2.5", "1e308", "-", "+", "*", "/", "**", "(", ")", ",", "exp(",
          "max(", "log(", "relu(", ".", "_", "x", "[", "]", " for ", " in ", "lambda", ":",
          "'", "=", "0", "leaky_relu(", "9" * 30, " if ", "not ", "@", "%", "~"]


@settings(max_examples=150)
@given(st.one_of(st.text(max_size=40),
                 st.lists(st.sampled_from(PIECES), max_size=14).map("".join)),
       st.lists(st.sampled_from(["a=1", "b=-2", "a=0", "b=1e308", "x", "=", "a=nan"]),
                max_size=3))
def test_no_input_produces_a_traceback(expression, values):
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = main([expression, *values])
    finally:
        sys.stdout, sys.stderr = saved
    assert status in (0, 2)
    if status == 2:
        assert err.getvalue().startswith("pathgrad: error: ") or \
            err.getvalue().startswith("usage:")  # argparse: a value looking like an option
        assert "Traceback" not in err.getvalue()
        if err.getvalue().startswith("pathgrad"):
            assert len(err.getvalue().splitlines()) == 1


# --- hostile input (issue 15) -----------------------------------------------------------------

def test_a_variable_given_twice_is_refused(capsys):
    status, out, err = run(capsys, "a*2", "a=1", "a=2")
    assert (status, out) == (2, "")
    assert "a is given twice" in err and err.count("\n") == 1


@pytest.mark.parametrize("number", ["1_000", "١٢", "１２", "²", "0x10", "1e", "--1", ""])
def test_a_number_that_is_not_plain_ascii_decimal_is_refused_with_one_line(capsys, number):
    status, out, err = run(capsys, "a*2", f"a={number}")
    assert (status, out) == (2, "")
    assert err.startswith("pathgrad: error: a: ") and "ASCII digits" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("number, value", [("2", "4"), ("-0.5", "-1"), ("+.5", "1"),
                                           ("1e3", "2000"), ("1.", "2"), ("inf", "inf")])
def test_plain_decimal_numbers_and_inf_are_accepted(capsys, number, value):
    status, out, err = run(capsys, "a*2", f"a={number}")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == f"f = a*2 = {value}"


@pytest.mark.parametrize("option", ["--svg", "--png", "--dot", "--html"])
def test_an_empty_file_name_is_refused(capsys, option, tmp_path):
    status, out, err = run(capsys, "a*2", "a=1", f"{option}=")
    assert (status, out) == (2, "")
    assert f"{option} needs a file name" in err


def test_thousands_of_unary_minus_signs_give_one_clear_line(capsys):
    status, out, err = run(capsys, "-" * 9999 + "a", "a=1")
    assert (status, out) == (2, "")
    assert "nested too deeply" in err and "MemoryError" not in err and err.count("\n") == 1


def test_a_valid_4999_term_sum_gives_its_result(capsys):
    status, out, err = run(capsys, "+".join(["a"] * 4999), "a=1")
    assert (status, err) == (0, "")
    assert out.splitlines()[-1] == "∂f/∂a = 4999"
    assert sys.getrecursionlimit() < 10_000  # the parser's allowance is given back


@pytest.mark.parametrize("terms", [500, 2000])
def test_paths_of_a_long_product_is_refused_with_the_option_to_raise(capsys, terms):
    status, out, err = run(capsys, "*".join(["a"] * terms), "a=1", "--paths")
    assert status == 2 and len(out) < 10_000
    assert "max_chars=2000000" in err and "--max-chars N" in err and err.count("\n") == 1


def test_max_chars_raises_the_paths_listing_bound(capsys):
    expression = "*".join(["a"] * 60)
    status, _, err = run(capsys, expression, "a=1", "--paths", "--max-chars", "1000")
    assert status == 2 and "--max-chars" in err
    status, out, err = run(capsys, expression, "a=1", "--paths", "--max-chars", "10000000")
    assert (status, err) == (0, "") and "(60 paths)" in out


def test_max_paths_is_the_path_limit(capsys):
    status, _, err = run(capsys, "x*x*x", "x=1", "--paths", "--max-paths", "2")
    assert status == 2 and "3 paths" in err and "--max-paths N" in err
    assert run(capsys, "x*x*x", "x=1", "--paths", "--path-limit", "3")[0] == 0


def test_control_and_bidi_characters_in_the_expression_are_printed_escaped(capsys):
    status, out, err = run(capsys, "a*2 # \x1b[2J\u202e", "a=1", "--steps", "--paths",
                           "--explain")
    assert (status, err) == (0, "")
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[2J\\u202e" in out


def _cli(*args, **options):
    return subprocess.run([sys.executable, "-m", "autograd", *args], capture_output=True,
                          text=True, timeout=60, cwd=os.path.dirname(os.path.dirname(
                              os.path.abspath(__file__))), **options)


def test_closed_stdout_exits_1_without_a_traceback():
    proc = subprocess.run([sys.executable, "-c", "import os, sys; os.close(1); "
                           "sys.argv = ['autograd', 'a*2', 'a=1']; import runpy; "
                           "runpy.run_module('autograd', run_name='__main__')"],
                          capture_output=False, stderr=subprocess.PIPE, text=True, timeout=60,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "cannot write the output" in proc.stderr


def test_stdout_reader_gone_exits_1_without_a_traceback():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-m", "autograd", "+".join(["a"] * 3000), "a=1",
                             "--steps"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=root)
    proc.stdout.read(10)
    proc.stdout.close()  # as `| head -c 10` does
    err = proc.stderr.read().decode()
    assert proc.wait(60) == 1
    assert "Traceback" not in err and "Exception ignored" not in err
