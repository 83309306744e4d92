"""The memory guard: the estimate, the limits it reads, and the refusal before any allocation."""

from __future__ import annotations

import math
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from layout.cli.main import cli
from layout.data import memory
from layout.errors import ConfigError, MemoryBudgetError


def test_run_memory_counts_layers_by_hand() -> None:
    # 2 industries weighing 3 and 5 criteria: 8 transformed + 6 raw + 4 score/flags = 18 layers.
    assert memory.layers_per_cell([3, 5]) == 3 + 5 + 6 + 4
    assert memory.run_memory(1000, [3, 5]) == memory.BASE_BYTES + 1000 * 8 * 18


def test_refusal_names_cells_gigabytes_and_a_resolution_that_fits(monkeypatch) -> None:
    monkeypatch.setenv(memory.MEMORY_ENV, "2")
    bounds = (0.0, 0.0, 100_000.0, 100_000.0)  # 100 km square at 10 m: 10^8 cells
    with pytest.raises(MemoryBudgetError) as err:
        memory.check_memory(bounds, 10, [14] * 7, source="city.toml")
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("city.toml: a 10 m grid of 10,000 x 10,000 = 100,000,000 cells")
    # Hand computation: 127 layers x 8 B x 1e8 cells + 0.4 GB = 102.0 GB; cap 2.0 GB.
    assert "needs about 102.0 GB but 2.0 GB are available" in text
    assert "resolution_m = 80 or coarser" in text
    # The suggestion is the finest multiple of 5 m that fits: 80 m fits, 75 m does not.
    per_cell = 8 * 127
    assert memory.BASE_BYTES + math.ceil(1e5 / 80) ** 2 * per_cell <= 2e9
    assert memory.BASE_BYTES + math.ceil(1e5 / 75) ** 2 * per_cell > 2e9
    assert memory.check_memory(bounds, 80, [14] * 7) <= 2e9


def test_nothing_fits_says_so(monkeypatch) -> None:
    monkeypatch.setenv(memory.MEMORY_ENV, "0.1")  # below what Python itself takes
    with pytest.raises(MemoryBudgetError, match="free memory or use a machine with more"):
        memory.check_memory((0, 0, 1000, 1000), 100, [14])


@pytest.mark.parametrize("value", ["lots", "-1", "0", "inf"])
def test_a_bad_cap_is_a_config_error(monkeypatch, value: str) -> None:
    monkeypatch.setenv(memory.MEMORY_ENV, value)
    with pytest.raises(ConfigError, match=r"\$LAYOUT_MEMORY_GB"):
        memory.available_memory()


def test_address_space_limit_lowers_what_is_available() -> None:
    # ulimit -v in a child process: what is left under the limit, never more than the limit.
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (6 * 10**9, 6 * 10**9));"
        "from layout.data.memory import available_memory; print(available_memory())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert 0 < int(out) < 6 * 10**9


def test_plan_at_5_m_is_refused_in_one_line_before_allocating(tmp_path) -> None:
    from layout.config.plan import embedded_plan_path

    text = embedded_plan_path().read_text(encoding="utf-8")
    assert "resolution_m = 100.0" in text
    plan = tmp_path / "fine.toml"
    # engine = "memory": the plan asks for the in-memory engine, which must refuse; with the
    # default "auto" the plan would go to the chunked engine instead (the next test).
    plan.write_text(text.replace("resolution_m = 100.0", 'resolution_m = 5.0\nengine = "memory"'),
                    encoding="utf-8")
    # Embedded layers are named "embedded", so the copy reads the same data from elsewhere.
    t0 = time.perf_counter()
    res = CliRunner().invoke(cli, ["plan", str(plan), "--out", str(tmp_path / "out"),
                                   "--no-maps", "-q"])
    elapsed = time.perf_counter() - t0
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: fine.toml: a 5 m grid"), res.output
    # 5 m over Zhengzhou: about 444 million cells, far beyond this machine.
    assert "cells needs about" in lines[0] and "resolution_m =" in lines[0]
    assert not (tmp_path / "out").exists()
    assert elapsed < 60  # refused after reading the layers, not after a MemoryError


def test_auto_engine_takes_dask_when_memory_does_not_fit(tmp_path) -> None:
    from layout.config.plan import embedded_plan_path
    from layout.data.inputs import allocation_factor, load_inputs

    text = embedded_plan_path().read_text(encoding="utf-8")
    plan = tmp_path / "fine.toml"
    plan.write_text(text.replace("resolution_m = 100.0", "resolution_m = 5.0"), encoding="utf-8")
    inputs = load_inputs(plan, chunked=True)
    assert inputs.engine == "dask"
    f = inputs.frame
    # The analysis grid is only a frame (no 444-million-cell mask); the grid in memory is the
    # allocation grid of blocks of round(450 / 5) = 90 cells.
    assert allocation_factor(inputs.plan) == 90
    assert f.n_cells > 4e8 and inputs.grid.cell == 450.0
    assert inputs.grid.shape == (-(-f.nrows // 90), -(-f.ncols // 90))
    assert (inputs.grid.x0, inputs.grid.y_top) == (f.x0, f.y_top)
    # The embedded plan at 100 m still fits: memory.
    assert load_inputs().engine == "memory"


def test_a_command_without_a_chunked_path_refuses_a_plan_that_needs_one(tmp_path) -> None:
    # layout score, learn, efficiency...: scoring the allocation grid of a chunked plan as if it
    # were the analysis grid would be wrong without a word; such a caller is refused instead.
    from layout.config.plan import embedded_plan_path
    from layout.data.inputs import load_inputs

    text = embedded_plan_path().read_text(encoding="utf-8")
    plan = tmp_path / "fine.toml"
    plan.write_text(text.replace("resolution_m = 100.0", "resolution_m = 5.0"), encoding="utf-8")
    with pytest.raises(MemoryBudgetError, match="only `layout plan` runs a plan this large"):
        load_inputs(plan)
    res = CliRunner().invoke(cli, ["score", str(plan), "--out", str(tmp_path / "s"), "-q"])
    assert res.exit_code == 2
    assert "only `layout plan` runs a plan this large" in res.output.strip().splitlines()[-1]
