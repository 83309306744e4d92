"""Opening maps in headless Chromium with the network blocked: layers with hostile names, the
record of a visit, screenshots (copied to ``/tmp/layout-screens/``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

SCREENS = Path("/tmp/layout-screens")


CODES = [
    "auto",
    "electronics",
    "new_materials",
    "biomedicine",
    "aluminium",
    "food",
    "textiles",
    "other",
]


NAMES_ZH = {
    "auto": "汽车及装备制造",
    "electronics": "电子信息",
    "new_materials": "新材料",
    "biomedicine": "生物医药",
    "aluminium": "铝工业",
    "food": "食品工业",
    "textiles": "纺织服装",
    "other": "其他产业",
}


# Each payload sets window.__pwned if it ever runs, in HTML, in a JS string or template
# literal, in a Jinja template, or through an event handler.
PAYLOADS = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
    "`${window.__pwned = 'template'}`",
    "\"'></script><script>window.__pwned = 'breakout'</script>",
    "{{ 7*7 }}{% if true %}jinja{% endif %}",
    "<svg onload=\"window.__pwned = 'svg'\"></svg>",
    "');window.__pwned = 'quote';//",
]


def layers_for_browser(n_firms: int, *, names: list[str] | None = None) -> dict:
    """Counties, zones, firms (industries round-robin over CODES) and a constraint; names of
    the first counties, zones and firms replaced by ``names`` when given."""
    rng = np.random.default_rng(3)
    crs = "EPSG:4326"
    boxes = [
        shapely.box(113.3 + i * 0.2, 34.4 + j * 0.15, 113.5 + i * 0.2, 34.55 + j * 0.15)
        for j in range(2)
        for i in range(3)
    ]
    county_names = ["中原区", "二七区", "管城区", "金水区", "上街区", "惠济区"]
    zone_names = ["航空港区", "经开区"]
    firm_names = [f"企业{i}" for i in range(n_firms)]
    if names:
        county_names[: len(names)] = names[:6]
        zone_names = names[:2]
        firm_names[: len(names)] = names
    counties = gpd.GeoDataFrame(
        {
            "adcode": [f"4101{i:02d}" for i in range(6)],
            "name_zh": county_names,
            "name_en": county_names,
        },
        geometry=boxes,
        crs=crs,
    )
    boundary = gpd.GeoDataFrame(
        {"adcode": ["410100"], "name_zh": ["郑州市"], "name_en": ["Zhengzhou"]},
        geometry=[shapely.union_all(boxes)],
        crs=crs,
    )
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["a", "b"],
            "name_zh": zone_names,
            "name_en": zone_names,
            "county": "410100",
            "leading": ["electronics", "auto,food"],
            "built_share": [0.4, 0.6],
            "confidence": ["H", "L"],
        },
        geometry=[
            shapely.Point(113.5, 34.55).buffer(0.04),
            shapely.Point(113.7, 34.5).buffer(0.03),
        ],
        crs=crs,
    )
    firms = gpd.GeoDataFrame(
        {
            "ent_id": [f"e{i}" for i in range(n_firms)],
            "name": firm_names,
            "industry": [CODES[i % len(CODES)] for i in range(n_firms)],
            "employees": rng.integers(10, 5000, n_firms),
            "output_wan": rng.lognormal(8, 1.2, n_firms),
            "land_mu": rng.uniform(10, 500, n_firms),
        },
        geometry=gpd.points_from_xy(
            rng.uniform(113.31, 113.89, n_firms), rng.uniform(34.41, 34.69, n_firms)
        ),
        crs=crs,
    )
    constraints = gpd.GeoDataFrame(
        {
            "constraint_id": ["c1"],
            "type": ["eco_redline"],
            "name_zh": [names[0] if names else "红线"],
            "legal_basis": ["x"],
        },
        geometry=[shapely.box(113.32, 34.42, 113.4, 34.5)],
        crs=crs,
    )
    return {
        "boundary": boundary,
        "counties": counties,
        "zones": zones,
        "enterprises": firms,
        "constraints": constraints,
    }


@dataclass
class Visit:
    """A page opened with the network blocked, and what happened while it loaded."""

    page: Any
    external: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def screenshot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path))
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / name)
    return path
