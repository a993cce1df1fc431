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


# --- links, modes, debris, messages (issue 15, item 1) -----------------------------------

def test_a_link_to_a_regular_file_writes_the_target_and_stays_a_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomically(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def test_a_relative_link_chain_is_followed(tmp_path):
    (tmp_path / "sub").mkdir()
    real = tmp_path / "sub" / "real.txt"
    real.write_text("old")
    os.symlink("sub/real.txt", tmp_path / "hop")
    os.symlink("hop", tmp_path / "link")
    write_atomically(tmp_path / "link", "new")
    assert real.read_text() == "new"
    assert (tmp_path / "link").is_symlink() and (tmp_path / "hop").is_symlink()


def test_a_dangling_link_creates_its_target_and_stays_a_link(tmp_path):
    link = tmp_path / "link.svg"
    link.symlink_to(tmp_path / "made.svg")
    write_atomically(link, "<svg/>")
    assert link.is_symlink()
    assert (tmp_path / "made.svg").read_text() == "<svg/>"


def test_a_link_to_a_stream_is_written_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out"
    link.symlink_to(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomically(link, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_link_to_dev_null_stays_a_link(tmp_path):
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    write_atomically(link, b"gone")
    assert link.is_symlink() and os.readlink(link) == os.devnull


def test_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "private.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    write_atomically(target, "new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600 and target.read_text() == "new"


def test_stale_temporaries_of_dead_writers_are_removed_by_the_next_write(tmp_path):
    import subprocess
    import sys
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".out.txt.pathgrad-tmp-{dead}-0000abcd"
    stale.write_text("half")
    other = tmp_path / ".other.txt.pathgrad-tmp-1-00"  # another file's: not ours to touch
    other.write_text("x")
    write_atomically(tmp_path / "out.txt", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "out.txt"]


def test_a_write_error_names_the_users_path_not_the_temporary(tmp_path):
    folder = tmp_path / "missing-folder"
    with pytest.raises(FileNotFoundError) as info:
        write_atomically(folder / "out.svg", "x")
    assert info.value.filename == str(folder / "out.svg")
    assert "pathgrad-tmp" not in str(info.value)


def test_a_lone_surrogate_in_text_is_written_not_raised(tmp_path):
    target = tmp_path / "page.html"
    write_atomically(target, "label \udcff end")
    assert target.read_bytes() == b"label \\udcff end"


_SAVER = """
import sys
from autograd.files import write_atomically
path, big = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
i = 0
while True:
    i += 1
    write_atomically(path, (str(i % 2) * big).encode())
"""


def test_kill_during_save_leaves_old_or_new_and_no_debris_after_the_next_save(tmp_path):
    import subprocess
    import sys
    import time
    target = tmp_path / "state.txt"
    big = 200_000
    target.write_bytes(b"0" * big)
    env = dict(os.environ, PYTHONPATH=os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for k in range(20):
        proc = subprocess.Popen([sys.executable, "-c", _SAVER, str(target), str(big)],
                                stdout=subprocess.PIPE, env=env)
        proc.stdout.readline()
        time.sleep(0.01 * (k % 5))
        proc.kill()
        proc.wait()
        proc.stdout.close()
        data = target.read_bytes()
        assert data in (b"0" * big, b"1" * big), f"kill {k}: a broken file"
    write_atomically(target, b"final")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.txt"]
    assert target.read_bytes() == b"final"


def test_write_html_with_a_lone_surrogate_in_a_label_writes_the_page(tmp_path):
    from autograd import Value
    from autograd.stepper import write_html
    a = Value(2.0, label="a\udcff")
    write_html(a * a, tmp_path / "page.html")
    page = (tmp_path / "page.html").read_bytes()
    page.decode("utf-8")  # valid UTF-8
    assert b"udcff" in page


def test_write_html_and_render_through_a_link_keep_the_link(tmp_path):
    from autograd import Value
    from autograd.render import render
    from autograd.stepper import write_html
    e = Value(2.0, label="a") * 3.0
    for name, write in (("page.html", lambda p: write_html(e, p)),
                        ("g.svg", lambda p: render(e, p))):
        real = tmp_path / ("real-" + name)
        real.write_text("old")
        link = tmp_path / name
        link.symlink_to(real)
        write(link)
        assert link.is_symlink() and real.read_text() != "old"
