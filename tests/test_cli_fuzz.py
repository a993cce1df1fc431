"""Fuzz the command line: arbitrary bytes as arguments, and generated valid expressions with
every option.  The promise: an exit status (0 ok, 1 cannot draw/write, 2 bad input), never a
traceback, never a hang (each run well under BOUND seconds), output bounded.  About 20 s."""

import contextlib
import io
import os
import re
import tempfile
import time

from hypothesis import HealthCheck, event, given, settings, strategies as st

from autograd.cli import FUNCTIONS, main

BOUND = 30.0          # seconds for one run: a hang detector, not a speed test
MAX_OUTPUT = 3_000_000  # characters on stdout + stderr (the --paths listing is 2,000,000 at most)


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    t0 = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    elapsed = time.monotonic() - t0
    assert elapsed < BOUND, f"{argv!r:.200} took {elapsed:.1f} s"
    out, err = out.getvalue(), err.getvalue()
    assert status in (0, 1, 2), (argv, status)
    assert len(out) + len(err) < MAX_OUTPUT
    assert "Traceback" not in err
    if status:
        assert err.startswith(("pathgrad: error: ", "usage: ")), err[:200]
    return status, out, err


# --- bytes ------------------------------------------------------------------------------------
_arg = st.binary(max_size=40).map(lambda b: os.fsdecode(b.replace(b"\0", b"")))
_interesting = st.sampled_from(["--paths", "--steps", "--explain", "--open", "--max-paths",
                                "--max-chars", "--svg=", "--", "-", "a=1", "a=1e999",
                                "b=nan", "x=-0", "exp(", "a" * 300, "-" * 500 + "a"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_arg, _interesting), min_size=1, max_size=6))
def test_arbitrary_bytes_as_arguments_never_give_a_traceback(argv):
    _run([a for a in argv if not a.startswith(("--svg", "--png", "--dot", "--html"))
          or a.endswith("=")])


# --- valid expressions with every option -------------------------------------------------------
_names = st.sampled_from(["a", "b", "c"])
_numbers = st.sampled_from(["0", "1", "2.5", "1e-3", "3"])


def _expressions():
    leaf = st.one_of(_names, _numbers)

    def extend(inner):
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(
            lambda t: f"({t[0]}{t[1]}{t[2]})")
        unary = inner.map(lambda e: f"-{e}")
        calls = st.tuples(st.sampled_from(sorted(FUNCTIONS)), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}{', ' + t[2] if FUNCTIONS[t[0]][1] == 2 else ''})")
        return st.one_of(binary, unary, calls)
    return st.recursive(leaf, extend, max_leaves=10)


_values = st.sampled_from(["-2", "-0.5", "0", "0.5", "1", "3", "1e300", "inf", "nan"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions(), st.fixed_dictionaries({n: _values for n in "abc"}),
       st.lists(st.sampled_from(["--steps", "--paths", "--explain", "--open"]), unique=True),
       st.lists(st.sampled_from(["svg", "dot", "html", "png"]), unique=True, max_size=2),
       st.sampled_from([[], ["--max-paths", "3"], ["--max-chars", "200"],
                        ["--max-paths", "100000", "--max-chars", "10000000"]]))
def test_valid_expressions_with_every_option_give_a_result_or_one_error_line(
        expression, values, flags, files, limits):
    with tempfile.TemporaryDirectory() as tmp:
        used = [f"{n}={v}" for n, v in values.items() if re.search(rf"\b{n}\b", expression)]
        writes = [f"--{kind}={os.path.join(tmp, 'out.' + kind)}" for kind in files]
        status, out, err = _run([expression, *used, *flags, *writes, *limits])
        event(f"status {status}")
        if status == 0:
            assert out.startswith("f = ") or " = " in out.splitlines()[0]
            for kind in files:
                assert os.path.getsize(os.path.join(tmp, "out." + kind)) > 0
        else:
            assert err.count("\n") == 1 or err.startswith("usage: "), err[:300]
