"""Why a site was chosen: its criterion contributions, from the sites table or the rasters.

`site_contributions` reads the ``c_<criterion>`` columns the plan wrote into the ``sites``
table; `explain_site` recomputes them from the industry's score GeoTIFF
(`layout.io.scoreraster.ScoreRaster`), the reviewer's check that table and rasters agree.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine

from layout.errors import LayoutError
from layout.io.scoreraster import ScoreRaster
from layout.products.planfolder import PlanOutputs, site_row
from layout.products.review.tables import check_lang, contribution_frame


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
    check_lang(lang)
    row = site_row(sites, site_id)
    values = {
        str(c)[2:]: float(pd.to_numeric(row[c], errors="coerce"))
        for c in sites.columns
        if isinstance(c, str) and c.startswith("c_") and len(c) > 2
    }
    out = contribution_frame(values, lang)
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
    LayoutError
        The site lies outside the raster or covers no cell centre of it.
    """
    from rasterio.features import geometry_mask

    row = outputs.site(site_id)
    industry = str(row["industry"])
    path = outputs.score_path(industry)
    sites = outputs.sites
    geom = sites.geometry.iloc[list(sites["site_id"].astype(str)).index(site_id)]
    with ScoreRaster(path) as raster:
        weights = raster.weights
        names = raster.criteria
        profile = raster.profile
        crs = profile["crs"]
        if sites.crs is not None and crs is not None and not sites.crs.equals(crs):
            geom = gpd.GeoSeries([geom], crs=sites.crs).to_crs(crs).iloc[0]
        # the site's bounds plus one cell, clipped to the raster
        r0, r1, c0, c1 = raster.window(tuple(geom.bounds), pad=1)
        if c1 <= c0 or r1 <= r0:
            raise LayoutError(f"site {site_id!r} lies outside {path.name}")
        # float32 as stored, nodata as NaN; float64 from here on, as the sums of the plan
        data = raster.read(range(1, len(names) + 2), (r0, r1, c0, c1)).astype(np.float64)
    t = profile["transform"]
    # built by hand: affine's `*` composition is deprecated
    transform = Affine(t.a, t.b, t.c + c0 * t.a + r0 * t.b, t.d, t.e, t.f + c0 * t.d + r0 * t.e)
    inside = geometry_mask([geom], out_shape=data.shape[1:], transform=transform, invert=True)
    n = int(inside.sum())
    if n == 0:
        raise LayoutError(f"site {site_id!r} covers no cell centre of {path.name}")
    values: dict[str, float] = {}
    contrib: dict[str, float] = {}
    for i, name in enumerate(names):
        band = data[i + 1][inside]
        # a criterion without data at a cell (NaN there) contributes 0 but keeps its weight
        present = np.isfinite(band)
        values[name] = float(band[present].mean()) if present.any() else math.nan
        contrib[name] = 100.0 * weights.get(name, 0.0) * float(np.where(present, band, 0.0).mean())
    out = contribution_frame(contrib, lang)
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
