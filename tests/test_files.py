"""Files are written atomically, and special files are never replaced."""

import os
import stat

import pytest

from autograd.files import write_atomically


def test_a_write_replaces_the_whole_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old, longer content")
    write_atomically(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary left behind


def test_a_failed_write_leaves_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("previous")

    def crash(*args):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_atomically(target, "new")
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_writing_to_dev_null_keeps_it_a_device():
    write_atomically(os.devnull, b"discarded")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_new_files_get_the_usual_permissions(tmp_path):
    target = tmp_path / "out.svg"
    write_atomically(target, b"<svg/>")
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~umask
