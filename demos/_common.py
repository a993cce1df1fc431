"""What every demo shares: ``--fast`` / ``--out DIR``, the output folder, the narrative, and
saving pictures.

A demo is a script: ``python demos/<name>.py`` runs the full version and writes its pictures
to ``demos/out/<name>/``; ``--fast`` runs a small version of the same story in a few seconds
(CI runs it as a smoke test); ``--out DIR`` writes the pictures elsewhere.

    demo = Demo("two_moons", __doc__, argv)
    demo.say("What this shows ...")
    fig, ax = demo.subplots()
    ...
    demo.save(fig, "decision_boundary.png")
    return demo.finish()

Pictures are written atomically (to a temporary file in the same folder, then renamed), so an
interrupted run never leaves half a PNG behind.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

DEMOS = Path(__file__).resolve().parent
ROOT = DEMOS.parent
# Run from a checkout without installing: the checkout's packages come first.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_UMASK = os.umask(0)
os.umask(_UMASK)

#: Width of the printed narrative.
WIDTH = 92

#: One look for every plot: readable at gallery size, labelled axes, light grid.
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.15,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (no window, no display needed)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update(STYLE)
    return plt


class Demo:
    """One run of a demo: its options, its output folder, what it printed and wrote."""

    def __init__(self, name: str, doc: Optional[str], argv: Optional[Sequence[str]] = None,
                 add_arguments: Optional[Callable[[argparse.ArgumentParser], None]] = None
                 ) -> None:
        title = (doc or name).strip().splitlines()[0]
        parser = argparse.ArgumentParser(
            prog=f"python demos/{name}.py", description=title,
            epilog=f"Pictures go to demos/out/{name}/ unless --out says otherwise.")
        parser.add_argument("--fast", action="store_true",
                            help="a small, quick version of the demo (the CI smoke test)")
        parser.add_argument("--out", metavar="DIR", default=None,
                            help=f"folder for the pictures (default: demos/out/{name})")
        if add_arguments is not None:
            add_arguments(parser)
        self.args = parser.parse_args(argv)
        self.name = name
        self.fast: bool = self.args.fast
        self.out = Path(self.args.out) if self.args.out else DEMOS / "out" / name
        self.out.mkdir(parents=True, exist_ok=True)
        self.written: list[Path] = []
        self.started = time.perf_counter()
        self._plt: Any = None
        mode = "fast mode (a small version for CI)" if self.fast else "full mode"
        self.heading(f"{title}  [{mode}]")

    # --- narrative ---------------------------------------------------------------------------
    def heading(self, text: str) -> None:
        print(f"\n{text}\n{'=' * min(len(text), WIDTH)}", flush=True)

    def section(self, text: str) -> None:
        print(f"\n— {text}", flush=True)

    def say(self, *paragraphs: str) -> None:
        """Print paragraphs of narrative, wrapped; a one-line text starting with two spaces is
        printed as it is (an indented detail)."""
        for text in paragraphs:
            if text.startswith("  ") and "\n" not in text:
                print(text, flush=True)
                continue
            print(textwrap.fill(" ".join(text.split()), WIDTH), flush=True)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]],
              indent: str = "  ") -> None:
        """Print rows aligned under ``header`` (numbers right-aligned)."""
        cells = [[str(c) for c in header]] + [[_cell(c) for c in row] for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        for k, row in enumerate(cells):
            parts = [c.ljust(w) if k == 0 or not _numeric(c) else c.rjust(w)
                     for c, w in zip(row, widths)]
            print(indent + "  ".join(parts).rstrip(), flush=True)

    # --- pictures ----------------------------------------------------------------------------
    @property
    def plt(self) -> Any:
        if self._plt is None:
            self._plt = _pyplot()
        return self._plt

    def subplots(self, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        kwargs.setdefault("constrained_layout", True)
        return self.plt.subplots(*args, **kwargs)

    def path(self, filename: str) -> Path:
        return self.out / filename

    def save(self, fig: Any, filename: str) -> Path:
        """Write a matplotlib figure (format from the suffix) atomically, and close it."""
        target = self.path(filename)
        fmt = target.suffix.lstrip(".") or "png"

        def write(tmp: str) -> None:
            fig.savefig(tmp, format=fmt)
        self._atomic(target, write)
        self.plt.close(fig)
        return target

    def write_bytes(self, filename: str, data: bytes) -> Path:
        target = self.path(filename)

        def write(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                fh.write(data)
        self._atomic(target, write)
        return target

    def write_text(self, filename: str, text: str) -> Path:
        return self.write_bytes(filename, text.encode("utf-8"))

    def _atomic(self, target: Path, write: Callable[[str], None]) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix,
                                   dir=target.parent)
        os.close(fd)
        try:
            write(tmp)
            os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; a picture is not
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        if target not in self.written:
            self.written.append(target)

    def finish(self) -> int:
        """Say where the pictures went and how long it took; the exit status (0)."""
        seconds = time.perf_counter() - self.started
        if self.written:
            print(f"\nWrote {len(self.written)} file(s) to {_shown(self.out)}/:", flush=True)
            for p in self.written:
                print(f"  {p.name}", flush=True)
        print(f"({seconds:.1f} s)", flush=True)
        return 0


def _numeric(text: str) -> bool:
    try:
        float(text.rstrip("%"))
    except ValueError:
        return False
    return True


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _shown(path: Path) -> str:
    """A path relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
