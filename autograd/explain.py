"""Text views of a graph: node names, numbers, the explain table and a summary.

Every understanding tool (steps, paths, pictures, the browser stepper, the command line)
names nodes the same way, through :func:`node_names`: a node's ``label`` when it has one,
a constant by its value, any other node as ``#k`` where ``k`` is its position in
:func:`~autograd.graph.topological_order` (deterministic: never ``id()``).

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> c = a + b; c.label = "c"
>>> d = b + 1; d.label = "d"
>>> e = c * d; e.label = "e"
>>> e.backward()
>>> print(explain(e))
node  op              data  grad
a     input              2     2
b     input              1     5
c     a + b              3     2
1     constant           1     0
d     b + 1              2     3
e     c * d (output)     6     1
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Optional

from .display import Shown
from .graph import topological_order
from .numbers import format_number  # re-exported: the one number formatter
from .value import Value

__all__ = ["explain", "summarize", "node_names", "format_number", "format_factor", "formula",
           "printable"]

#: Unicode categories shown as escapes: controls, format (bidi) characters, surrogates,
#: private use, unassigned, line and paragraph separators.
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def printable(text: str) -> str:
    r"""``text`` with every character a terminal or page would act on instead of showing
    (escape sequences, bidi overrides, NUL, newlines, lone surrogates ...) written as a
    visible ``\x..``/``\u....`` escape.  Every text view names nodes through this.

    >>> print(printable("a\x1b[2Jb\u202ec"))
    a\x1b[2Jb\u202ec
    >>> printable("∂f/∂x → é")
    '∂f/∂x → é'
    """
    if text.isprintable():
        return text
    shown = []
    for ch in text:
        if unicodedata.category(ch) in _HIDDEN:
            code = ord(ch)
            shown.append(f"\\x{code:02x}" if code < 0x100 else
                         f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            shown.append(ch)
    return "".join(shown)


def format_factor(x: Any) -> str:
    """A number written as a factor of a product: negatives in parentheses, ``1·(-1)``.

    >>> format_factor(-1.0), format_factor(2.0)
    ('(-1)', '2')
    """
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text


def node_names(root: Value, order: Optional[list] = None) -> dict[int, str]:
    """Map ``id(node)`` to a display name for every node of the graph of ``root``.

    ``order`` is ``topological_order(root)`` if you have it already.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * 2 + x
    >>> sorted(node_names(y).values())
    ['#2', '#3', '2', 'x']
    """
    if order is None:
        order = topological_order(root)
    names: dict[int, str] = {}
    for position, node in enumerate(order):
        label = node.label
        if label is not None:
            names[id(node)] = printable(label)
        elif node.op is None and not node.requires_grad:
            names[id(node)] = format_number(node.data)
        else:
            names[id(node)] = f"#{position}"
    return names


def formula(node: Value, names: dict[int, str]) -> str:
    """How ``node`` was computed from its parents: ``a + b``, ``exp(x)``, ``max(x, 0)``.

    A node that is the output of a derived op names it: ``max(x, 0) [relu]``.
    """
    op = node.op
    if op is None:
        return ""
    parts = [names.get(id(p), "?") for p in node.parents]
    if op.arity == 2 and not op.symbol.isalnum():
        text = f"{_operand(parts[0])} {op.symbol} {_operand(parts[1])}"
    else:
        text = f"{op.symbol}({', '.join(parts)})"
    group = node.group
    if group is not None:
        text += f" [{group[0]}]"
    return text


_ATOM = re.compile(r"[#\w.]+|[-+]?[\d.]+(e[-+]?\d+)?|[-+]?inf|nan|\w+\((.*)\)", re.S)


def _operand(name: str) -> str:
    """A name as an operand of an infix op: compound text such as ``a+b`` in parentheses.

    >>> _operand("a+b"), _operand("exp(x)"), _operand("-1"), _operand("(a)+(b)")
    ('(a+b)', 'exp(x)', '-1', '((a)+(b))')
    """
    m = _ATOM.fullmatch(name)
    if m is None:
        return f"({name})"
    inner = m.group(2)
    if inner is not None:  # f(...): the call's parentheses must be the outermost pair
        depth = 0
        for ch in inner:
            depth += (ch == "(") - (ch == ")")
            if depth < 0:
                return f"({name})"
    return name


def _role(node: Value, root: Value, names: dict[int, str]) -> str:
    if node.op is None:
        return "input" if node.requires_grad else "constant"
    text = formula(node, names)
    return text + " (output)" if node is root else text


def explain(root: Value, *, max_rows: Optional[int] = None) -> Shown:
    """A table of the graph of ``root``, one node per row, parents first: name, how it was
    computed, ``data`` and ``grad``, aligned for a terminal.  The result is a ``str`` whose
    repr is that text and whose ``_repr_html_`` is the table for a notebook.

    With ``max_rows`` a long table keeps its first and last rows and says how many it hid.
    """
    order = topological_order(root)
    names = node_names(root, order)
    rows = [(names[id(n)], _role(n, root, names), format_number(n.data),
             format_number(n.grad)) for n in order]
    hidden = 0
    if max_rows is not None and len(rows) > max_rows:
        head = max(1, max_rows // 2)
        tail = max(1, max_rows - head)
        hidden = len(rows) - head - tail
        rows = rows[:head] + [None] + rows[-tail:]
    header = ("node", "op", "data", "grad")
    shown = [r for r in rows if r is not None]
    widths = [max(len(r[i]) for r in shown + [header]) for i in range(4)]
    lines = []
    for r in [header] + rows:
        if r is None:
            lines.append(f"… {hidden} more nodes …")
            continue
        lines.append(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  "
                     f"{r[3]:>{widths[3]}}".rstrip())
    html_rows = [r if r is not None else (f"… {hidden} more nodes …", "", "", "") for r in rows]
    return Shown("\n".join(lines), header=header, rows=html_rows)


def summarize(root: Value) -> str:
    """One paragraph about a graph too big to read node by node: its size, its ops, its depth.

    >>> from autograd import Value
    >>> x = Value(0.5, label="x")
    >>> y = x
    >>> for _ in range(1000):
    ...     y = y * x + 1
    >>> print(summarize(y))
    3001 nodes: 1 input, 1000 constants, 1000 *, 1000 +; depth 2000 (longest input-to-output chain)
    """
    order = topological_order(root)
    inputs = constants = 0
    by_op: dict[str, int] = {}
    depth: dict[int, int] = {}
    for node in order:
        if node.op is None:
            if node.requires_grad:
                inputs += 1
            else:
                constants += 1
            depth[id(node)] = 0
            continue
        symbol = node.op.symbol
        by_op[symbol] = by_op.get(symbol, 0) + 1
        depth[id(node)] = 1 + max(depth[id(p)] for p in node.parents)
    parts = [f"{inputs} input{'s' if inputs != 1 else ''}",
             f"{constants} constant{'s' if constants != 1 else ''}"]
    parts += [f"{count} {symbol}" for symbol, count in by_op.items()]
    return (f"{len(order)} nodes: {', '.join(parts)}; depth {depth[id(root)]} "
            "(longest input-to-output chain)")
