"""``layout plan`` interrupted during its maps stage: SIGTERM, SIGINT and SIGKILL.

Each test runs the tiny plan in a subprocess over the outputs of an earlier run, waits until the
maps are being drawn by worker processes, sends the signal, and then checks independently of
the package: the exit status and the one line on stderr, the sha256 of every file of the earlier
outputs, that no staging folder is left, and with psutil that no process of the command lives.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.cli.test_plan import PLAN_OVERRIDES
from tests.fixtures import tiny_plan as tp

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with the sha256 of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def command(plan: Path, base: Path) -> list[str]:
    return [sys.executable, "-m", "layout.cli.main", "plan", str(plan), "--out",
            str(base / "out"), "--maps", str(base / "maps"), "--no-sensitivity",
            "--date", "2012-04-24"]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny plan and a folder holding an earlier run's out/ and maps/."""
    plan = tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"), **PLAN_OVERRIDES)
    base = tmp_path_factory.mktemp("runs")
    subprocess.run(command(plan, base), cwd=base, env=env(), check=True, capture_output=True)
    assert sorted(os.listdir(base)) == ["maps", "out"]
    return plan, base


def start_and_wait_for_map_workers(plan: Path, base: Path) -> tuple[subprocess.Popen[str],
                                                                      list[psutil.Process]]:
    """Start ``layout plan``; return once the maps stage runs in worker processes."""
    proc = subprocess.Popen(command(plan, base), cwd=base, env=env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    for line in proc.stderr:  # progress on stderr, one line per stage
        if "writing the maps" in line:
            break
    else:
        pytest.fail(f"the plan ended before its maps stage (exit {proc.wait()})")
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = parent.children(recursive=True)
        if children:
            return proc, children
        time.sleep(0.01)
    proc.kill()
    pytest.fail("no map worker process started")


def assert_gone(children: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"processes outlived the command: {alive}"
    for child in children:
        assert not psutil.pid_exists(child.pid) or child.status() == psutil.STATUS_ZOMBIE


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_the_maps_keeps_the_earlier_plan(
    earlier: tuple[Path, Path], signum: int, status: int
) -> None:
    plan, base = earlier
    before = tree(base)
    proc, children = start_and_wait_for_map_workers(plan, base)
    staging = [p.name for p in base.iterdir() if p.name.startswith(".layout-staging.")]
    assert len(staging) == 2  # out/ and maps/ are being staged
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == "interrupted" and err.count("interrupted") == 1, err
    assert out == ""  # no summary, no listing of outputs
    assert_gone(children)
    assert sorted(os.listdir(base)) == ["maps", "out"]  # no staging folder left
    assert tree(base) == before


def test_after_sigkill_workers_die_and_the_next_run_cleans_up(
    earlier: tuple[Path, Path],
) -> None:
    plan, base = earlier
    before = tree(base)
    proc, children = start_and_wait_for_map_workers(plan, base)
    proc.kill()  # no handler runs: the kernel ends the workers (PR_SET_PDEATHSIG)
    proc.communicate(timeout=60)
    assert_gone(children)
    left = [p for p in base.iterdir() if p.name.startswith(".layout-staging.")]
    assert len(left) == 2 and tree(base / "out") == {
        k[len("out/"):]: v for k, v in before.items() if k.startswith("out/")
    }
    # The next run deletes the folders whose owner is gone, and replaces the outputs.
    subprocess.run(command(plan, base), cwd=base, env=env(), check=True, capture_output=True)
    assert sorted(os.listdir(base)) == ["maps", "out"]
    after = tree(base)
    assert after.pop("out/timings.json") and before.pop("out/timings.json")
    assert after == before  # the same plan: the same bytes, clock times aside
