"""Rebuild the README's gallery: one small PNG per demo, in demos/gallery/.

Run:  python demos/make_gallery.py [--reuse]

Runs every demo in full mode (its pictures go to demos/out/<demo>/), then copies one picture
of each into demos/gallery/<demo>.png, shrunk to at most 1000 pixels wide and reduced to a
256-colour palette so each stays well under 150 KB.  ``--reuse`` skips running a demo whose
picture is already in demos/out/ (e.g. after running the demos by hand).  The full runs take
several minutes in all (two moons and digits train real networks).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DEMOS = Path(__file__).resolve().parent
GALLERY = DEMOS / "gallery"
MAX_WIDTH = 1000

#: demo script → the picture of it the gallery shows
PICTURES = {
    "walkthrough": "example_path_2.png",
    "logistic_neuron": "three_ways.png",
    "two_moons": "two_moons.png",
    "vanishing_gradients": "gradient_norms.png",
    "initialization": "activations.png",
    "optimizer_race": "race.png",
    "gradient_checking": "step_size.png",
    "real_dataset": "digits.png",
}


def shrink(source: Path, target: Path) -> int:
    """Write ``source`` to ``target`` at most MAX_WIDTH wide, palette PNG; the new size."""
    from PIL import Image
    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.width > MAX_WIDTH:
            height = round(image.height * MAX_WIDTH / image.width)
            image = image.resize((MAX_WIDTH, height), Image.LANCZOS)
        image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                               dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(buffer.getvalue())
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.replace(tmp, target)
    return len(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true",
                        help="do not rerun a demo whose picture is already in demos/out/")
    args = parser.parse_args(argv)
    GALLERY.mkdir(exist_ok=True)
    for demo, picture in PICTURES.items():
        source = DEMOS / "out" / demo / picture
        if not (args.reuse and source.is_file()):
            print(f"running demos/{demo}.py (full mode) ...", flush=True)
            done = subprocess.run([sys.executable, str(DEMOS / f"{demo}.py")],
                                  stdout=subprocess.DEVNULL)
            if done.returncode != 0:
                print(f"demos/{demo}.py failed (exit {done.returncode})", file=sys.stderr)
                return 1
        size = shrink(source, GALLERY / f"{demo}.png")
        print(f"demos/gallery/{demo}.png  {size / 1000:.0f} KB  (from {picture})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
