"""The public API (`layout.api`): a variant made in Python is named as itself everywhere."""

from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path

import pytest

from layout import api
from layout.config.plan import load_plan
from layout.products.maps.plan import write_plan_maps
from layout.products.review import vary_plan
from tests.fixtures import tiny_plan as tp
from tests.fixtures.plan_folder import ALLOCATION, DEMAND


def _overview_title(maps: Path) -> str:
    found = re.search(r"<title>(.*?)</title>",
                      (maps / "overview.html").read_text(encoding="utf-8"), re.S)
    assert found is not None
    return found.group(1).strip()


@pytest.mark.slow
def test_a_variant_made_in_python_keeps_its_name(tmp_path: Path) -> None:
    path = tp.write_tiny_plan(tmp_path / "plan",
                              demand={"industries": {c: {"mu": mu} for c, mu in DEMAND.items()}},
                              allocation=dict(ALLOCATION))
    base = load_plan(path)
    variant = vary_plan(base, "food", weights={"density": 0.3})
    assert variant.name != base.name and variant.path == base.path  # the base TOML's path
    out, maps = tmp_path / "out", tmp_path / "maps"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Use `@` matmul",
                                category=PendingDeprecationWarning)
        api.plan(variant, out=out, maps=maps, sensitivity=False, date="2012-04-24")
    assert (out / "report.md").read_text(encoding="utf-8").startswith(f"# {variant.name}\n")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["title"], manifest["title_en"]) == (variant.name, variant.name_en)
    assert _overview_title(maps) == f"{variant.name} 2012-04-24"
    # the maps drawn again from the folder: the name it was written under, not the base TOML's
    again = tmp_path / "again"
    write_plan_maps(out, out_dir=again, date="2012-04-24", png=False)
    assert _overview_title(again) == f"{variant.name} 2012-04-24"
    write_plan_maps(out, out_dir=again, date="2012-04-24", png=False, lang="en")
    assert _overview_title(again).startswith(variant.name_en)


def test_title_renames_a_plan_and_nothing_else() -> None:
    base = load_plan()
    from layout.products.outputs import titled

    renamed = titled(base, "方案 B")
    assert (renamed.name, renamed.name_en) == ("方案 B", "方案 B")
    assert dataclasses.replace(renamed, name=base.name, name_en=base.name_en) == base
    assert titled(base, None) is base and titled(base, "") is base
