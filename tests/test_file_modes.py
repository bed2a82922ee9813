"""Files and folders follow the umask (tempfile's 0600/0700 did not): the command line's outputs
and frame-index cache, and the host's uploads, index cache, proxies and export jobs."""

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from formats import key, region, write_tasks
from video_factory import Clips

TRACKLABEL = Path(sys.executable).with_name("tracklabel")
SIZE = ("--width", 100, "--height", 100)
HOST_SCRIPT = Path(__file__).with_name("host_file_modes.py")


@pytest.fixture
def tasks(tmp_path):
    return write_tasks(tmp_path / "t.json", region("car", "Car", [key(1, 10), key(3, 20)], 3))


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return Clips(tmp_path_factory.mktemp("clips"))


def under_umask(umask: int, *command, cwd=None):
    """Run a command as a user whose umask is `umask`."""
    return subprocess.run(["sh", "-c", f'umask {umask:03o} && exec "$@"', "sh", *map(str, command)],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_outputs_and_caches_follow_the_umask(tmp_path, tasks, clips, umask):
    video = tmp_path / "clip.mp4"
    shutil.copy(clips["long_gop.mp4"], video)
    file_mode, folder_mode = 0o666 & ~umask, 0o777 & ~umask
    for args in (["export", tasks, "--format", "jsonl", "--out", "out.jsonl"],
                 ["export", tasks, "--format", "mot", "--out", "mot", *SIZE],
                 ["frame", video, 1, "--out", "frame.png", "--data-dir", "data"],
                 ["proxy", video, "--out", "proxy.mp4", "--data-dir", "data"]):
        result = under_umask(umask, TRACKLABEL, *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    for name in ("out.jsonl", "frame.png", "proxy.mp4"):
        assert mode(tmp_path / name) == file_mode, name
    assert mode(tmp_path / "mot") == folder_mode and mode(tmp_path / "mot" / "street") == folder_mode
    assert mode(tmp_path / "mot" / "street" / "gt" / "gt.txt") == file_mode
    (index,) = (tmp_path / "data" / "index").rglob("*.json")
    assert mode(index) == file_mode and mode(index.parent) == folder_mode


def test_new_files_and_folders_follow_the_umask(tmp_path):
    from tracklabel.core.files import new_file, new_folder

    code = ("import os, sys; from tracklabel.core.files import new_file, new_folder; "
            "print(oct(os.stat(new_file(sys.argv[1], 'f.')).st_mode & 0o777), "
            "oct(os.stat(new_folder(sys.argv[1], 'd.')).st_mode & 0o777))")
    result = under_umask(0o027, sys.executable, "-c", code, tmp_path)
    assert result.stdout.split() == ["0o640", "0o750"], result.stderr
    first, second = new_file(tmp_path, "x."), new_file(tmp_path, "x.")
    assert first != second and first.name.startswith("x.") and new_folder(tmp_path, "x.").is_dir()


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_host_files_follow_the_umask(tmp_path, clips, umask):
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(clips["long_gop.mp4"], media / "long.mp4")  # long GOP: a proxy is made
    result = under_umask(umask, sys.executable, HOST_SCRIPT, tmp_path / "host", media / "long.mp4")
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout)
    kinds = {"index": ".json", "proxies": ".mp4", "uploads": ".mp4", "exports": ".zip"}
    for folder, suffix in kinds.items():
        assert any(p.startswith(f"data/{folder}/") and p.endswith(suffix) for p in modes), (folder, modes)
    for path, found in modes.items():
        if path == "data/secret_key":
            assert found == 0o600  # private on purpose
        else:
            is_folder = (tmp_path / "host" / path).is_dir()
            assert found == (0o777 if is_folder else 0o666) & ~umask, (path, oct(found))
