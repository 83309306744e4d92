"""Tests of `layout.io.staging`: output folders replaced as one unit, or not at all.

Each test checks the file tree and the sha256 of every file before and after, independently of
the module (`tree`), and that no staging folder is left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from layout.io import staging
from layout.io.staging import (
    MARKER,
    OutputFolder,
    OutputFolderError,
    clean_stale,
    make_staging,
    replace_folders,
    staged_output,
)


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (hidden ones too) with the sha256 of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def previous(tmp_path: Path) -> tuple[list[OutputFolder], dict[str, str]]:
    """A previous run's plan and maps folders (written through the module), and their tree."""
    folders = [
        OutputFolder(tmp_path / "out", "plan", "--out", ("*.txt",)),
        OutputFolder(tmp_path / "maps", "maps", "--maps", ("*.html",)),
    ]
    with replace_folders(folders) as (out, maps):
        write(out, {"plan.txt": "old plan", "sub/scores.txt": "old scores"})
        write(maps, {"overview.html": "old map"})
    return folders, tree(tmp_path)


def test_both_folders_are_replaced_together(
    previous: tuple[list[OutputFolder], dict[str, str]], tmp_path: Path
) -> None:
    folders, before = previous
    assert before["out/plan.txt"] == hashlib.sha256(b"old plan").hexdigest()
    assert (tmp_path / "out" / MARKER).read_text(encoding="utf-8").startswith("kind = plan\n")
    with replace_folders(folders) as (out, maps):
        write(out, {"plan.txt": "new plan"})  # sub/scores.txt is gone in the new run
        write(maps, {"overview.html": "new map"})
    after = tree(tmp_path)
    assert set(after) == {"out/plan.txt", f"out/{MARKER}", "maps/overview.html", f"maps/{MARKER}"}
    assert (tmp_path / "out" / "plan.txt").read_text(encoding="utf-8") == "new plan"
    assert (tmp_path / "maps" / "overview.html").read_text(encoding="utf-8") == "new map"
    assert sorted(os.listdir(tmp_path)) == ["maps", "out"]  # no staging folder left


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt()])
def test_an_error_in_the_block_keeps_the_previous_outputs(
    previous: tuple[list[OutputFolder], dict[str, str]], tmp_path: Path, failure: BaseException
) -> None:
    folders, before = previous
    with pytest.raises(type(failure)), replace_folders(folders) as (out, maps):
        write(out, {"plan.txt": "new plan"})
        write(maps, {"overview.html": "half"})
        raise failure
    assert tree(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["maps", "out"]


def test_a_failed_rename_midway_puts_everything_back(
    previous: tuple[list[OutputFolder], dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The plan folder is swapped in, then the maps' rename fails: the plan goes back too."""
    folders, before = previous
    real = os.rename
    calls: list[str] = []

    def rename(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(f"{Path(src).name}->{Path(dst).name}")
        if Path(src).name == "new" and Path(dst).name == "maps":
            raise OSError(28, "No space left on device", str(dst))
        real(src, dst)

    monkeypatch.setattr(staging.os, "rename", rename)
    with pytest.raises(OSError, match="No space"), replace_folders(folders) as (out, maps):
        write(out, {"plan.txt": "new plan"})
        write(maps, {"overview.html": "new map"})
    assert calls[:4] == ["out->old", "new->out", "maps->old", "new->maps"]
    assert tree(tmp_path) == before
    assert sorted(os.listdir(tmp_path)) == ["maps", "out"]


def test_staging_folders_are_private_and_name_their_owner(tmp_path: Path) -> None:
    with replace_folders([OutputFolder(tmp_path / "out", "plan")]) as (stage,):
        staging_dir = stage.parent
        assert staging_dir.parent == tmp_path
        assert staging_dir.name.startswith(".layout-staging.out.")
        assert stat.S_IMODE(staging_dir.stat().st_mode) == 0o700
        owner = json.loads((staging_dir / "owner.json").read_text(encoding="utf-8"))
        assert owner["pid"] == os.getpid()
    assert not staging_dir.exists()


def test_the_next_run_cleans_a_killed_runs_staging_folder(tmp_path: Path) -> None:
    """A staging folder whose owner is gone (SIGKILL) is deleted; a live owner's is kept."""
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True, text=True, check=True,
    )
    pid = int(dead.stdout)
    alive = make_staging(tmp_path / "live")  # ours: this process runs
    foreign = tmp_path / ".layout-staging.someone-elses"  # no owner file: never touched
    foreign.mkdir()
    left = make_staging(tmp_path / "out")
    (left / "new").mkdir()
    (left / "new" / "big.tif").write_bytes(b"x" * 1000)
    owner = json.loads((left / "owner.json").read_text(encoding="utf-8"))
    (left / "owner.json").write_text(json.dumps({**owner, "pid": pid}), encoding="utf-8")
    assert clean_stale(tmp_path) == [left]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, foreign.name])
    # The next run staging beside them cleans them by itself.
    left = make_staging(tmp_path / "out")
    (left / "owner.json").write_text(json.dumps({**owner, "pid": pid}), encoding="utf-8")
    with replace_folders([OutputFolder(tmp_path / "maps", "maps")]):
        assert not left.exists()


def test_staged_output_keeps_the_folders_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, {"notes.txt": "mine", "sitecheck.json": "old"})
    with staged_output(out) as stage:
        write(stage, {"sitecheck.json": "new"})
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "sitecheck.json").read_text(encoding="utf-8") == "new"
    assert sorted(os.listdir(tmp_path)) == ["out"]


# --- refusals, before any work ----------------------------------------------------------------


def refused(folders: list[OutputFolder], *words: str, inputs: tuple[Path, ...] = ()) -> None:
    ran = []
    with pytest.raises(OutputFolderError) as err, replace_folders(folders, inputs=inputs):
        ran.append(True)
    assert not ran  # refused before the block
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_a_folder_with_files_layout_did_not_write_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, {"plan.txt": "a plan", "notes.docx": "my notes"})
    before = tree(tmp_path)
    refused([OutputFolder(out, "plan", "--out", ("*.txt",))], "--out", "notes.docx",
            "files layout did not write")
    assert tree(tmp_path) == before
    # Only names this kind writes: an earlier version's output, replaced.
    (out / "notes.docx").unlink()
    with replace_folders([OutputFolder(out, "plan", "--out", ("*.txt",))]) as (stage,):
        write(stage, {"plan.txt": "new"})
    assert (out / "plan.txt").read_text(encoding="utf-8") == "new"


def test_a_folder_of_another_kind_is_refused(tmp_path: Path) -> None:
    with replace_folders([OutputFolder(tmp_path / "out", "plan")]) as (stage,):
        write(stage, {"plan.txt": "a plan"})
    before = tree(tmp_path)
    refused([OutputFolder(tmp_path / "out", "maps", "--maps")], "--maps", "holds plan")
    assert tree(tmp_path) == before


def test_inputs_and_nesting_are_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write(data, {"deep/plan.gpkg": "an input"})
    before = tree(tmp_path)
    refused([OutputFolder(data, "plan")], "holds an input", "plan.gpkg",
            inputs=(data / "deep" / "plan.gpkg",))
    refused([OutputFolder(tmp_path, "plan")], "holds an input", inputs=(data / "x.toml",))
    out, maps = tmp_path / "out", tmp_path / "out" / "maps"
    refused([OutputFolder(out, "plan"), OutputFolder(maps, "maps", "--maps")],
            "--out", "holds --maps")
    refused([OutputFolder(out, "plan"), OutputFolder(out, "maps", "--maps")],
            "is the same folder as --maps")
    assert tree(tmp_path) == before


def test_the_current_folder_and_a_file_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    refused([OutputFolder(Path(""), "plan")], "current folder")
    refused([OutputFolder(tmp_path.parent, "plan")], "holds the current folder")
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    refused([OutputFolder(tmp_path / "out", "plan")], "is a file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere; see tests/cli/test_errors.py")
def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        refused([OutputFolder(locked / "out", "plan")], "cannot write in", str(locked))
    finally:
        locked.chmod(0o755)
