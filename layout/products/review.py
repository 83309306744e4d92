"""Results as their users read them: a finished plan, plan variants, site-check tables.

For reviewers: a finished plan's outputs, why a site was chosen, how far to trust it and where
its data came from. For planners: plan variants and their allocations side by side. For land
departments: tables of site-check verdicts.

This is the library side of the walkthroughs in ``notebooks/``: every number a notebook shows
comes from a function here or elsewhere in the package, never from logic in a cell.

Reading a plan folder (docs/plan_outputs.md)
    `read_plan` → `PlanOutputs` (``plan.gpkg`` layers, ``manifest.json``, report, rasters);
    `site_contributions` (from the ``sites`` table) and `explain_site` (recomputed from the
    score GeoTIFF, with each criterion's weight and value) say why a site was chosen;
    `data_provenance` checks the recorded input hashes against the files on disk and
    `confidence_summary` counts the features of each layer by confidence.
Comparing plans
    `vary_plan` changes one industry's weights or growth target (validated like a TOML file);
    `compare_allocations` puts two allocation tables side by side (mu).
Site checks (`layout.products.sitecheck`)
    `verdicts_table` summarises a batch, `parcel_contributions` gives a parcel's criterion
    contributions in the same form as `site_contributions`.
Figures
    `plot_contributions`, `plot_stability`, `plot_hot_spots` draw matplotlib figures and return
    the Axes; `show_map` shows a folium map inline as the offline page `layout.products.maps.save_map`
    writes (folium's own notebook view loads Leaflet from CDNs).
"""

from __future__ import annotations

import copy
import dataclasses
import html
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import pandas as pd

from layout.config.plan import parse_plan
from layout.data.inputs import PlanInputs, file_digest
from layout.errors import ConfigError, DataFileError, LayoutError, Problem, ValidationError
from layout.config.catalog import check_industry
from layout.model.criteria import CRITERIA, GROUPS
from layout.model.plan import PlanConfig
from layout.products.planfolder import PlanOutputs, UnknownSiteError, read_plan, site_row

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    from matplotlib.axes import Axes
    from numpy.typing import ArrayLike

    from layout.model.grid import Grid
    from layout.products.sitecheck import SiteCheck

__all__ = [
    "PlanOutputs",
    "UnknownSiteError",
    "compare_allocations",
    "confidence_summary",
    "data_provenance",
    "explain_site",
    "parcel_contributions",
    "plot_contributions",
    "plot_hot_spots",
    "plot_stability",
    "read_plan",
    "show_map",
    "site_contributions",
    "vary_plan",
    "verdicts_table",
]

logger = logging.getLogger(__name__)

#: Columns of a contributions table (`site_contributions`, `explain_site`,
#: `parcel_contributions`).
CONTRIBUTION_COLUMNS: tuple[str, ...] = ("criterion", "group", "label", "contribution", "share")
_ALLOCATION_COLUMNS = ("industry", "zone_id", "zone_name", "area_mu")
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
_CJK_PAREN = re.compile(r"\s*\([^()]*[\u2e80-\u9fff][^()]*\)")


# --- reading a plan folder ------------------------------------------------------------------


# --- why a site was chosen ------------------------------------------------------------------


def _label(name: str, lang: str) -> str:
    crit = CRITERIA.get(name)
    return crit.label(lang) if crit is not None else name


def _group(name: str) -> str:
    crit = CRITERIA.get(name)
    return crit.group if crit is not None else ""


def _contribution_frame(values: Mapping[str, float], lang: str) -> pd.DataFrame:
    """Rows of finite contributions, largest first (ties in `CRITERIA` order)."""
    order = {name: i for i, name in enumerate(CRITERIA)}
    items = [(k, float(v)) for k, v in values.items() if v is not None and math.isfinite(v)]
    items.sort(key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0]))
    total = sum(v for _, v in items)
    return pd.DataFrame(
        {
            "criterion": [k for k, _ in items],
            "group": [_group(k) for k, _ in items],
            "label": [_label(k, lang) for k, _ in items],
            "contribution": [v for _, v in items],
            "share": [v / total if total else math.nan for _, v in items],
        },
        columns=list(CONTRIBUTION_COLUMNS),
    )


def site_contributions(sites: pd.DataFrame, site_id: str, *, lang: str = "en") -> pd.DataFrame:
    """Why a site was chosen: its criterion contributions, largest first.

    The ``c_<criterion>`` columns of the ``sites`` table (docs/plan_outputs.md) are the mean
    contributions (score points) of each criterion over the site's cells; they sum to the site's
    mean score. Criteria without weight for the industry (NaN) are left out.

    Parameters
    ----------
    sites
        The ``sites`` table: `layout.allocation.run.PlanResult.sites` or `PlanOutputs.sites`.
    site_id
        The site, e.g. ``"auto-01"``.
    lang
        Criterion labels in ``"en"`` or ``"zh"``.

    Returns
    -------
    DataFrame
        Columns ``criterion``, ``group`` (`layout.model.criteria.GROUPS`), ``label``,
        ``contribution`` (points) and ``share`` (of the sum). ``attrs``: ``site_id``,
        ``industry``, ``mean_score``.

    Raises
    ------
    UnknownSiteError
        ``site_id`` is not in the table.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": ["food-01"], "industry": ["food"],
    ...     "mean_score": [30.0], "c_density": [10.0], "c_zone_fit": [20.0], "c_slope": [None]})
    >>> site_contributions(sites, "food-01")
        criterion      group                      label  contribution     share
    0    zone_fit  intensive  zone leading-industry fit          20.0  0.666667
    1     density  agglomeration  same-industry density          10.0  0.333333
    """
    if lang not in ("en", "zh"):
        raise ConfigError(f"lang = {lang!r}: use 'en' or 'zh'")
    row = site_row(sites, site_id)
    values = {
        str(c)[2:]: float(pd.to_numeric(row[c], errors="coerce"))
        for c in sites.columns
        if isinstance(c, str) and c.startswith("c_") and len(c) > 2
    }
    out = _contribution_frame(values, lang)
    out.attrs.update(
        site_id=str(site_id),
        industry=str(row.get("industry", "")),
        mean_score=float(row["mean_score"]) if "mean_score" in row.index else math.nan,
    )
    return out


def explain_site(outputs: PlanOutputs, site_id: str, *, lang: str = "en") -> pd.DataFrame:
    """Recompute a site's criterion contributions from the industry's score GeoTIFF.

    The reviewer's check that the ``sites`` table is what the rasters say: over the grid cells
    whose centres lie in the site polygon, the mean transformed value ``value`` (0–1) of each
    criterion band and the mean of ``100 · weight · value``, with the weights recorded in the
    GeoTIFF's ``weights`` tag (6 decimals). Sites hold only cells no hard constraint excludes,
    so every cell counts; a cell where a criterion has no data (nodata in its band) contributes
    0 to it and is left out of its ``value`` (NaN when no cell has data).

    Parameters
    ----------
    outputs
        From `read_plan`.
    site_id
        The site, e.g. ``"auto-01"``.
    lang
        Criterion labels in ``"en"`` or ``"zh"``.

    Returns
    -------
    DataFrame
        One row per weighted criterion, largest contribution first: ``criterion``,
        ``group``, ``label``, ``contribution``, ``share``, ``weight``, ``value`` and
        ``reported`` (the ``c_<criterion>`` value of the sites table). ``attrs``:
        ``site_id``, ``industry``, ``n_cells``, ``score`` (mean of band 1 over the cells) and
        ``reported_score`` (``mean_score`` of the table).

    Raises
    ------
    UnknownSiteError
        ``site_id`` is not in the plan.
    DataFileError
        The industry's score raster is missing, or it has no ``weights`` tag.
    """
    import rasterio
    from affine import Affine
    from rasterio.features import geometry_mask
    from rasterio.windows import Window

    row = outputs.site(site_id)
    industry = str(row["industry"])
    path = outputs.score_path(industry)
    sites = outputs.sites
    with rasterio.open(path) as src:
        tags = src.tags()
        if "weights" not in tags:
            raise DataFileError(f"{path}: no 'weights' tag; was it written by `layout plan`?")
        weights = {
            k: float(v) for k, v in (item.split("=", 1) for item in tags["weights"].split(";"))
        }
        names = [str(d).split(":", 1)[0] for d in src.descriptions[1:]]
        geom = sites.geometry.iloc[list(sites["site_id"].astype(str)).index(site_id)]
        if sites.crs is not None and src.crs is not None and not sites.crs.equals(src.crs):
            import geopandas as gpd

            geom = gpd.GeoSeries([geom], crs=sites.crs).to_crs(src.crs).iloc[0]
        # the window of the site's bounds plus one cell, clipped to the raster (computed here:
        # rasterio's window helpers use affine's deprecated `*` operator)
        t = src.transform
        xmin, ymin, xmax, ymax = geom.bounds
        c0 = max(0, math.floor((xmin - t.c) / t.a) - 1)
        c1 = min(src.width, math.ceil((xmax - t.c) / t.a) + 1)
        r0 = max(0, math.floor((ymax - t.f) / t.e) - 1)
        r1 = min(src.height, math.ceil((ymin - t.f) / t.e) + 1)
        if c1 <= c0 or r1 <= r0:
            raise LayoutError(f"site {site_id!r} lies outside {path.name}")
        data = src.read(window=Window(c0, r0, c1 - c0, r1 - r0)).astype(np.float64)
        nodata = src.nodata
        transform = Affine(t.a, t.b, t.c + c0 * t.a + r0 * t.b, t.d, t.e, t.f + c0 * t.d + r0 * t.e)
    inside = geometry_mask([geom], out_shape=data.shape[1:], transform=transform, invert=True)
    n = int(inside.sum())
    if n == 0:
        raise LayoutError(f"site {site_id!r} covers no cell centre of {path.name}")
    values: dict[str, float] = {}
    contrib: dict[str, float] = {}
    for i, name in enumerate(names):
        band = data[i + 1][inside]
        # a criterion without data at a cell (nodata there) contributes 0 but keeps its weight
        present = np.isfinite(band) & (band != nodata) if nodata is not None else np.isfinite(band)
        values[name] = float(band[present].mean()) if present.any() else math.nan
        contrib[name] = 100.0 * weights.get(name, 0.0) * float(np.where(present, band, 0.0).mean())
    out = _contribution_frame(contrib, lang)
    out["weight"] = [weights.get(k, math.nan) for k in out["criterion"]]
    out["value"] = [values[k] for k in out["criterion"]]
    out["reported"] = [
        float(row[f"c_{k}"]) if f"c_{k}" in row.index else math.nan for k in out["criterion"]
    ]
    out.attrs.update(
        site_id=str(site_id),
        industry=industry,
        n_cells=n,
        score=float(data[0][inside].mean()),
        reported_score=float(row["mean_score"]),
    )
    return out


# --- comparing plans ------------------------------------------------------------------------


@overload
def vary_plan(
    plan: PlanConfig,
    industry: str,
    *,
    weights: Mapping[str, float] | None = ...,
    growth: float | None = ...,
) -> PlanConfig: ...


@overload
def vary_plan(
    plan: PlanInputs,
    industry: str,
    *,
    weights: Mapping[str, float] | None = ...,
    growth: float | None = ...,
) -> PlanInputs: ...


def vary_plan(
    plan: PlanConfig | PlanInputs,
    industry: str,
    *,
    weights: Mapping[str, float] | None = None,
    growth: float | None = None,
) -> PlanConfig | PlanInputs:
    """A variant of a plan in which one industry's weights or growth target change.

    The change is written into a copy of the plan's TOML tables (``[industries.CODE.weights]``,
    ``[demand.industries.CODE] growth``) and validated again with `layout.config.plan.parse_plan`,
    so a typo fails as it would in the file. The plan's names get the change appended, so maps
    and reports of the variant say what it is.

    Parameters
    ----------
    plan
        A `PlanConfig`, or `PlanInputs` (then the inputs are reused with the new plan: the
        change touches neither inputs, CRS nor grid).
    industry
        Industry code.
    weights
        Raw weights by criterion name (and ``access_transport``), merged into the industry's
        ``[industries.CODE.weights]``; renormalised per industry as usual.
    growth
        The industry's growth factor (output at the horizon ÷ today's; 2.0 is 三年倍增).

    Returns
    -------
    PlanConfig or PlanInputs
        The same kind as ``plan``.

    Raises
    ------
    ConfigError
        Neither change given; an industry with AHP weights (change its matrix instead) or with
        its demand given in mu (growth would have no effect); anything `parse_plan` refuses.

    Examples
    --------
    >>> from layout.config.plan import load_plan
    >>> v = vary_plan(load_plan(), "aluminium", growth=1.5)
    >>> v.demand.industries["aluminium"], v.name_en.endswith("(variant: aluminium growth 1.5)")
    ({'growth': 1.5}, True)
    >>> vary_plan(load_plan(), "aluminium", weights={"zone_fitt": 0.2})
    Traceback (most recent call last):
    ...
    layout.errors.ConfigError: embedded plan: ... weights.zone_fitt: ... did you mean 'zone_fit' ...
    """
    config = plan.plan if isinstance(plan, PlanInputs) else plan
    code = check_industry(industry, catalog=config.catalog)
    if weights is None and growth is None:
        raise ConfigError(f"vary_plan({code!r}): give weights=..., growth=... or both")
    if not config.raw:
        raise ConfigError(
            f"{config.label}: the plan holds no TOML tables to vary (build it with load_plan or "
            "parse_plan)"
        )
    raw: dict[str, Any] = copy.deepcopy(dict(config.raw))
    changes: list[str] = []
    ind_table = raw.setdefault("industries", {}).setdefault(code, {})
    if weights:
        if "ahp" in ind_table:
            raise ConfigError(
                f"{config.label}: [industries.{code}] has AHP weights, which replace direct "
                f"weights; change its [industries.{code}.ahp] matrix instead"
            )
        ind_table.setdefault("weights", {}).update(dict(weights))
        changes.append(", ".join(f"{k}={v:g}" for k, v in weights.items()))
    if not ind_table:
        del raw["industries"][code]
    if growth is not None:
        dem = raw.setdefault("demand", {}).setdefault("industries", {}).setdefault(code, {})
        if "mu" in dem:
            raise ConfigError(
                f"{config.label}: [demand.industries.{code}] gives the demand in mu "
                f"({dem['mu']:g}), so a growth target has no effect; change mu instead"
            )
        dem["growth"] = growth
        changes.append(f"growth {growth:g}")
    text = f"{code} {'; '.join(changes)}"
    names = raw.setdefault("plan", {})
    names["name"] = f"{config.name}（调整：{text}）"
    names["name_en"] = f"{config.name_en} (variant: {text})"
    new = parse_plan(raw, path=config.path)
    if isinstance(plan, PlanInputs):
        return dataclasses.replace(plan, plan=new)
    return new


def _text(df: pd.DataFrame, column: str) -> pd.Series:
    """A column as text, missing values (and a missing column) as ``""``."""
    if column not in df.columns:
        return pd.Series([""] * len(df), index=df.index, dtype=object)
    values = df[column].astype(object)
    return values.where(values.notna(), "").astype(str)


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """The columns of an allocation table `compare_allocations` uses, cleaned."""
    return pd.DataFrame(
        {
            "industry": _text(df, "industry"),
            "zone_id": _text(df, "zone_id"),
            "zone_name": _text(df, "zone_name"),
            "area_mu": pd.to_numeric(df["area_mu"], errors="coerce").fillna(0.0).astype(float),
        }
    )


def _check_allocation(df: pd.DataFrame, source: str) -> None:
    missing = [c for c in ("industry", "zone_id", "area_mu") if c not in df.columns]
    if missing:
        raise ValidationError(
            [
                Problem(
                    source,
                    f"has no column {c!r}; expected the allocation table (docs/plan_outputs.md)",
                    column=c,
                )
                for c in missing
            ]
        )


def compare_allocations(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    labels: tuple[str, str] = ("before", "after"),
    by: Literal["zone", "industry"] = "zone",
) -> pd.DataFrame:
    """Two allocation tables side by side: land per industry and zone (mu), and the change.

    Parameters
    ----------
    a, b
        Allocation tables (`layout.allocation.run.PlanResult.allocation`, `PlanOutputs.allocation`):
        ``industry``, ``zone_id`` (empty outside every zone), ``zone_name``, ``area_mu``.
    labels
        Names of the two value columns.
    by
        ``"zone"``: one row per industry and zone; ``"industry"``: totals per industry.

    Returns
    -------
    DataFrame
        ``industry`` (and ``zone_id``, ``zone_name``), the two ``labels`` columns in mu (0 where
        a table has no land) and ``difference`` (``b − a``). Industries in the order they first
        appear (``a``, then ``b``), zones likewise within each industry.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"industry": ["food", "food"], "zone_id": ["mazhai", ""],
    ...                   "zone_name": ["马寨", ""], "area_mu": [300.0, 120.0]})
    >>> b = pd.DataFrame({"industry": ["food", "auto"], "zone_id": ["mazhai", "zetdz"],
    ...                   "zone_name": ["马寨", "经开区"], "area_mu": [450.0, 600.0]})
    >>> compare_allocations(a, b)
      industry zone_id zone_name  before  after  difference
    0     food  mazhai        马寨   300.0  450.0       150.0
    1     food                    120.0    0.0      -120.0
    2     auto   zetdz       经开区     0.0  600.0       600.0
    >>> compare_allocations(a, b, labels=("base", "variant"), by="industry")
      industry   base  variant  difference
    0     food  420.0    450.0        30.0
    1     auto    0.0    600.0       600.0
    """
    if len(labels) != 2 or not all(labels) or labels[0] == labels[1]:
        raise ConfigError(f"labels = {labels!r}: give two different, non-empty names")
    first, second = str(labels[0]), str(labels[1])
    if {first, second} & {"industry", "zone_id", "zone_name", "difference"}:
        raise ConfigError(f"labels = {labels!r}: a label may not be the name of another column")
    if by not in ("zone", "industry"):
        raise ConfigError(f"by = {by!r}: use 'zone' or 'industry'")
    _check_allocation(a, f"allocation {first!r}")
    _check_allocation(b, f"allocation {second!r}")
    keys = ["industry", "zone_id"] if by == "zone" else ["industry"]
    both = pd.concat([_tidy(a).assign(_src=0), _tidy(b).assign(_src=1)], ignore_index=True)
    # groups in order of first appearance, then industries kept together (stable sort)
    sums = both.groupby([*keys, "_src"], sort=False)["area_mu"].sum().unstack("_src")
    out = sums.reindex(columns=[0, 1]).fillna(0.0).reset_index()
    out.columns = [*keys, first, second]
    industry_order = {k: i for i, k in enumerate(dict.fromkeys(both["industry"]))}
    out = out.sort_values("industry", key=lambda s: s.map(industry_order), kind="stable")
    out = out.reset_index(drop=True)
    if by == "zone":
        named = both[both["zone_name"] != ""].drop_duplicates("zone_id")
        names = dict(zip(named["zone_id"], named["zone_name"], strict=True))
        out.insert(2, "zone_name", [names.get(z, "") for z in out["zone_id"]])
    out["difference"] = out[second] - out[first]
    out.columns.name = None
    out.attrs["unit"] = "mu"
    return out


# --- provenance -----------------------------------------------------------------------------


def _parse_source(text: str) -> tuple[str, str, str]:
    """``(file, layer, sha256 prefix)`` of a manifest input entry (`layout.data.inputs.load_inputs`)."""
    where, _, digest = str(text).rpartition(" sha256=")
    if not where:
        where, digest = str(text), ""
    head, sep, tail = where.rpartition(":")
    if sep and head and len(head) > 1 and not re.search(r"[\\/]", tail):
        return head, tail, digest
    return where, "", digest


def _resolve(file: str, config: str | None) -> Path | None:
    from layout import settings

    path = Path(file)
    candidates = [path]
    if not path.is_absolute() and config and config.endswith(".toml"):
        candidates.append(Path(config).parent / path)
    if (
        path.name in (settings.embedded_gpkg().name, settings.embedded_dem().name)
        and len(path.parts) == 1
    ):
        candidates.append(settings.data_dir() / path.name)
    for c in candidates:
        if c.is_file():
            return c
    return None


def data_provenance(plan: PlanOutputs | Mapping[str, Any]) -> pd.DataFrame:
    """Where each input of a plan came from, and whether the file is still the same.

    Parameters
    ----------
    plan
        `PlanOutputs`, or a manifest (``manifest.json`` as a mapping).

    Returns
    -------
    DataFrame
        One row per input, in manifest order: ``input``, ``file``, ``layer``, ``sha256`` (the
        recorded prefix), ``path`` (the file found now, or empty) and ``unchanged`` (True when
        the file found now has the recorded hash, False when it differs, None when no file was
        found). Embedded files (``zhengzhou.gpkg``, ``zhengzhou_dem.tif``) are looked up in the
        embedded data folder, relative paths also next to the plan TOML.

    Examples
    --------
    >>> from layout import settings
    >>> from layout.data.inputs import file_digest
    >>> gpkg = settings.embedded_gpkg()
    >>> man = {"inputs": {"zones": f"zhengzhou.gpkg:zones sha256={file_digest(gpkg)[:16]}",
    ...                   "dem": "old_dem.tif sha256=0123456789abcdef"}}
    >>> data_provenance(man)[["input", "file", "layer", "unchanged"]]
       input            file  layer unchanged
    0  zones  zhengzhou.gpkg  zones      True
    1    dem     old_dem.tif             None
    """
    manifest = plan.manifest if isinstance(plan, PlanOutputs) else plan
    inputs = manifest.get("inputs") or {}
    config = manifest.get("config")
    config = config if isinstance(config, str) else None
    digests: dict[Path, str] = {}
    rows = []
    for name, text in inputs.items():
        file, layer, digest = _parse_source(str(text))
        found = _resolve(file, config)
        unchanged: bool | None = None
        if found is not None and digest:
            if found not in digests:
                digests[found] = file_digest(found)
            unchanged = digests[found].startswith(digest)
        rows.append(
            {
                "input": str(name),
                "file": file,
                "layer": layer,
                "sha256": digest,
                "path": str(found) if found else "",
                "unchanged": unchanged,
            }
        )
    cols = ["input", "file", "layer", "sha256", "path", "unchanged"]
    out = pd.DataFrame(rows, columns=cols)
    out["unchanged"] = out["unchanged"].astype(object)
    return out


def confidence_summary(layers: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Features of each layer by the confidence of their data (gis_data/README.md).

    Parameters
    ----------
    layers
        Layers by name, e.g. `layout.io.embedded.load_all` or `PlanInputs.layers`; a layer's
        ``confidence`` column (``H``, ``M``, ``L``, ``synthetic``, ``illustrative`` ...) is
        counted, features without one count as ``not stated``.

    Returns
    -------
    DataFrame
        Indexed by layer: ``features`` then one column per confidence value (``H``, ``M``,
        ``L`` first, then the others sorted, ``not stated`` last), counts.

    Examples
    --------
    >>> import pandas as pd
    >>> confidence_summary({"zones": pd.DataFrame({"confidence": ["L", "H", "L"]}),
    ...                     "counties": pd.DataFrame({"adcode": ["410102"]})})
              features  H  L  not stated
    layer
    zones            3  1  2           0
    counties         1  0  0           1
    """
    counts: dict[str, dict[str, int]] = {}
    for name, gdf in layers.items():
        values = _text(gdf, "confidence").str.strip().replace("", "not stated")
        counts[str(name)] = {str(k): int(v) for k, v in values.value_counts().items()}
    seen = {k for c in counts.values() for k in c}
    head = [k for k in ("H", "M", "L") if k in seen]
    tail = ["not stated"] if "not stated" in seen else []
    cols = head + sorted(seen - set(head) - set(tail)) + tail
    out = pd.DataFrame(
        [[sum(c.values()), *(c.get(k, 0) for k in cols)] for c in counts.values()],
        index=pd.Index(list(counts), name="layer"),
        columns=["features", *cols],
    )
    return out


# --- site checks ----------------------------------------------------------------------------


def verdicts_table(checks: Sequence[SiteCheck]) -> pd.DataFrame:
    """One row per checked parcel: verdict, area, zone, score and the most serious reason.

    Parameters
    ----------
    checks
        From `layout.products.sitecheck.check_parcels`.

    Returns
    -------
    DataFrame
        ``parcel_id``, ``industry``, ``verdict``, ``area_mu``, ``zone_id`` (the zone holding
        most of the parcel, empty outside every zone), ``zone_share``, ``mean_score``,
        ``percentile``, ``excluded_overlap_mu`` and ``reason`` (the first, most serious one).
    """
    rows = []
    for c in checks:
        rows.append(
            {
                "parcel_id": c.parcel_id,
                "industry": c.industry,
                "verdict": c.verdict,
                "area_mu": c.area_mu,
                "zone_id": c.zone.zone_id if c.zone else "",
                "zone_share": c.zone.share if c.zone else 0.0,
                "mean_score": c.suitability.mean,
                "percentile": c.suitability.percentile,
                "excluded_overlap_mu": c.excluded_overlap_mu,
                "reason": c.reasons[0].message if c.reasons else "",
            }
        )
    cols = [
        "parcel_id",
        "industry",
        "verdict",
        "area_mu",
        "zone_id",
        "zone_share",
        "mean_score",
        "percentile",
        "excluded_overlap_mu",
        "reason",
    ]
    return pd.DataFrame(rows, columns=cols)


def parcel_contributions(check: SiteCheck, *, lang: str = "en") -> pd.DataFrame:
    """A checked parcel's criterion contributions, as `site_contributions` gives a site's.

    Returns
    -------
    DataFrame
        ``criterion``, ``group``, ``label``, ``contribution`` (points of the parcel's mean
        score), ``share``, ``weight``, ``value``; ``attrs``: ``parcel_id``, ``industry``,
        ``mean_score``.
    """
    if lang not in ("en", "zh"):
        raise ConfigError(f"lang = {lang!r}: use 'en' or 'zh'")
    parts = check.suitability.contributions
    out = _contribution_frame({p.criterion: p.points for p in parts}, lang)
    by_name = {p.criterion: p for p in parts}
    out["label"] = [
        (by_name[k].label_zh if lang == "zh" else by_name[k].label_en) or _label(k, lang)
        for k in out["criterion"]
    ]
    out["group"] = [by_name[k].group or _group(k) for k in out["criterion"]]
    out["weight"] = [by_name[k].weight for k in out["criterion"]]
    out["value"] = [by_name[k].value for k in out["criterion"]]
    out.attrs.update(
        parcel_id=check.parcel_id, industry=check.industry, mean_score=check.suitability.mean
    )
    return out


# --- figures --------------------------------------------------------------------------------


def _families() -> list[str]:
    """Font families for figure text: a CJK font first when one is installed."""
    from layout.products.maps import cjk_font

    font = cjk_font()
    return [font, "DejaVu Sans"] if font else ["DejaVu Sans"]


def _fonts(lang: str) -> tuple[str, list[str]]:
    """Effective language and font families: Chinese needs a CJK font (else English)."""
    families = _families()
    if lang == "zh" and len(families) == 1:
        logger.warning(
            "no font with Chinese glyphs found: drawing English labels instead "
            "(install e.g. fonts-noto-cjk)"
        )
        lang = "en"
    return lang, families


def _plain(text: str, families: Sequence[str]) -> str:
    """Text matplotlib can draw: without CJK characters when no CJK font is installed."""
    text = str(text).replace("$", r"\$")
    if len(families) > 1:
        return text
    return _CJK.sub("", _CJK_PAREN.sub("", text)).strip()


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def plot_contributions(
    contributions: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    lang: str = "en",
) -> Axes:
    """Horizontal bar chart of criterion contributions, largest on top, coloured by group.

    Parameters
    ----------
    contributions
        A table with ``contribution`` and ``label`` (or ``criterion``) columns, and optionally
        ``group``: `site_contributions`, `explain_site`, `parcel_contributions`.
    ax
        Axes to draw on; a new figure (pyplot, so it shows inline in a notebook) when None.
    title
        Title; by default the site or parcel id and its mean score from ``attrs``.
    lang
        Group names in ``"en"`` or ``"zh"`` (labels come from the table).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> table = pd.DataFrame({"criterion": ["zone_fit", "density"], "label": ["zone", "density"],
    ...                       "group": ["intensive", "agglomeration"],
    ...                       "contribution": [20.0, 10.0]})
    >>> ax = plot_contributions(table, ax=Figure().subplots(), title="food-01")
    >>> [float(p.get_width()) for p in ax.patches], ax.get_title()
    ([10.0, 20.0], 'food-01')
    """
    from layout.products.maps.style import CRITERION_GROUP_COLORS, UNKNOWN_GROUP_COLOR

    if "contribution" not in contributions.columns:
        raise ValidationError(
            [Problem("contributions table", "has no column 'contribution'", column="contribution")]
        )
    lang, families = _fonts(lang)
    df = contributions.iloc[::-1]  # largest on top
    label_col = "label" if "label" in df.columns else "criterion"
    labels = [_plain(str(s), families) for s in df[label_col]]
    groups = [str(g) for g in df["group"]] if "group" in df.columns else [""] * len(df)
    colors = [CRITERION_GROUP_COLORS.get(g, UNKNOWN_GROUP_COLOR) for g in groups]
    values = pd.to_numeric(df["contribution"], errors="coerce").fillna(0.0).to_numpy()
    ax = _axes(ax, (7.0, 0.35 * len(df) + 1.4))
    y = np.arange(len(df))
    ax.barh(y, values, color=colors)
    ax.set_yticks(y, labels=labels, fontfamily=families)
    for yi, v in zip(y, values, strict=True):
        ax.annotate(
            f"{v:.1f}",
            (v, yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            fontfamily=families,
        )
    ax.set_xlabel("contribution (score points)", fontfamily=families)
    ax.set_xlim(0, max(1.0, float(values.max()) if len(values) else 1.0) * 1.12)
    if title is None:
        attrs = contributions.attrs
        what = attrs.get("site_id") or attrs.get("parcel_id") or ""
        score = attrs.get("mean_score", attrs.get("score"))
        title = f"{what}: mean score {score:.1f}" if what and score is not None else str(what)
    ax.set_title(_plain(title, families), fontfamily=families)
    present = [g for g in GROUPS if g in groups]
    if present:
        from matplotlib.patches import Patch

        handles = [
            Patch(
                color=CRITERION_GROUP_COLORS[g],
                label=_plain(GROUPS[g][0] if lang == "zh" else GROUPS[g][1], families),
            )
            for g in present
        ]
        ax.legend(handles=handles, loc="lower right", fontsize=8, prop={"family": families})
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_stability(
    sites: pd.DataFrame,
    *,
    industry: str | None = None,
    highlight: str | None = None,
    threshold: float = 0.7,
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of the sites' stability under the sensitivity runs, with the threshold.

    Parameters
    ----------
    sites
        The ``sites`` table, with ``site_id`` and ``stability`` (share of Monte-Carlo runs in
        which the site's cells stay with its industry, 0–1; NaN when the analysis was not run).
    industry
        Only the sites of this industry; all when None.
    highlight
        A site id drawn in a strong colour, the others pale.
    threshold
        ``[sensitivity] stable_threshold``: drawn as a dashed line.
    ax
        Axes to draw on; a new figure when None.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> sites = pd.DataFrame({"site_id": ["food-01", "food-02"], "industry": ["food"] * 2,
    ...                       "stability": [0.95, 0.5]})
    >>> ax = plot_stability(sites, highlight="food-02", ax=Figure().subplots())
    >>> [float(p.get_width()) for p in ax.patches]
    [0.5, 0.95]
    """
    if "stability" not in sites.columns or "site_id" not in sites.columns:
        raise ValidationError(
            [
                Problem(
                    "sites table", "needs columns 'site_id' and 'stability' (docs/plan_outputs.md)"
                )
            ]
        )
    df = sites
    if industry is not None:
        df = df[df["industry"].astype(str) == industry]
    if highlight is not None:
        site_row(sites, highlight)
    df = df.iloc[::-1]
    values = pd.to_numeric(df["stability"], errors="coerce").to_numpy(dtype=float)
    ids = [str(s) for s in df["site_id"]]
    ax = _axes(ax, (7.0, 0.3 * len(df) + 1.4))
    y = np.arange(len(df))
    colors = ["#08519c" if s == highlight else ("#9ecae1" if highlight else "#4292c6") for s in ids]
    ax.barh(y, np.nan_to_num(values, nan=0.0), color=colors)
    for yi, v in zip(y, values, strict=True):
        text, at = (f"{v:.2f}", v) if math.isfinite(v) else ("not run", 0.0)
        ax.annotate(
            text, (at, yi), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8
        )
    ax.axvline(threshold, color="#cb181d", linestyle="--", linewidth=1)
    ax.annotate(
        f"stable ≥ {threshold:g}",
        (threshold, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -10),
        textcoords="offset points",
        color="#cb181d",
        fontsize=8,
    )
    ax.set_yticks(y, labels=ids)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("stability: share of the site's cells that stay with its industry")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_hot_spots(
    z: ArrayLike,
    grid: Grid,
    *,
    hot: ArrayLike | None = None,
    clusters: gpd.GeoDataFrame | None = None,
    outline: gpd.GeoDataFrame | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    limit: float = 4.0,
) -> Axes:
    """Map of Gi* z-scores on the grid, hot-spot cells outlined, existing clusters on top.

    Parameters
    ----------
    z
        ``(nrows, ncols)`` z-scores (`layout.analysis.measures.hot_spots`), NaN outside the study area.
    grid
        The analysis grid.
    hot
        Booleans of the hot-spot cells, outlined in black.
    clusters
        Existing clusters (`layout.analysis.measures.find_clusters`), drawn as outlines.
    outline
        Boundary polygons (the study area, counties), drawn as thin grey lines.
    ax
        Axes to draw on; a new figure when None.
    title
        Title of the axes.
    limit
        The colour scale runs from ``-limit`` to ``+limit``.

    Returns
    -------
    Axes
        In the grid CRS (metres), equal aspect.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from matplotlib.figure import Figure
    >>> from layout.model.grid import Grid
    >>> grid = Grid.from_boundary(gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)],
    ...                                         crs="EPSG:4547"), resolution=100)
    >>> z = np.zeros(grid.shape); z[4:7, 4:7] = 3.0
    >>> ax = plot_hot_spots(z, grid, hot=z > 1.645, ax=Figure().subplots())
    >>> [float(v) for v in ax.images[0].get_extent()]
    [0.0, 1000.0, 0.0, 1000.0]
    """
    zz = np.asarray(z, dtype=np.float64)
    if zz.shape != grid.shape:
        raise ValidationError(
            [Problem("z-scores", f"have shape {zz.shape} but the grid is {grid.shape}")]
        )
    xmin, ymin, xmax, ymax = grid.bounds
    extent = (xmin, xmax, ymin, ymax)
    ax = _axes(ax, (8.0, 8.0 * (ymax - ymin) / max(xmax - xmin, 1.0) + 0.6))
    image = ax.imshow(
        np.where(grid.mask, zz, np.nan),
        extent=extent,
        origin="upper",
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
    )
    ax.figure.colorbar(image, ax=ax, shrink=0.7, label="Gi* z-score")
    if hot is not None:
        hh = np.asarray(hot, dtype=bool)
        if hh.shape != grid.shape:
            raise ValidationError(
                [Problem("hot-spot mask", f"has shape {hh.shape} but the grid is {grid.shape}")]
            )
        if hh.any():
            ys = grid.y_centres()
            xs = grid.x_centres()
            ax.contour(xs, ys, hh.astype(float), levels=[0.5], colors="black", linewidths=0.6)
    from matplotlib.lines import Line2D

    handles = []
    if hot is not None:
        handles.append(
            Line2D([], [], color="black", linewidth=0.6, label="hot spot (z > 1.645, 5 %)")
        )
    layers = ((outline, "#737373", 0.5, ""), (clusters, "#238b45", 1.2, "existing cluster"))
    for gdf, color, width, label in layers:
        if gdf is not None and len(gdf):
            shown = gdf if gdf.crs is None or gdf.crs.equals(grid.crs) else gdf.to_crs(grid.crs)
            shown.boundary.plot(ax=ax, color=color, linewidth=width)
            if label:
                handles.append(Line2D([], [], color=color, linewidth=width, label=label))
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    if title:
        families = _families()
        ax.set_title(_plain(title, families), fontfamily=families)
    return ax


@dataclass(frozen=True)
class InlineMap:
    """A map page shown inline in a notebook (an ``iframe`` holding the whole page)."""

    page: str = field(repr=False)
    height: int = 520

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
            f'style="width:100%;height:{self.height}px;border:1px solid #ccc" '
            'sandbox="allow-scripts"></iframe>'
        )


def show_map(m: folium.Map, *, height: int = 520) -> InlineMap:
    """Show a folium map inline in a notebook as the offline page `layout.products.maps.save_map` writes.

    Leaflet is inlined (`layout.products.maps.render_html`), so the map shows without a network, and
    exactly as the saved HTML file does.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(location=[34.75, 113.65], tiles=None, zoom_start=9)
    >>> shown = show_map(m, height=300)
    >>> shown._repr_html_().startswith("<iframe srcdoc=") and "height:300px" in shown._repr_html_()
    True
    """
    from layout.products.maps import render_html

    return InlineMap(render_html(m), height=int(height))
