"""Tests of `layout.products.review.provenance`: ``hashlib`` against `data_provenance`, pandas
``value_counts`` against `confidence_summary`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from layout import settings
from layout.data.inputs import PlanInputs
from layout.io import embedded as datasets
from layout.products import review
from layout.products.review.provenance import parse_source


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_data_provenance_checks_hashes(tmp_path: Path) -> None:
    good = tmp_path / "zones.gpkg"
    good.write_bytes(b"zones")
    edited = tmp_path / "firms.csv"
    edited.write_bytes(b"firms")
    (tmp_path / "plan.toml").write_text("", encoding="utf-8")
    (tmp_path / "data").mkdir()
    rel = tmp_path / "data" / "dem.tif"
    rel.write_bytes(b"dem")
    manifest = {
        "config": str(tmp_path / "plan.toml"),
        "inputs": {
            "zones": f"{good}:zones sha256={sha(good)[:16]}",
            "enterprises": f"{edited} sha256={sha(edited)[:16]}",
            "dem": f"data/dem.tif sha256={sha(rel)[:16]}",  # relative to the plan TOML
            "boundary": f"zhengzhou.gpkg:boundary sha256={sha(settings.embedded_gpkg())[:16]}",
            "counties": f"{tmp_path / 'gone.shp'} sha256=0123456789abcdef",
        },
    }
    edited.write_bytes(b"firms, edited")
    out = review.data_provenance(manifest).set_index("input")
    assert out.loc["zones", "layer"] == "zones" and out.loc["zones", "file"] == str(good)
    assert out.loc["zones", "unchanged"] is True
    assert out.loc["enterprises", "unchanged"] is False
    assert out.loc["enterprises", "layer"] == ""
    assert out.loc["dem", "unchanged"] is True and out.loc["dem", "path"] == str(rel)
    assert out.loc["boundary", "path"] == str(settings.embedded_gpkg())
    assert out.loc["boundary", "unchanged"] is True
    assert out.loc["counties", "unchanged"] is None and out.loc["counties", "path"] == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zhengzhou.gpkg:zones sha256=ab", ("zhengzhou.gpkg", "zones", "ab")),
        ("/data/my zones.gpkg:zones sha256=ab", ("/data/my zones.gpkg", "zones", "ab")),
        (r"C:\data\zones.gpkg:zones sha256=ab", (r"C:\data\zones.gpkg", "zones", "ab")),
        (r"C:\data\boundary.geojson sha256=ab", (r"C:\data\boundary.geojson", "", "ab")),
        ("zhengzhou_dem.tif sha256=ab", ("zhengzhou_dem.tif", "", "ab")),
        ("no digest", ("no digest", "", "")),
    ],
)
def test_manifest_sources_are_parsed(text: str, expected: tuple[str, str, str]) -> None:
    assert parse_source(text) == expected


def test_provenance_of_a_plan_folder(outputs: review.PlanOutputs, tiny_inputs: PlanInputs) -> None:
    out = review.data_provenance(outputs)
    assert set(out["input"]) == set(tiny_inputs.sources)
    assert out["unchanged"].tolist() == [True] * len(out)
    for _, row in out.iterrows():
        assert sha(Path(row["path"])).startswith(row["sha256"])


def test_confidence_summary_counts_like_pandas() -> None:
    layers = datasets.load_all()
    out = review.confidence_summary(layers)
    assert out.index.tolist() == list(layers)
    for name, gdf in layers.items():
        assert out.loc[name, "features"] == len(gdf)
        assert out.loc[name].drop("features").sum() == len(gdf)
        if "confidence" in gdf.columns:
            for value, n in gdf["confidence"].value_counts().items():
                assert out.loc[name, str(value)] == n
        else:
            assert out.loc[name, "not stated"] == len(gdf)
    assert out.columns[:4].tolist() == ["features", "H", "M", "L"]
    assert out.columns[-1] == "not stated"
