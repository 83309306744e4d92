"""Every failure of the ``layout`` command is one line on stderr (`layout.cli.options`).

Usage errors, files that cannot be written, output folders that would lose data and bugs: the
exit status, that stderr is exactly one line without "Traceback", and the file tree and sha256
of every file before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from layout.cli.main import cli
from tests.fixtures import tiny_plan as tp

ROOT = Path(__file__).resolve().parents[2]


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` (hidden ones too) with the sha256 of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


# --- usage errors: one line, exit 2 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "start", "words"),
    [
        (["plan", "--outt", "x"], "error: no such option '--outt'", ["(try 'layout plan -h')"]),
        (["plan", "--date", "May 1"], "error: invalid value for '--date'", ["not a date"]),
        (["nope"], "error: no such command 'nope'", ["(try 'layout -h')"]),
        (["map"], "error: missing argument 'PLAN_DIR'", ["(try 'layout map -h')"]),
        (["plan", "--out", ""], "error: invalid value for '--out'", ["current folder"]),
        (["plan", "--maps", " "], "error: invalid value for '--maps'", ["current folder"]),
        (["score", "--out", ""], "error: invalid value for '--out'", ["current folder"]),
        (["overview", "--out", ""], "error: invalid value for '--out'", ["current folder"]),
        (["map", ".", "--out", ""], "error: invalid value for '--out'", ["current folder"]),
    ],
)
def test_usage_errors_are_one_line(
    args: list[str], start: str, words: list[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args, prog_name="layout")
    assert result.exit_code == 2, result.output
    line = one_line(result.stderr)
    assert line.startswith(start), line
    for word in words:
        assert word in line, line
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_help_and_version_still_exit_0() -> None:
    assert CliRunner().invoke(cli, ["--version"]).exit_code == 0
    result = CliRunner().invoke(cli, ["plan", "-h"], prog_name="layout")
    assert result.exit_code == 0 and result.output.startswith("Usage: layout plan ")
    assert "Replaced as a whole when the command succeeds" in " ".join(result.output.split())


# --- the last resort: OSError and bugs --------------------------------------------------------


def test_an_oserror_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import layout.config.plan

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", "/data/out/plan.gpkg")

    monkeypatch.setattr(layout.config.plan, "load_plan", full)
    result = CliRunner().invoke(cli, ["plan", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert one_line(result.stderr) == (
        "error: /data/out/plan.gpkg: no space left on device; check the permissions and free "
        "space there"
    )


@pytest.mark.parametrize("verbose", [False, True])
def test_a_bug_is_one_line_and_the_traceback_needs_v(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, verbose: bool
) -> None:
    import layout.config.plan

    def bug(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(layout.config.plan, "load_plan", bug)
    args = ["plan", "--out", str(tmp_path / "out"), *(["-v"] if verbose else [])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    last = ("error: internal error: ZeroDivisionError: division by zero (run with -v for the "
            "traceback)")
    if verbose:
        assert result.stderr.startswith("Traceback (most recent call last):")
        assert result.stderr.strip().splitlines()[-1] == last
    else:
        assert one_line(result.stderr) == last


# --- output folders, checked before the run ---------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.cli.test_plan import PLAN_OVERRIDES

    return tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"), **PLAN_OVERRIDES)


def test_out_at_the_inputs_folder_is_refused_and_inputs_untouched(tmp_path: Path) -> None:
    """An input named plan.gpkg in the folder given as --out (kind 3 of issue 11)."""
    data = tmp_path / "data"
    plan = tp.write_tiny_plan(data, inputs={"enterprises": "plan.gpkg"})
    (data / "enterprises.gpkg").rename(data / "plan.gpkg")
    before = tree(tmp_path)
    for args, words in [
        (["--out", str(data)], ["--out", "holds an input", "inputs are never modified"]),
        (["--out", str(tmp_path)], ["--out", "holds an input"]),
        (["--out", str(tmp_path / "o"), "--maps", str(data)], ["--maps", "holds an input"]),
        (["--out", str(tmp_path / "o"), "--maps", str(tmp_path / "o" / "m")],
         ["--out", "holds --maps"]),
        (["--out", str(tmp_path / "o"), "--maps", str(tmp_path / "o")], ["the same folder"]),
    ]:
        result = CliRunner().invoke(cli, ["plan", str(plan), *args, "--no-sensitivity"])
        assert result.exit_code == 2, result.output
        line = one_line(result.stderr)
        assert line.startswith("error: ")
        for word in words:
            assert word in line, line
        assert tree(tmp_path) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_a_folder_with_files_of_a_user_is_refused(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.docx").write_bytes(b"a user's notes")
    (out / "report.md").write_text("an earlier report", encoding="utf-8")
    before = tree(tmp_path)
    result = CliRunner().invoke(cli, ["plan", str(tiny), "--out", str(out), "--no-maps"])
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert line.startswith(f"error: --out {out}: holds files layout did not write (notes.docx)")
    assert tree(tmp_path) == before


def test_map_refuses_to_replace_its_plan_folder(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok = CliRunner().invoke(cli, ["plan", str(tiny), "--out", str(out), "--no-maps",
                                  "--no-sensitivity", "-q"])
    assert ok.exit_code == 0, ok.output
    before = tree(tmp_path)
    for args, words in [(["map", str(out), "--out", str(out)], ["holds an input"]),
                        (["overview", "--out", str(out)], ["holds plan written by layout"])]:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        line = one_line(result.stderr)
        for word in words:
            assert word in line, line
        assert tree(tmp_path) == before


@pytest.fixture
def locked() -> Iterator[tuple[Path, list[str]]]:
    """A folder the command cannot write in, and the prefix that runs the command there.

    As root (who writes anywhere) the command runs as the user ``nobody`` (``setpriv``);
    otherwise the folder is made read-only.
    """
    base = Path(tempfile.mkdtemp(prefix="layout-locked-"))
    base.chmod(0o755)
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root writes anywhere, and setpriv is missing to run as nobody")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    else:
        base.chmod(0o555)
    try:
        yield base, prefix
    finally:
        base.chmod(0o755)
        subprocess.run(["rm", "-rf", str(base)], check=True)


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--no-sensitivity", "--out", "{d}/out", "--maps", "{d}/maps"],
        ["overview", "--out", "{d}/maps"],
        ["score", "--out", "{d}/scores"],
        ["map", "{plan}", "--out", "{d}/maps"],
    ],
    ids=["plan", "overview", "score", "map"],
)
def test_a_folder_that_cannot_be_written_fails_at_once(
    locked: tuple[Path, list[str]], args: list[str]
) -> None:
    """Kind 1 of issue 11: one line naming the folder, before the long run (well under 5 s)."""
    base, prefix = locked
    plan_dir = ROOT / "tests" / "products" / "maps"  # any existing folder: never read
    argv = [a.format(d=base, plan=plan_dir) for a in args]
    t0 = time.monotonic()
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "layout.cli.main", *argv], capture_output=True,
        text=True, cwd="/", env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
    )
    assert time.monotonic() - t0 < 15  # before the run: the plan alone takes longer
    assert done.returncode == 2, done.stderr
    line = one_line(done.stderr)
    assert line.startswith("error: --out ") and f"cannot write in {base}" in line, line
    assert "permission denied" in line
    assert list(base.iterdir()) == []
