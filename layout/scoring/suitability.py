"""Suitability scores per industry: weighted sums of criteria that decompose exactly.

For an industry with criteria ``k`` of weight ``w_k`` (summing to 1) and transformed values
``s_k`` in [0, 1], the score of an eligible cell is ``100 * sum_k w_k s_k``; cells that a hard
constraint excludes score 0 and keep the reason in their flags. The *contribution* of a criterion
is ``100 * w_k * s_k`` on eligible cells and 0 elsewhere, and the score is computed as the sum of
the contributions in criterion order, so every cell's score decomposes exactly into them.
A criterion without data at a cell (NaN, e.g. a travel time without any target point)
contributes 0 there.

With ``[suitability] learned_weight = w > 0`` the score blends in the probability ``p`` of the
learned presence model (`layout.scoring.presence.learned_probability`): every criterion
contributes ``100 * (1 - w) * w_k * s_k`` and one more contribution, `LEARNED`, ``100 * w * p``
(0 on excluded cells); the score is still their sum, in that order.

`score_kernel` is the plain numpy arithmetic (chunkable); `score` checks inputs and builds
everything around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from layout.analysis.context import CriteriaContext
from layout.analysis.criteria import compute_raw
from layout.config.criteria import criterion_specs, industry_weights
from layout.data.inputs import PlanInputs
from layout.errors import CRSError, LayoutError
from layout.io.scoreraster import write_score_raster
from layout.model.constraints import CONSTRAINT_BITS, OUTSIDE_BIT
from layout.model.criteria import CRITERIA, LEARNED, contribution_group, contribution_label
from layout.model.grid import Grid
from layout.scoring.presence import learned_probability

F32 = NDArray[np.float32]
#: Flag bits that exclude a cell whatever the plan says: outside the study area, or cut by its
#: boundary by more than a sliver (`layout.analysis.context.CriteriaContext.constraint_flags`).
ALWAYS_EXCLUDED: int = OUTSIDE_BIT


def score_kernel(
    values: Sequence[F32], weights: Sequence[float], eligible: NDArray[np.bool_]
) -> tuple[F32, list[F32]]:
    """Weighted-sum score and per-criterion contributions (the numeric kernel).

    Parameters
    ----------
    values
        Transformed criterion arrays in [0, 1] (NaN = no data, contributes 0), all one shape.
    weights
        One weight per array, summing to 1.
    eligible
        Cells not excluded by a hard constraint (and inside the study area).

    Returns
    -------
    score, contributions
        ``score = sum(contributions)`` exactly (float32, same summation order), 0–100.

    Examples
    --------
    >>> import numpy as np
    >>> s, parts = score_kernel([np.array([1.0, 0.5], np.float32),
    ...                          np.array([0.0, 1.0], np.float32)],
    ...                         [0.25, 0.75], np.array([True, True]))
    >>> s.tolist(), [p.tolist() for p in parts]
    ([25.0, 87.5], [[25.0, 12.5], [0.0, 75.0]])
    """
    elig = np.asarray(eligible, dtype=np.float32)
    score = np.zeros(np.shape(eligible), np.float32)
    parts: list[F32] = []
    for arr, w in zip(values, weights, strict=True):
        a = np.asarray(arr, np.float32)
        # NaN (no data) contributes 0; values are transforms in [0, 1], never infinite.
        part = np.where(np.isnan(a), np.float32(0.0), a)
        part *= np.float32(100.0 * w)
        part *= elig
        score += part
        parts.append(part)
    return score, parts


@dataclass(frozen=True)
class SuitabilityResult:
    """Scores of one industry over the grid, with the criteria that make them.

    Attributes
    ----------
    industry
        Industry code.
    grid
        The analysis grid.
    score
        0–100 on cells inside the study area (0 where excluded), NaN outside.
    criteria
        Transformed criterion values in [0, 1] by name, NaN outside the study area.
    raw
        Raw criterion values by name (units in `layout.model.criteria.CRITERIA`).
    weights
        Normalised weights by criterion name.
    weight_source
        ``"direct"`` or ``"ahp"``.
    flags
        uint16 bit flags of every constraint type covering more than a sliver of each cell
        (`CONSTRAINT_BITS`, `layout.model.constraints.SLIVER_MU`).
    exclude_bits
        Which flag bits exclude a cell in this plan. The ``outside_study_area`` bit always
        excludes too (`ALWAYS_EXCLUDED`): it marks the cells beyond the boundary and those the
        boundary cuts by more than a sliver.
    learned
        Probability of the learned presence model (0–1, NaN outside the study area) when the
        plan blends it in, else None.
    learned_weight
        Its share ``w`` of the score (0: the expert score alone).
    """

    industry: str
    grid: Grid
    score: F32
    criteria: dict[str, F32]
    raw: dict[str, F32]
    weights: dict[str, float]
    weight_source: str
    flags: NDArray[np.uint16]
    exclude_bits: int
    learned: F32 | None = None
    learned_weight: float = 0.0

    @property
    def excluded(self) -> NDArray[np.bool_]:
        """Cells inside the study area that a hard constraint excludes."""
        return self.grid.mask & ((self.flags & np.uint16(self.exclude_bits | ALWAYS_EXCLUDED)) != 0)

    @property
    def eligible(self) -> NDArray[np.bool_]:
        """Cells inside the study area that no hard constraint excludes."""
        return self.grid.mask & ((self.flags & np.uint16(self.exclude_bits | ALWAYS_EXCLUDED)) == 0)

    def blend_weights(self) -> dict[str, float]:
        """Weight of each contribution in the score: ``(1 - w) w_k`` per criterion, `LEARNED` w.

        Equal to `weights` when the plan does not blend in the learned model.
        """
        return blend_weights(self.weights, self.learned_weight if self.learned is not None
                             else 0.0)

    def blend_values(self) -> dict[str, F32]:
        """The values the contributions weight: the criteria, then the learned probability."""
        if self.learned is None or not self.learned_weight:
            return dict(self.criteria)
        return {**self.criteria, LEARNED: self.learned}

    def contributions(self) -> dict[str, F32]:
        """Weighted contribution of each criterion (0–100 points), summing to the score.

        With a learned weight, `LEARNED` is one more contribution (module docstring).
        """
        values = self.blend_values()
        weights = self.blend_weights()
        _, parts = score_kernel(list(values.values()), [weights[k] for k in values],
                                self.eligible)
        return dict(zip(values, parts, strict=True))

    def explain(
        self, where: tuple[int, int] | shapely.Geometry | gpd.GeoSeries, *, lang: str = "en"
    ) -> pd.DataFrame:
        """Decompose the score of a cell or a polygon into criterion contributions.

        Parameters
        ----------
        where
            ``(row, col)`` of a cell, or a geometry in the grid CRS, or a one-row GeoSeries in
            any CRS (it is reprojected). For a polygon, values are means over its cells.
        lang
            Criterion labels in ``"zh"`` or ``"en"``.

        Returns
        -------
        DataFrame
            One row per criterion: group, label, weight, value (0–1), contribution (points),
            raw value; with a learned weight one more row, `LEARNED` (value: the probability,
            no raw value). Weights are those of the score (`blend_weights`).
            ``attrs["score"]`` holds the score the contributions sum to and
            ``attrs["excluded_by"]`` the constraint types excluding the cells.
        """
        cells = self._cells(where)
        if not cells.any():
            raise LayoutError("the location covers no cell of the study area")
        contrib = self.contributions()
        weights = self.blend_weights()
        rows = []
        for name, value in self.criteria.items():
            crit = CRITERIA[name]
            rows.append(
                {
                    "criterion": name,
                    "group": crit.group,
                    "label": crit.label(lang),
                    "weight": weights[name],
                    "value": float(np.nanmean(value[cells]))
                    if np.isfinite(value[cells]).any()
                    else float("nan"),
                    "contribution": float(contrib[name][cells].astype(np.float64).mean()),
                    "raw": float(np.nanmean(self.raw[name][cells]))
                    if np.isfinite(self.raw[name][cells]).any()
                    else float("nan"),
                    "unit": crit.unit,
                }
            )
        if LEARNED in contrib and self.learned is not None:
            p = self.learned[cells]
            rows.append({
                "criterion": LEARNED, "group": contribution_group(LEARNED),
                "label": contribution_label(LEARNED, lang),
                "weight": weights[LEARNED],
                "value": float(np.nanmean(p)) if np.isfinite(p).any() else float("nan"),
                "contribution": float(contrib[LEARNED][cells].astype(np.float64).mean()),
                "raw": float("nan"), "unit": "",
            })
        df = pd.DataFrame(rows)
        df.attrs["score"] = float(self.score[cells].astype(np.float64).mean())
        bits = int(np.bitwise_or.reduce(
            self.flags[cells] & np.uint16(self.exclude_bits | ALWAYS_EXCLUDED)))
        df.attrs["excluded_by"] = [k for k, b in CONSTRAINT_BITS.items() if bits & b]
        df.attrs["excluded_share"] = float(self.excluded[cells].mean())
        return df

    def _cells(
        self, where: tuple[int, int] | shapely.Geometry | gpd.GeoSeries
    ) -> NDArray[np.bool_]:
        g = self.grid
        if isinstance(where, tuple):
            r, c = where
            cells = np.zeros(g.shape, bool)
            if not (0 <= r < g.nrows and 0 <= c < g.ncols):
                raise LayoutError(f"cell ({r}, {c}) is outside the grid of shape {g.shape}")
            cells[r, c] = True
            return cells & g.mask
        if isinstance(where, gpd.GeoSeries):
            if where.crs is None:
                raise CRSError("the location has no CRS; set one before explaining a score")
            geom = where.to_crs(g.crs).union_all()
        else:
            geom = where
        series = gpd.GeoSeries([geom], crs=g.crs)
        cells = g.rasterize(series, all_touched=False).astype(bool)
        if not cells.any():  # small polygons: take the cells they touch
            cells = g.rasterize(series, all_touched=True).astype(bool)
        return cells & g.mask


def blend_weights(weights: Mapping[str, float], learned_weight: float) -> dict[str, float]:
    """Weights of a blended score: each criterion's times ``1 - w``, then `LEARNED` ``w``.

    Examples
    --------
    >>> blend_weights({"a": 0.25, "b": 0.75}, 0.2)
    {'a': 0.2, 'b': 0.6000000000000001, 'learned': 0.2}
    >>> blend_weights({"a": 1.0}, 0.0)
    {'a': 1.0}
    """
    if not learned_weight:
        return dict(weights)
    w = float(learned_weight)
    return {**{k: (1.0 - w) * v for k, v in weights.items()}, LEARNED: w}


def score(
    inputs: PlanInputs,
    *,
    industry: str,
    context: CriteriaContext | None = None,
    learned_weight: float | None = None,
    keep_raw: bool = True,
) -> SuitabilityResult:
    """Score every cell of the study area for one industry.

    Parameters
    ----------
    inputs
        Loaded plan inputs (`layout.data.inputs.load_inputs`).
    industry
        Industry code (one of the seven priority codes).
    context
        Shared criteria cache; pass the same one when scoring several industries.
    learned_weight
        Share of the learned model in the score (module docstring); None takes the plan's
        ``[suitability] learned_weight``, 0 gives the expert score alone (so does an industry
        without any firm in the study area: nothing to learn from).
    keep_raw
        Keep the raw criterion values in the result (``raw``); False drops each once it is
        transformed (the chunked engine's windows, which never explain a cell), halving the
        memory of a result. The learned model reads them: it needs ``keep_raw``.

    Returns
    -------
    SuitabilityResult
        Score raster, criterion stack and exclusion flags.
    """
    ctx = context or CriteriaContext(inputs)
    if ctx.inputs is not inputs:
        raise LayoutError("the criteria context was built for other inputs")
    plan = inputs.plan
    specs = criterion_specs(plan, industry)
    _, source = industry_weights(plan, industry)
    raw: dict[str, F32] = {}
    trans: dict[str, F32] = {}
    for name, spec in specs.items():
        r = compute_raw(ctx, industry, name, spec.params)
        if keep_raw:
            raw[name] = r
        t = np.asarray(spec.transform.apply(r), dtype=np.float32)
        t[~inputs.grid.mask] = np.nan
        trans[name] = t
    flags = ctx.flags(industry)
    exclude_bits = plan.exclude_mask_bits
    eligible = inputs.grid.mask & ((flags & np.uint16(exclude_bits | ALWAYS_EXCLUDED)) == 0)
    weights = {k: s.weight for k, s in specs.items()}
    w = float(plan.suitability.learned_weight if learned_weight is None else learned_weight)
    learned = learned_probability(ctx, raw, industry=industry) if w > 0 else None
    if learned is None:
        w = 0.0
    values = list(trans.values()) + ([] if learned is None else [learned])
    total, _ = score_kernel(values, list(blend_weights(weights, w).values()), eligible)
    total[~inputs.grid.mask] = np.nan
    return SuitabilityResult(industry, inputs.grid, total, trans, raw, weights, source, flags,
                             exclude_bits, learned, w)


def score_all(
    inputs: PlanInputs,
    *,
    industries: Iterable[str] | None = None,
    context: CriteriaContext | None = None,
) -> dict[str, SuitabilityResult]:
    """Score several industries (all seven by default) sharing one criteria cache."""
    ctx = context or CriteriaContext(inputs)
    codes = list(industries) if industries is not None else list(inputs.plan.catalog.codes)
    return {code: score(inputs, industry=code, context=ctx) for code in codes}


def write_result(
    result: SuitabilityResult, folder: str | Path, *, storage: Mapping[str, Any] | None = None
) -> tuple[Path, Path, Path]:
    """Write ``<industry>_score.tif``, ``<industry>_criteria.tif`` and ``<industry>_flags.tif``.

    The score raster holds the final score 0–100, the criteria raster one band per criterion
    (transformed 0–1; with a learned weight, a last band ``learned``, the probability, and
    the weights of the blend), both with band descriptions and nodata −1 outside the study
    area. The
    flags raster is uint16 with the bits of `CONSTRAINT_BITS` (128 = outside the study area).
    Without ``storage`` the three are Cloud Optimized GeoTIFFs with overviews; ``storage``
    passes GDAL creation options of tiled GeoTIFFs to `layout.io.raster.write_bands` (e.g.
    `layout.io.raster.FAST_READ`); the format is `layout.io.scoreraster`'s.
    """
    return write_score_raster(
        folder,
        industry=result.industry,
        grid=result.grid,
        score=result.score,
        criteria=result.blend_values(),
        labels={n: contribution_label(n, "en") for n in result.blend_values()},
        weights=result.blend_weights(),
        weight_source=result.weight_source,
        flags=result.flags,
        exclude_bits=result.exclude_bits,
        bit_names=CONSTRAINT_BITS,
        storage=storage,
    )
