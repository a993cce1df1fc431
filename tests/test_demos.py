"""Smoke tests of the demos: each one's fast mode runs as a newcomer would run it, in a fresh
interpreter, and writes its pictures into the folder it is given.

The full modes (the real results: 100% training accuracy on two moons, ≥ 90% on digits ...)
take minutes and are not run here; run them with ``python demos/<name>.py``.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ROOT / "demos"
GALLERY = DEMOS / "gallery"

#: script (with extra arguments) → the files its fast mode must write
EXPECTED = {
    "walkthrough.py": ["example_graph.svg", "example_graph.png", "example_path_1.svg",
                       "example_path_2.png", "example_step_1.svg", "example_step_5.svg",
                       "example_stepper.html", "neuron_graph.svg",
                       "neuron_stepper.html"],
    "logistic_neuron.py": ["neuron_graph.svg", "neuron_graph.png", "neuron_fused_graph.svg",
                           "three_ways.png"],
    "two_moons.py": ["two_moons.png"],
    "vanishing_gradients.py": ["gradient_norms.png"],
    "initialization.py": ["activations.png"],
    "optimizer_race.py": ["race.png", "learning_rate.png"],
    "gradient_checking.py": ["step_size.png", "wrong_rule.png", "blame.png"],
    "real_dataset.py": ["digits.png"],
    "real_dataset.py --dataset iris": ["iris.png"],
}

#: The picture of each demo shown in the README's gallery.
GALLERY_PICTURES = ["walkthrough.png", "logistic_neuron.png", "two_moons.png",
                    "vanishing_gradients.png", "initialization.png", "optimizer_race.png",
                    "gradient_checking.png", "real_dataset.png"]


def run_demo(command: str, out: Path) -> subprocess.CompletedProcess:
    script, *extra = command.split()
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    # From another working directory, as a user might: the demo must find its own imports.
    return subprocess.run([sys.executable, str(DEMOS / script), *extra, "--fast",
                           "--out", str(out)],
                          cwd=out.parent, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (after checking its signature)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("command", sorted(EXPECTED))
def test_fast_mode_tells_its_story_and_writes_its_pictures(command, tmp_path):
    out = tmp_path / "pictures"
    done = run_demo(command, out)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "fast mode" in done.stdout
    assert len(done.stdout.splitlines()) >= 10, "the demo should narrate what it shows"
    for name in EXPECTED[command]:
        path = out / name
        assert path.is_file(), f"{command} did not write {name}; it wrote {os.listdir(out)}"
        assert name in done.stdout, f"{command} should tell the user it wrote {name}"
        if name.endswith(".png"):
            width, height = png_size(path)
            assert width >= 300 and height >= 150, f"{name} is only {width}×{height}"
        elif name.endswith(".svg"):
            assert "<svg" in path.read_text(encoding="utf-8")
        elif name.endswith(".html"):
            assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(out.glob(".*")), "a temporary file was left behind"


def test_every_demo_has_a_smoke_test():
    scripts = {p.name for p in DEMOS.glob("*.py")
               if not p.name.startswith("_") and p.name != "make_gallery.py"}
    assert scripts == {command.split()[0] for command in EXPECTED}


def test_gallery_has_one_small_picture_per_demo():
    for name in GALLERY_PICTURES:
        path = GALLERY / name
        assert path.is_file(), f"demos/gallery/{name} is missing (python demos/make_gallery.py)"
        assert path.stat().st_size < 150_000, f"demos/gallery/{name} is over 150 KB"
        width, _ = png_size(path)
        assert width <= 1200
    assert sorted(p.name for p in GALLERY.glob("*.png")) == sorted(GALLERY_PICTURES)
