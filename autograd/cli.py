"""The command line: ``python -m autograd "(a+b)*(b+1)" a=2 b=1``.

Prints the value and each gradient; ``--steps`` prints the backward pass step by step,
``--paths`` every input-to-output path with its product, ``--explain`` the node table;
``--svg FILE`` / ``--png FILE`` / ``--dot FILE`` draw the graph and ``--html FILE`` writes the
browser stepper.

The expression is parsed with :mod:`ast` and evaluated by walking a whitelist of node types
(numbers, names, ``+ - * / **``, unary ``-``/``+`` and calls of the functions in
:data:`FUNCTIONS`); ``eval`` is never used.  Anything else (attribute access, other calls,
comprehensions, lambdas, strings ...) is refused with one line on stderr and exit code 2.

>>> main(["(a+b)*(b+1)", "a=2", "b=1"])
f = (a+b)*(b+1) = 6
∂f/∂a = 2
∂f/∂b = 5
0
>>> main(["a.__class__", "a=1"])
2
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
import warnings
from typing import Any, Callable, Optional, Sequence

from . import functional as F  # noqa: F401  (declares the derived ops)
from . import ops
from .errors import ExpressionError, PathgradError, PathLimitError
from .explain import explain, format_number, printable
from .paths import DEFAULT_PATH_LIMIT, DEFAULT_TEXT_LIMIT
from .value import Value

__all__ = ["main", "evaluate", "parse", "FUNCTIONS", "MAX_EXPRESSION_LENGTH"]

#: Longest expression accepted (a guard against pathological input, not a design limit).
MAX_EXPRESSION_LENGTH = 10_000


#: Functions an expression may call: name → (function, fewest args, most args), made from
#: every declared op whose record names a command-line function (``cli``), your own included.
#: Optional trailing arguments (leaky_relu's slope, elu's alpha, swish's beta) must be numbers.
FUNCTIONS: dict[str, tuple[Callable, int, int]] = {}


def _add_function(record: Any) -> None:
    if record.cli:
        fn = record.fn if isinstance(record, ops.Derived) else record
        FUNCTIONS[record.cli] = (fn, record.arity, record.arity + len(getattr(record, "params",
                                                                               ())))


ops.subscribe(_add_function)

#: What NAME=NUMBER accepts: ASCII decimal numbers (float() would also take 1_000 and
#: Arabic-Indic or other Unicode digits), inf and nan.
_NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                     r"|inf|infinity|nan)", re.IGNORECASE | re.ASCII)

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

_REFUSED = {
    ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons", ast.BoolOp: "and/or", ast.IfExp: "if-expressions",
    ast.NamedExpr: "assignment", ast.Starred: "* unpacking", ast.JoinedStr: "strings",
    ast.List: "lists", ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
}


def _where(node: ast.AST) -> str:
    col = getattr(node, "col_offset", None)
    return f" at column {col + 1}" if col is not None else ""


def parse(expression: str) -> ast.Expression:
    """Parse ``expression`` and check every node against the whitelist.

    >>> parse("exp(x) * 2").body.__class__.__name__
    'BinOp'
    >>> parse("__import__('os')")
    Traceback (most recent call last):
    ...
    autograd.errors.ExpressionError: calls are allowed only to ... not __import__ at column 1
    """
    if not isinstance(expression, str):
        raise ExpressionError(f"expression must be a string, not {type(expression).__name__}")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression is {len(expression)} characters long, more than "
                              f"{MAX_EXPRESSION_LENGTH}")
    if not expression.strip():
        raise ExpressionError("empty expression")
    # ast builds its tree recursively, one level per operator of a long sum: allow the
    # depth that MAX_EXPRESSION_LENGTH characters can reach (the C parser has its own bound).
    depth = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(max(depth, 3 * len(expression) + 1000))
        with warnings.catch_warnings():  # "1if x" etc.: one error line, no warning lines
            warnings.simplefilter("ignore")
            tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"not a valid expression{where}: {exc.msg}") from None
    except (MemoryError, RecursionError):  # Python's parser stops near 6,000 nested levels
        raise ExpressionError("expression is nested too deeply for Python's parser (thousands "
                              "of unary signs, brackets or ** in a row); simplify it") from None
    except (ValueError, OverflowError) as exc:
        raise ExpressionError(f"not a valid expression: {type(exc).__name__}: "
                              f"{str(exc)[:200]}") from None
    finally:
        sys.setrecursionlimit(depth)
    for node in ast.walk(tree):
        _check(node)
    return tree


def _check(node: ast.AST) -> None:
    if isinstance(node, (ast.Expression, ast.Load)) or type(node) in _BINARY:
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed"
                                  f"{_where(node)}; use + - * / **")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise ExpressionError(f"operator {type(node.op).__name__} is not allowed"
                                  f"{_where(node)}; only unary - and +")
        return
    if isinstance(node, (ast.USub, ast.UAdd)):
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"only numbers are allowed as constants, not "
                                  f"{node.value!r:.40}{_where(node)}")
        return
    if isinstance(node, ast.Name):
        if not node.id.isidentifier() or node.id.startswith("_"):
            raise ExpressionError(f"names starting with _ are not allowed: {node.id!r}"
                                  f"{_where(node)}")
        return
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            shown = name if name is not None else ast.unparse(node.func)[:40]
            raise ExpressionError(f"calls are allowed only to {', '.join(sorted(FUNCTIONS))}; "
                                  f"not {shown}{_where(node)}")
        if node.keywords:
            raise ExpressionError(f"{name}() takes no keyword arguments{_where(node)}")
        _, low, high = FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            wanted = str(low) if low == high else f"{low} or {high}"
            raise ExpressionError(f"{name}() takes {wanted} argument{'s' * (high > 1)}, got "
                                  f"{len(node.args)}{_where(node)}")
        for extra in node.args[1:] if high > low else ():
            if not _is_number(extra):
                raise ExpressionError(f"{name}()'s second argument must be a number"
                                      f"{_where(extra)}")
        return
    what = _REFUSED.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what} not allowed{_where(node)}; expressions use numbers, "
                          "variables, + - * / ** and functions")


def _is_number(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


def _number(value: Any, where: str) -> float:
    try:
        return float(value)
    except OverflowError:
        raise ExpressionError(f"number {str(value)[:30]}… is too large for a float{where}") \
            from None


def evaluate(expression: str, variables: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    """Build the graph of ``expression``: ``(output, {name: input Value})``.

    Each input is labelled with its name and each intermediate node with its source text.
    Evaluation is iterative (no recursion), so deeply nested expressions are fine.

    >>> out, inputs = evaluate("x * exp(x)", {"x": 0.0})
    >>> out.data, out.label, inputs["x"].label, out.parents[1].label
    (0.0, 'f', 'x', 'exp(x)')
    """
    tree = parse(expression)
    source = expression.strip()
    encoded = source.encode("utf-8")  # ast offsets count UTF-8 bytes
    line_starts = [0]
    for line in encoded.split(b"\n")[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    inputs: dict[str, Value] = {}
    used: list[str] = []
    # Post-order walk with an explicit stack: (node, children done?).
    results: dict[int, Any] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree.body, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            stack.append((node, True))
            for child in reversed(_children(node)):
                stack.append((child, False))
            continue
        results[id(node)] = _apply(node, [results[id(c)] for c in _children(node)],
                                   variables, inputs, used)
        if isinstance(results[id(node)], Value) and isinstance(node, (ast.BinOp, ast.Call,
                                                                      ast.UnaryOp)):
            text = encoded[line_starts[node.lineno - 1] + node.col_offset:
                           line_starts[node.end_lineno - 1] + node.end_col_offset
                           ].decode("utf-8", "replace")
            if text and results[id(node)].label is None and results[id(node)].op is not None:
                results[id(node)].label = " ".join(text.split())
    out = results[id(tree.body)]
    if isinstance(out, Value) and out.op is not None:
        out.label = "f"  # the output: f = (a+b)*(b+1)
    unused = [name for name in variables if name not in inputs]
    if unused:
        raise ExpressionError(f"{', '.join(unused)} {'is' if len(unused) == 1 else 'are'} "
                              f"given but not used in {source!r:.80}")
    if not isinstance(out, Value):
        out = Value(out, label=" ".join(source.split()), requires_grad=False)
    return out, inputs


def _children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _apply(node: ast.AST, args: list, variables: dict, inputs: dict, used: list) -> Any:
    if isinstance(node, ast.Constant):
        return _number(node.value, _where(node))
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function; call it as {node.id}(...)"
                                  f"{_where(node)}")
        if node.id not in variables:
            raise ExpressionError(f"no value given for {node.id}{_where(node)}; "
                                  f"add {node.id}=NUMBER")
        if node.id not in inputs:
            inputs[node.id] = Value(variables[node.id], label=node.id)
        return inputs[node.id]
    if isinstance(node, ast.UnaryOp):
        (x,) = args
        return -x if isinstance(node.op, ast.USub) else x
    if isinstance(node, ast.BinOp):
        a, b = args
        op = type(node.op)
        if not isinstance(a, Value) and not isinstance(b, Value):
            a = Value(a, requires_grad=False)  # constant arithmetic, with IEEE results
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            return a / b
        return a ** b
    if isinstance(node, ast.Call):
        fn, _, _ = FUNCTIONS[node.func.id]
        first = args[0] if isinstance(args[0], Value) else Value(args[0], requires_grad=False)
        try:
            return fn(first, *args[1:])
        except (ValueError, TypeError) as exc:
            raise ExpressionError(f"{node.func.id}(): {exc}{_where(node)}") from None
    raise ExpressionError(f"{type(node).__name__} not allowed{_where(node)}")  # unreachable


def _assignment(text: str) -> tuple[str, float]:
    if text.startswith("--"):
        raise ExpressionError(f"unknown option {text.split('=', 1)[0]!r:.40}; see --help")
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier() or name.startswith("_"):
        raise ExpressionError(f"expected NAME=NUMBER, got {text!r:.60}")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name} is a function name; choose another variable name")
    number = number.strip()
    if not _NUMBER.fullmatch(number):
        raise ExpressionError(f"{name}: {number!r:.40} is not a number; write it with ASCII "
                              "digits, e.g. 2, -0.5, 1e-3, 1000 (no _ or other digits)")
    return name, float(number)


def _assignments(texts: Sequence[str]) -> dict[str, float]:
    """The NAME=NUMBER arguments as a dict; a name given twice is refused."""
    variables: dict[str, float] = {}
    for text in texts:
        name, value = _assignment(text)
        if name in variables:
            raise ExpressionError(f"{name} is given twice ({name}={format_number(variables[name])}"
                                  f" and {text.strip()!r:.40}); give each variable once")
        variables[name] = value
    return variables


def _count(text: str) -> int:
    """A positive whole number for a limit option (argparse reports the error)."""
    if not re.fullmatch(r"[0-9]{1,30}", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r:.40}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograd",
        description="Evaluate an expression, print its value and every gradient; show how "
                    "each gradient arrives.",
        epilog="functions: " + ", ".join(sorted(FUNCTIONS)) + '.  Example: python -m autograd '
               '"(a+b)*(b+1)" a=2 b=1 --steps --paths')
    parser.add_argument("expression", help='e.g. "(a+b)*(b+1)" or "tanh(w*x + b)"')
    parser.add_argument("values", nargs="*", metavar="NAME=NUMBER",
                        help="a value for each variable, e.g. a=2 b=1")
    parser.add_argument("--steps", action="store_true", help="print the backward pass step "
                        "by step")
    parser.add_argument("--paths", action="store_true", help="print every input-to-output "
                        "path and its product of local derivatives")
    parser.add_argument("--max-paths", "--path-limit", type=_count, default=DEFAULT_PATH_LIMIT,
                        metavar="N", dest="path_limit",
                        help=f"refuse --paths above N paths (default {DEFAULT_PATH_LIMIT})")
    parser.add_argument("--max-chars", type=_count, default=DEFAULT_TEXT_LIMIT, metavar="N",
                        help=f"refuse a --paths listing longer than N characters (default "
                             f"{DEFAULT_TEXT_LIMIT})")
    parser.add_argument("--explain", action="store_true", help="print a table of every node")
    parser.add_argument("--svg", metavar="FILE", help="draw the graph as SVG")
    parser.add_argument("--png", metavar="FILE", help="draw the graph as PNG")
    parser.add_argument("--dot", metavar="FILE", help="write the graph's Graphviz DOT source")
    parser.add_argument("--html", metavar="FILE", help="write the browser stepper page")
    parser.add_argument("--open", action="store_true", dest="open_derived",
                        help="draw derived ops (relu, softplus, -) opened into primitives")
    return parser


def _split_options(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Put the known options first and everything else after ``--``, so an expression that
    starts with a minus sign (``"-a*b"``) is not mistaken for an option."""
    takes_value: dict[str, bool] = {}
    for action in parser._actions:
        for name in action.option_strings:
            takes_value[name] = action.nargs != 0
    options, rest = [], []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i + 1:])
            break
        name = arg.split("=", 1)[0]
        if name in takes_value:
            options.append(arg)
            if takes_value[name] and "=" not in arg and i + 1 < len(argv):
                options.append(argv[i + 1])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return options + ["--"] + rest


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 cannot draw or write,
    2 bad input)."""
    out, err = sys.stdout, sys.stderr
    try:
        status = _run(argv, out, err)
        if out is not None:
            out.flush()
        return status
    except _OutputClosed as exc:
        return _output_closed(err, exc)
    except (OSError, ValueError) as exc:  # the final flush
        return _output_closed(err, _OutputClosed(str(exc)))


def _run(argv: Optional[Sequence[str]], out: Any, err: Any) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(_split_options(parser, sys.argv[1:] if argv is None
                                                else list(argv)))
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return int(exc.code or 0)
    try:
        for option in ("svg", "png", "dot", "html"):
            path = getattr(args, option)
            if path is not None and not path.strip():
                raise ExpressionError(f"--{option} needs a file name, got an empty one")
        variables = _assignments(args.values)
        root, inputs = evaluate(args.expression, variables)
        steps = list(root.backward_steps()) if root.requires_grad else []
        shown = " ".join(args.expression.split())
        label = printable(root.label or "")
        if root.label == shown:
            _print(out, f"{label} = {format_number(root.data)}")
        else:
            _print(out, f"{label} = {printable(shown)} = {format_number(root.data)}")
        for name, x in inputs.items():
            _print(out, f"∂{label}/∂{name} = {format_number(x.grad)}")
        if args.steps:
            _print(out, "\nbackward, step by step:")
            for step in steps:
                _print(out, f"  {step}")
            if not steps:
                _print(out, "  (no inputs: nothing needs a gradient)")
        if args.paths:
            from .paths import format_paths
            _print(out, "\npaths (products of local derivatives; each sum is a gradient):")
            try:
                text = format_paths(root, list(inputs.values()), limit=args.path_limit,
                                    max_chars=args.max_chars)
            except PathLimitError as exc:
                option = "--max-chars" if "max_chars" in str(exc) else "--max-paths"
                raise PathLimitError(f"{exc}; on the command line: {option} N") from None
            _print(out, text or "  (no inputs)")
        if args.explain:
            _print(out, "")
            _print(out, explain(root))
        derived = "open" if args.open_derived else "box"
        if args.svg is not None or args.png is not None or args.dot is not None:
            from .render import to_dot
            drawing = to_dot(root, derived=derived)
            for path, fmt in ((args.dot, "dot"), (args.svg, "svg"), (args.png, "png")):
                if path:
                    drawing.save(path, fmt)
                    _print(out, f"wrote {path}")
        if args.html is not None:
            from .stepper import write_html
            write_html(root, args.html)
            _print(out, f"wrote {args.html}")
    except PathgradError as exc:
        status = 1 if isinstance(exc, RuntimeError) else 2
        _print(err, f"pathgrad: error: {exc}")
        return status
    except OSError as exc:
        _print(err, f"pathgrad: error: cannot write: {exc}")
        return 1
    return 0


class _OutputClosed(Exception):
    """Standard output or error is closed or its reader has gone (``| head``)."""


def _print(stream: Any, text: str) -> None:
    if stream is None:  # started with the stream closed (``>&-``)
        raise _OutputClosed("the stream is closed")
    try:
        try:
            stream.write(text + "\n")
        except UnicodeEncodeError:  # a terminal that cannot show ∂ or →
            enc = getattr(stream, "encoding", None) or "ascii"
            stream.write(text.encode(enc, "backslashreplace").decode(enc) + "\n")
    except (OSError, ValueError) as exc:  # EPIPE, EBADF; ValueError: the file was closed
        raise _OutputClosed(str(exc)) from None


def _output_closed(err: Any, exc: _OutputClosed) -> int:
    """Exit 1 without a traceback, also at interpreter exit (stdout is not flushed again)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
    try:
        if err is not None:
            err.write(f"pathgrad: error: cannot write the output: {exc}\n")
            err.flush()
    except (OSError, ValueError):
        pass
    return 1
