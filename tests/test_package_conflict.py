"""pathgrad imports as ``autograd``, as HIPS autograd does: a mixed install is said at import."""

import os
import shutil
import subprocess
import sys

import pytest

import autograd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _import_from(site):
    return subprocess.run([sys.executable, "-c", "import autograd"], capture_output=True,
                          text=True, timeout=60, cwd=str(site),
                          env={**os.environ, "PYTHONPATH": str(site)})


@pytest.fixture
def site(tmp_path):
    shutil.copytree(os.path.join(ROOT, "autograd"), tmp_path / "autograd",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_a_clean_install_imports_without_a_warning(site):
    proc = _import_from(site)
    assert proc.returncode == 0 and proc.stderr == ""


@pytest.mark.parametrize("hips", ["core.py", "tracer.py", "numpy"])
def test_hips_files_in_the_package_directory_are_named_at_import(site, hips):
    target = site / "autograd" / hips
    if hips.endswith(".py"):
        target.write_text("# HIPS autograd\n")
    else:
        target.mkdir()
    proc = _import_from(site)
    assert proc.returncode == 0
    assert "RuntimeWarning: another package named 'autograd'" in proc.stderr and hips in proc.stderr


def test_another_autograd_distribution_beside_it_is_named_at_import(site):
    (site / "autograd-1.6.2.dist-info").mkdir()
    proc = _import_from(site)
    assert "autograd-1.6.2.dist-info" in proc.stderr and "README" in proc.stderr


def test_the_check_lists_nothing_for_this_checkout():
    assert autograd._conflicts(os.path.dirname(os.path.abspath(autograd.__file__))) == []
