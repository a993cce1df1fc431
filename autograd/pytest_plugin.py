"""A pytest plugin: check every op in the graphs a test builds against its derivative rule.

Installed with pathgrad (entry point ``pytest11``), so any test can ask for the fixture
``gradcheck_ops``::

    def test_my_model(gradcheck_ops):
        loss = my_model_loss()
        gradcheck_ops.check(loss)      # fails now, naming the first wrong node
        gradcheck_ops.watch(other)     # or: checked when the test ends

``check(output)`` runs :func:`autograd.blame.blame_graph` on the graph behind ``output``
and fails the test with the blame report (op, inputs, creation site, expected vs got) if a
node's local rule disagrees with central differences or forward mode; ``watch(output)``
defers that to the end of the test (after your own asserts), and ``check_function(f, xs)``
runs the full :func:`~autograd.blame.blame` (leaks and silent zeros too).

Why a fixture and no ``--gradcheck-ops`` option that would check *every* graph of *every*
test: pathgrad has no public hook that sees each node as it is made, and a plugin reaching
into the engine's private tracer would break with it; a graph handed over explicitly is
also the one the test means (not the scratch graphs of a helper).  The fixture costs nothing
in tests that do not ask for it.

>>> from autograd import Value
>>> checker = GraphChecker()
>>> x = Value(0.5)
>>> checker.check((x * x).tanh()).ok
True
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import pytest

from .blame import BlameReport, blame, blame_graph
from .errors import GradcheckError
from .value import Value

__all__ = ["GraphChecker", "gradcheck_ops"]


class GraphChecker:
    """Runs blame on graphs a test hands it; raises :class:`GradcheckError` with the report."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.watched: list[Value] = []
        self.reports: list[BlameReport] = []

    def check(self, output: Value, **options: Any) -> BlameReport:
        """Check every node behind ``output`` now; raise if one rule is wrong."""
        report = blame_graph(output, **{**self.options, **options})
        self.reports.append(report)
        if not report.ok:
            raise GradcheckError(str(report))
        return report

    def check_function(self, f: Callable[..., Any], xs: Sequence[float],
                       **options: Any) -> BlameReport:
        """The full :func:`~autograd.blame.blame` of ``f`` at ``xs`` (leaks too)."""
        report = blame(f, xs, **{**self.options, **options})
        self.reports.append(report)
        if not report.ok:
            raise GradcheckError(str(report))
        return report

    def watch(self, output: Value) -> Value:
        """Check ``output``'s graph when the test ends; returns ``output``."""
        self.watched.append(output)
        return output

    def finish(self) -> None:
        """Check every watched graph (called by the fixture at teardown)."""
        watched, self.watched = self.watched, []
        failures = []
        for output in watched:
            report = blame_graph(output, **self.options)
            self.reports.append(report)
            if not report.ok:
                failures.append(str(report))
        if failures:
            raise GradcheckError("\n\n".join(failures))


@pytest.fixture
def gradcheck_ops() -> Iterator[GraphChecker]:
    """A :class:`GraphChecker`: ``.check(output)`` now, ``.watch(output)`` at teardown."""
    checker = GraphChecker()
    yield checker
    checker.finish()
