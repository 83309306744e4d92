"""``layout learn`` on the tiny plan (tests/fixtures/tiny_plan.py): the folder and bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from layout.cli.main import cli
from tests.fixtures import tiny_plan as tp


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tp.write_tiny_plan(tmp_path_factory.mktemp("tiny"))


@pytest.mark.slow
def test_learn_writes_the_table_plots_and_weights(tiny_plan: Path, tmp_path: Path) -> None:
    out = tmp_path / "learned"
    result = CliRunner().invoke(cli, ["learn", str(tiny_plan), "--industry", "auto",
                                      "--block-km", "2", "--folds", "2", "--background", "300",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "auc.csv")
    assert table["industry"].tolist() == ["auto"]
    # Presences: the distinct cells holding an auto firm (the fixture's answer key).
    ent = tp.tiny_enterprises()
    auto = ent[ent["industry"] == "auto"]
    cols = ((auto.geometry.x - 495_000) // tp.RESOLUTION).astype(int)
    rows = ((3_849_000 - auto.geometry.y) // tp.RESOLUTION).astype(int)
    assert table.loc[0, "n_presence"] == len(set(zip(rows, cols, strict=True)))
    assert table.loc[0, "n_background"] == 300
    for name in ("importance.csv", "suggested_weights.toml", "README.md",
                 "auto_partial_dependence.png"):
        assert (out / name).stat().st_size > 0
    assert "synthetic" in (out / "README.md").read_text(encoding="utf-8")
    imp = pd.read_csv(out / "importance.csv")
    assert imp["suggested_weight"].sum() == pytest.approx(1.0, abs=1e-4)


def test_learn_unknown_industry_is_one_line(tiny_plan: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["learn", str(tiny_plan), "--industry", "autos",
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "autos" in result.output
    assert not (tmp_path / "x").exists()
