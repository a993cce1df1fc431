"""The path-sum view of a gradient: every path from an input to the output.

Along each path, multiply the local derivatives of its edges; the gradient of the output
with respect to an input is the sum of those products over all paths from that input (the
seeds' picture of the chain rule).  A node used twice by one op (``x * x``) is two edges.

The number of paths can grow exponentially with depth, so it is counted first (in linear
time) and enumeration refuses with :class:`~autograd.errors.PathLimitError` above ``limit``.

>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(1.0, label="b")
>>> c = a + b; c.label = "c"
>>> d = b + 1; d.label = "d"
>>> e = c * d; e.label = "e"
>>> for path in paths(e, [b]):
...     print(path)
b → c → e: 1·2 = 2
b → d → e: 1·3 = 3
>>> print(format_paths(e))
∂e/∂a = 2 (1 path)
  a → c → e: 1·2 = 2
∂e/∂b = 2 + 3 = 5 (2 paths)
  b → c → e: 1·2 = 2
  b → d → e: 1·3 = 3
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from .display import Shown
from .errors import GraphError, PathLimitError
from .explain import format_factor, format_number, node_names, printable
from .graph import topological_order
from .value import Value

__all__ = ["Path", "paths", "count_paths", "path_sums", "format_paths", "DEFAULT_PATH_LIMIT",
           "DEFAULT_TEXT_LIMIT"]

#: Enumeration refuses graphs with more input-to-output paths than this (raise it per call).
DEFAULT_PATH_LIMIT = 10_000

#: :func:`format_paths` refuses listings longer than this many characters (raise it per
#: call): long paths through long names grow with the cube of an expression's length.
DEFAULT_TEXT_LIMIT = 2_000_000


def _how_many(n: int) -> str:
    """A count for a message: exact up to 80 digits, else a power of ten it exceeds.

    >>> _how_many(12345), _how_many(2 ** 15000)
    ('12345', 'more than 10^4515')
    """
    if n < 10 ** 80:
        return str(n)
    return f"more than 10^{int((n.bit_length() - 1) * 0.30102999566398)}"  # log10(2)


@dataclass(frozen=True)
class Path:
    """One path from an input to the output: its ``nodes`` (input first), the local
    derivative of each edge (``local[i]`` is ∂nodes[i+1]/∂nodes[i] through that edge) and
    their ``product``.  ``edges[i]`` is the argument position of ``nodes[i]`` in
    ``nodes[i+1]`` (it tells the two edges of ``x * x`` apart)."""

    nodes: tuple
    edges: tuple
    local: tuple
    product: float
    names: Optional[dict] = field(default=None, repr=False, compare=False)

    @property
    def input(self) -> Value:
        return self.nodes[0]

    def __str__(self) -> str:
        names = self.names or {}
        route = " → ".join(names.get(id(n), printable(n.label or "?")) for n in self.nodes)
        factors = "·".join(format_factor(d) for d in self.local) or "1"
        return f"{route}: {factors} = {format_number(self.product)}"


def _targets(root: Value, wrt: Optional[Iterable[Value]], order: list) -> list:
    if wrt is None:
        return [n for n in order if n.op is None and n.requires_grad]
    targets = list(wrt)
    for t in targets:
        if not isinstance(t, Value):
            raise GraphError(f"paths: wrt must hold Values, got {type(t).__name__}")
    return targets


def _counts(order: list) -> dict[int, int]:
    """Number of paths from each node to the root (the last node of ``order``)."""
    count = {id(order[-1]): 1}
    for node in reversed(order):
        c = count.get(id(node), 0)
        if c == 0:
            continue
        for parent in node.parents:
            if parent.requires_grad:
                count[id(parent)] = count.get(id(parent), 0) + c
    return count


def count_paths(root: Value, wrt: Optional[Iterable[Value]] = None) -> int:
    """How many input-to-output paths there are, counted without listing them.

    >>> from autograd import Value
    >>> x = Value(1.0)
    >>> y = x
    >>> for _ in range(100):
    ...     y = y + y
    >>> count_paths(y)
    1267650600228229401496703205376
    """
    order = topological_order(root, only_requiring_grad=True)
    if not order:
        return 0
    count = _counts(order)
    return sum(count.get(id(t), 0) for t in _targets(root, wrt, order))


def paths(root: Value, wrt: Optional[Sequence[Value]] = None, *,
          limit: int = DEFAULT_PATH_LIMIT) -> list[Path]:
    """Every path from each input (or each node of ``wrt``) to ``root``, grouped by input in
    the order of ``wrt`` (default: the graph's inputs, parents first), each group in a
    deterministic depth-first order.

    Raises :class:`PathLimitError` when there are more than ``limit`` paths.
    """
    order = topological_order(root, only_requiring_grad=True)
    if not order:
        return []
    names = node_names(root)
    targets = _targets(root, wrt, order)
    count = _counts(order)
    total = sum(count.get(id(t), 0) for t in targets)
    if total > limit:
        many = _how_many(total)
        larger = f"paths(..., limit={total})" if total < 10 ** 80 else "a larger limit"
        raise PathLimitError(
            f"{names.get(id(root), 'the output')} has {many} paths from its inputs, more than "
            f"limit={limit}; pass {larger} or fewer wrt nodes, or step the backward pass "
            "instead (backward_steps)")
    rank = {id(t): i for i, t in enumerate(targets)}
    found: list[list[Path]] = [[] for _ in targets]
    local_of: dict[int, tuple] = {}
    # Depth-first from the root towards the inputs.  A stack entry is a node and its trail
    # back to the root, a linked list (node, edge position, local derivative, rest) that
    # shares its tail with its siblings' trails, so a deep chain costs linear time.
    stack: list[tuple] = [(root, None)]
    while stack:
        node, trail = stack.pop()
        if id(node) in rank:
            found[rank[id(node)]].append(_path_from(node, trail, names))
        if node.op is None:
            continue
        parents = node.parents
        d = local_of.get(id(node))
        if d is None:
            d = local_of[id(node)] = node.op.local(*[p.data for p in parents], node.data)
        for i in reversed(range(len(parents))):
            parent = parents[i]
            if parent.requires_grad and count.get(id(parent), 0):
                stack.append((parent, (node, i, d[i], trail)))
    return [p for group in found for p in group]


def _path_from(start: Value, trail: Optional[tuple], names: dict) -> Path:
    """Unroll a trail (input side first) into a :class:`Path`."""
    nodes, edges, local = [start], [], []
    product = 1.0
    while trail is not None:
        node, edge, d, trail = trail
        nodes.append(node)
        edges.append(edge)
        local.append(d)
        product = product * d  # multiplied from the input side, as the chain rule reads
    return Path(tuple(nodes), tuple(edges), tuple(local), product, names)


def path_sums(root: Value, wrt: Optional[Sequence[Value]] = None, *,
              limit: int = DEFAULT_PATH_LIMIT) -> list[tuple[Value, float, list[Path]]]:
    """For each input: ``(input, sum of path products, its paths)``.  The sum equals the
    gradient (up to the order of floating-point additions)."""
    order = topological_order(root, only_requiring_grad=True)
    targets = _targets(root, wrt, order) if order else list(wrt or ())
    all_paths = paths(root, targets, limit=limit)
    result = []
    for t in targets:
        mine = [p for p in all_paths if p.input is t]
        total = 0.0
        for p in mine:
            total += p.product
        result.append((t, total, mine))
    return result


def _text_size(root: Value, wrt: Optional[Sequence[Value]], names: dict) -> int:
    """About how many characters the path listing takes (names and arrows; numbers not
    counted), in linear time: for each node, the paths from it to the root and the total
    length of their names."""
    order = topological_order(root, only_requiring_grad=True)
    if not order:
        return 0
    count = {id(order[-1]): 1}
    size = {id(order[-1]): len(names.get(id(order[-1]), "?"))}
    for node in reversed(order):
        c = count.get(id(node), 0)
        if c == 0:
            continue
        below = size[id(node)]
        for parent in node.parents:
            if parent.requires_grad:
                key = id(parent)
                count[key] = count.get(key, 0) + c
                size[key] = size.get(key, 0) + below + c * (len(names.get(key, "?")) + 3)
    return sum(size.get(id(t), 0) for t in _targets(root, wrt, order))


def format_paths(root: Value, wrt: Optional[Sequence[Value]] = None, *,
                 limit: int = DEFAULT_PATH_LIMIT, max_chars: int = DEFAULT_TEXT_LIMIT) -> Shown:
    """The path sums as text: ``∂e/∂b = 2 + 3 = 5 (2 paths)`` and each path below it (a
    ``str`` whose repr is the text and whose ``_repr_html_`` is a table of the paths).

    Raises :class:`PathLimitError` above ``limit`` paths, or when the listing would be
    longer than ``max_chars`` characters (checked before any path is listed).
    """
    names = node_names(root)
    size = _text_size(root, wrt, names)
    if size > max_chars:
        if count_paths(root, wrt) > limit:
            paths(root, wrt, limit=limit)  # the count is the first limit passed: say that
        shown = f"at least {size}" if size < 10 ** 80 else _how_many(size)
        raise PathLimitError(
            f"the path listing of {names[id(root)]:.40} would be {shown} "
            f"characters, more than max_chars={max_chars}; pass a larger max_chars or fewer "
            "wrt nodes, or step the backward pass instead (backward_steps)")
    out = names[id(root)]
    lines = []
    table = []
    for t, total, mine in path_sums(root, wrt, limit=limit):
        terms = " + ".join(format_number(p.product) for p in mine)
        head = f"∂{out}/∂{names.get(id(t), printable(t.label or '?'))} = "
        if len(mine) > 1:
            head += f"{terms} = "
        head += f"{format_number(total)} ({len(mine)} path{'s' if len(mine) != 1 else ''})"
        lines.append(head)
        lines.extend(f"  {p}" for p in mine)
        table.append((head, "", ""))
        table.extend(("", str(p).rsplit(": ", 1)[0], str(p).rsplit(": ", 1)[1]) for p in mine)
    return Shown("\n".join(lines), header=("gradient", "path", "product"), rows=table)
