"""The import graph of a package, read with ``ast`` (nothing is imported or run).

Every import counts, wherever it is written: at the top of a module, inside a function or a
method, under ``if TYPE_CHECKING:``.  Relative imports are resolved to module names, and
``from . import x`` is an edge to the submodule ``x`` when there is one.  Only edges between
modules of the package are kept.  (Importing ``pkg.a`` also runs ``pkg/__init__.py``; that
implicit edge to the package is not recorded, an explicit ``from pkg import name`` is.)

>>> import os, tempfile
>>> root = tempfile.mkdtemp()
>>> os.mkdir(os.path.join(root, "pkg"))
>>> for name, text in {"__init__": "from . import a", "a": "import os\\nfrom .b import f",
...                    "b": "def f():\\n    from . import a\\n"}.items():
...     with open(os.path.join(root, "pkg", name + ".py"), "w") as fh:
...         _ = fh.write(text)
>>> graph = import_graph(os.path.join(root, "pkg"))
>>> [(e.source, e.target, e.line, e.in_function) for e in graph["pkg.b"]]
[('pkg.b', 'pkg.a', 2, True)]
>>> find_cycles(graph)
[['pkg.a', 'pkg.b', 'pkg.a']]
>>> [str(e) for e in layer_violations(graph, ["pkg.b", "pkg.a", "pkg"])]
['pkg.b:2 imports pkg.a (inside a function)']

The helpers are iterative (no recursion) and deterministic: modules in sorted order, each
module's imports in source order.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from typing import Optional, Sequence

__all__ = ["Edge", "package_modules", "imports_of", "import_graph", "find_cycles",
           "layer_violations"]


@dataclass(frozen=True)
class Edge:
    """One import statement's edge: ``source`` imports ``target`` at ``line``."""

    source: str
    target: str
    line: int
    in_function: bool

    def __str__(self) -> str:
        where = " (inside a function)" if self.in_function else ""
        return f"{self.source}:{self.line} imports {self.target}{where}"


def package_modules(package_dir: str) -> dict[str, str]:
    """``{module name: path}`` for every ``.py`` file under ``package_dir`` (sorted by name);
    the package is named after its directory, ``__init__.py`` is the package itself."""
    package_dir = os.path.abspath(package_dir)
    base = os.path.dirname(package_dir)
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(package_dir):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__"
                         and os.path.exists(os.path.join(folder, d, "__init__.py")))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, base)[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return dict(sorted(found.items()))


def _import_nodes(tree: ast.AST) -> list[tuple[ast.stmt, bool]]:
    """Every import statement in ``tree`` with whether it sits inside a function body, in
    source order (an iterative walk)."""
    found: list[tuple[ast.stmt, bool]] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, inside = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append((node, inside))
            continue
        inner = inside or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    found.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
    return found


def _resolve(module: str, is_package: bool, level: int, name: Optional[str]) -> str:
    """The absolute module a ``from`` import of ``level`` dots names, seen from ``module``."""
    if not level:
        return name or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        parts = parts[:len(parts) - (level - 1)]
    return ".".join(parts + ([name] if name else []))


def imports_of(path: str, module: str, known: Sequence[str]) -> list[Edge]:
    """The edges from ``module`` (the file at ``path``) to the modules in ``known``, in source
    order; an imported name that is not a module is an edge to the nearest enclosing known
    module (``from pkg.a import f`` → ``pkg.a``)."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), filename=path)
    is_package = os.path.basename(path) == "__init__.py"
    known_set = dict.fromkeys(known)

    def nearest(name: str) -> Optional[str]:
        parts = name.split(".")
        while parts:
            candidate = ".".join(parts)
            if candidate in known_set:
                return candidate
            parts.pop()
        return None

    edges: list[Edge] = []
    for node, inside in _import_nodes(tree):
        targets: list[Optional[str]] = []
        if isinstance(node, ast.Import):
            targets = [nearest(alias.name) for alias in node.names]
        else:
            base = _resolve(module, is_package, node.level, node.module)
            for alias in node.names:
                sub = f"{base}.{alias.name}" if base else alias.name
                targets.append(sub if sub in known_set else nearest(base))
        seen: dict[str, bool] = {}
        for target in targets:
            if target is not None and target != module and target not in seen:
                seen[target] = True
                edges.append(Edge(module, target, node.lineno, inside))
    return edges


def import_graph(package_dir: str) -> dict[str, list[Edge]]:
    """``{module: [edges to other modules of the package]}`` for every module under
    ``package_dir``, modules sorted by name."""
    modules = package_modules(package_dir)
    names = list(modules)
    return {name: imports_of(path, name, names) for name, path in modules.items()}


def find_cycles(graph: dict[str, list[Edge]]) -> list[list[str]]:
    """Import cycles, each as a path that ends where it starts (``[a, b, a]``); empty when the
    graph is acyclic.  An iterative depth-first search in sorted order reports one cycle per
    module-to-module edge that closes one (a back edge), so every cyclic part of the graph
    shows up."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if start in state:
            continue
        path: list[str] = [start]
        state[start] = 1
        stack: list[list[str]] = [_targets(graph, start)]
        while stack:
            pending = stack[-1]
            if not pending:
                stack.pop()
                state[path.pop()] = 2
                continue
            target = pending.pop(0)
            mark = state.get(target)
            if mark == 1:
                cycles.append(path[path.index(target):] + [target])
            elif mark is None:
                state[target] = 1
                path.append(target)
                stack.append(_targets(graph, target))
    return cycles


def _targets(graph: dict[str, list[Edge]], module: str) -> list[str]:
    """The modules ``module`` imports, each once, in source order."""
    return list(dict.fromkeys(e.target for e in graph.get(module, [])))


def layer_violations(graph: dict[str, list[Edge]], order: Sequence[str]) -> list[Edge]:
    """The edges that do not point to an earlier module of ``order`` (lowest layer first).  A
    module missing from ``order`` makes every edge from or to it a violation."""
    rank = {name: i for i, name in enumerate(order)}
    out: list[Edge] = []
    for source in sorted(graph):
        for edge in graph[source]:
            if (source not in rank or edge.target not in rank
                    or rank[edge.target] >= rank[source]):
                out.append(edge)
    return out

