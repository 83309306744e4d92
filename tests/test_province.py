"""``layout plan`` on the chunked engine, end to end: the embedded Henan plan, coarsened.

The plan is the embedded Henan plan at 1000 m with ``engine = "dask"`` (the real one is 30 m;
its figures are in benchmarks/bench_province.py), run by the CLI on a LocalCluster of 2
workers; a second run connects with ``--scheduler`` to a LocalCluster the test starts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyogrio
import pytest
import rasterio
from click.testing import CliRunner

from layout.cli.main import cli
from layout.config.plan import embedded_plan_path

pytestmark = pytest.mark.slow


def _henan(tmp: Path) -> Path:
    text = embedded_plan_path("henan").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^resolution_m = 30.0", 'resolution_m = 1000.0\nengine = "dask"', text)
    path = tmp / "henan1000.toml"
    path.write_text(text + "\n[engine]\nchunk_cells = 256\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("province")
    plan = _henan(tmp)
    out = tmp / "out"
    res = CliRunner().invoke(cli, ["plan", str(plan), "--out", str(out), "--no-maps",
                                   "--workers", "2", "-q"])
    assert res.exit_code == 0, res.output
    return plan, out


def test_a_chunked_plan_writes_a_plan_folder(province) -> None:
    _, out = province
    names = {p.name for p in out.iterdir()}
    assert {"plan.gpkg", "allocation.csv", "report.md", "manifest.json"} <= names
    assert not (out / ".chunked").exists()  # the blocks are gone
    for code in ("auto", "textiles"):
        with rasterio.open(out / "suitability" / f"{code}_score.tif") as src:
            assert src.overviews(1) and src.tags()["industry"] == code
            assert src.res == (1000.0, 1000.0)
        assert (out / "suitability" / f"{code}_flags.tif").is_file()
        assert not (out / "suitability" / f"{code}_criteria.tif").exists()


def test_sites_come_city_by_city_and_the_report_says_so(province) -> None:
    _, out = province
    sites = pyogrio.read_dataframe(out / "plan.gpkg", layer="sites")
    assert len(sites) > 10 and sites["region"].nunique() > 5
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Province scale: chunked scoring, allocation by city" in report
    assert "郑州市" in report and "not run at province scale" in report
    stages = json.loads((out / "timings.json").read_text(encoding="utf-8"))["stage_seconds"]
    assert {"score_figures", "score_windows", "score_assemble", "allocate"} <= set(stages)


def test_scheduler_address_runs_on_that_cluster(province, tmp_path) -> None:
    from distributed import LocalCluster

    plan, first = province
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        out = tmp_path / "out"
        res = CliRunner().invoke(cli, ["plan", str(plan), "--out", str(out), "--no-maps",
                                       "--scheduler", cluster.scheduler_address, "-q"])
        assert res.exit_code == 0, res.output
    # The same plan on another cluster: the same sites and allocation, byte for byte.
    assert (out / "allocation.csv").read_bytes() == (first / "allocation.csv").read_bytes()


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path) -> None:
    plan = _henan(tmp_path)
    res = CliRunner().invoke(cli, ["plan", str(plan), "--out", str(tmp_path / "o"),
                                   "--no-maps", "--scheduler", "tcp://127.0.0.1:9", "-q"])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "cannot reach a dask scheduler" in lines[0], res.output
    assert not (tmp_path / "o").exists()
