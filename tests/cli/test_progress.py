"""Progress: the library logs `layout.progress.Step` records; the command line draws them.

Checked: the steps `track` logs (0..n, counted independently), how the CLI handler shows them
(off a terminal nothing but with -v every step, a rich bar on a terminal, nothing with -q), and
that ``layout plan`` keeps stdout free of progress while ``-q`` prints nothing.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from layout.cli import logs
from layout.cli.main import cli
from layout.progress import PROGRESS, Step, track
from tests.fixtures import tiny_plan as tp
from tests.fixtures.plan_folder import ALLOCATION, DEMAND


def test_track_logs_a_step_before_and_after_each_item(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="layout.progress"):
        got = list(track(iter("abc"), stage="letters", total=3))
    assert got == ["a", "b", "c"]
    steps = [getattr(r, PROGRESS) for r in caplog.records]
    assert [(s.done, s.total) for s in steps] == [(i, 3) for i in range(4)]
    assert [s.finished for s in steps] == [False, False, False, True]
    assert caplog.records[-1].getMessage() == "letters: 3/3"


def test_track_of_unknown_length_finishes(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="layout.progress"):
        list(track((x for x in range(2)), stage="gen"))
    steps: list[Step] = [getattr(r, PROGRESS) for r in caplog.records]
    assert [s.total for s in steps] == [None, None, None, 2] and steps[-1].finished


@pytest.mark.parametrize(("quiet", "verbose", "lines"), [
    (False, False, []),  # the stage's own log line says what it did
    (False, True, ["stage: 1/3 runs", "stage: 2/3 runs", "stage: 3/3 runs"]),
    (True, False, []),
])
def test_off_a_terminal_steps_are_lines_with_verbose_only(
    capsys: pytest.CaptureFixture[str], quiet: bool, verbose: bool, lines: list[str]
) -> None:
    logs.configure(quiet=quiet, verbose=verbose)
    try:
        list(track(range(3), stage="stage", unit="runs"))
    finally:
        logs.reset()
    out, err = capsys.readouterr()
    assert out == ""
    shown = [line.split("] ", 1)[1] for line in err.splitlines()]
    assert shown == lines


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_bar_is_drawn_and_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    term = _Terminal()
    monkeypatch.setattr("sys.stderr", term)
    logs.configure()
    try:
        for _ in track(range(4), stage="scoring industries"):
            logging.getLogger("layout.test").info("a line while the bar is live")
    finally:
        logs.reset()
    text = term.getvalue()
    assert "scoring industries" in text and "4/4" in text  # rich drew the bar
    assert "\x1b[2K" in text  # and erased it (transient)
    assert text.count("a line while the bar is live") == 4


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_tiny_plan(
        tmp_path_factory.mktemp("tiny_progress"),
        demand={"industries": {c: {"mu": mu} for c, mu in DEMAND.items()}},
        allocation=dict(ALLOCATION), sensitivity={"runs": 4, "spread": 0.3})


def _plan(tiny: Path, out: Path, *flags: str) -> tuple[str, str]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Use `@` matmul",
                                category=PendingDeprecationWarning)
        result = CliRunner().invoke(cli, ["plan", str(tiny), "--out", str(out), "--no-maps",
                                          *flags])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_plan_progress_goes_to_stderr_and_quiet_prints_nothing(tiny: Path,
                                                               tmp_path: Path) -> None:
    out, err = _plan(tiny, tmp_path / "loud", "-v")
    for stage in ("loading layers: 9/9", "scoring industries: 7/7", "sensitivity runs: "):
        assert stage in err, err
        assert stage not in out
    assert out.startswith("plan: ")
    assert not any(line.startswith("[") for line in out.splitlines())
    quiet_out, quiet_err = _plan(tiny, tmp_path / "quiet", "-q")
    assert quiet_out == "" and quiet_err == ""
