"""The plan's options for demand, allocation, sensitivity and the suitability blend.

These are the ``[demand]``, ``[allocation]``, ``[sensitivity]`` and ``[suitability]`` tables
of the plan TOML (docs/config.md), as pydantic models: each field declares its type, default
and bounds, and the plan loader (`layout.config.plan`) validates a file's tables into them,
every problem at once. Industry codes are checked against the plan's catalog (validation
context ``codes``).

Examples
--------
>>> DemandOptions().growth, AllocationOptions().min_site_mu, SensitivityOptions().runs
(2.0, 300.0, 100)
>>> AllocationOptions.model_validate({"max_sites": 0})
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for AllocationOptions
...
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from layout.model.layers import LineKind
from layout.model.table import IndustryCode, Number, Table

#: Keys of a ``[demand.industries.CODE]`` table.
DemandKey = Literal["mu", "growth", "output_per_mu_wan"]
#: Lowest value of each key of a ``[demand.industries.CODE]`` table, and whether it is excluded.
OVERRIDE_FLOORS: dict[str, tuple[float, bool]] = {
    "mu": (0.0, False),
    "growth": (1.0, False),
    "output_per_mu_wan": (0.0, True),
}


class DemandOptions(Table):
    """The ``[demand]`` table.

    Attributes
    ----------
    growth
        Output at the horizon as a multiple of today's (2.0: 三年倍增, doubling); at least 1,
        since a shrinking industry needs no new land.
    horizon_years
        Plan horizon, years (reported; the growth factor already covers it).
    output_per_mu
        ``"data"``: today's output per mu of the industry's enterprises (sum of output over sum
        of land); ``"catalog"``: the catalog's reference output per mu.
    industries
        Per-industry overrides: ``mu`` (demand given directly, >= 0), ``growth`` (>= 1),
        ``output_per_mu_wan`` (> 0).
    redevelopment
        Offer low-efficiency land to the allocation before greenfield land: the land of the
        firms graded C or D under ``[efficiency]`` and the industrial land-use patches with no
        firm (`layout.allocation.redevelopment`).
    redevelopment_bonus
        Score points (of 100) added to a redevelopment cell's score when sites are grown and
        chosen, so that such land is taken before greenfield land of a similar score.
    conversion_cost_wan_per_mu
        Cost of converting a mu of redevelopment land (demolition, compensation, site
        works), 万元/mu; reported with the infill it applies to (illustrative default).
    """

    growth: Annotated[Number, Field(ge=1)] = 2.0
    horizon_years: Annotated[Number, Field(gt=0)] = 3.0
    output_per_mu: Literal["data", "catalog"] = "data"
    industries: dict[IndustryCode, dict[DemandKey, Number]] = Field(default_factory=dict)
    redevelopment: bool = False
    redevelopment_bonus: Annotated[Number, Field(ge=0, le=100)] = 10.0
    conversion_cost_wan_per_mu: Annotated[Number, Field(ge=0)] = 50.0

    @field_validator("industries")
    @classmethod
    def _override_bounds(
        cls, value: dict[str, dict[str, float]]
    ) -> dict[str, dict[str, float]]:
        for code, table in value.items():
            for key, number in table.items():
                low, strict = OVERRIDE_FLOORS[key]
                if number < low or (strict and number == low):
                    raise PydanticCustomError(
                        "override_bound", "{code}.{key} = {value}: must be {op} {low}",
                        {"code": code, "key": key, "value": f"{number:g}",
                         "op": ">" if strict else ">=", "low": f"{low:g}"},
                    )
        return {code: {k: float(v) for k, v in table.items()} for code, table in value.items()}


class SensitivityOptions(Table):
    """The ``[sensitivity]`` table: Monte-Carlo runs, weight spread, one-at-a-time, threshold.

    Attributes
    ----------
    runs
        Monte-Carlo runs (0: none).
    spread
        Relative weight perturbation, below 1 (0.2 means ±20 %).
    one_at_a_time
        Also change each criterion's weight alone.
    enabled
        Run the sensitivity analysis at all.
    stable_threshold
        Share of runs a site's cells must stay with its industry to count as stable.
    """

    runs: Annotated[int, Field(ge=0)] = 100
    spread: Annotated[Number, Field(ge=0, lt=1)] = 0.2
    one_at_a_time: bool = True
    enabled: bool = True
    stable_threshold: Annotated[Number, Field(ge=0, le=1)] = 0.7


class SuitabilityOptions(Table):
    """The ``[suitability]`` table: how much of the score the learned model gives.

    Attributes
    ----------
    learned_weight
        Share ``w`` of the score taken from the learned presence probability
        (`layout.scoring.presence`): the score becomes ``(1 - w) * expert + w * 100 * p``,
        ``learned`` one more contribution (docs/learned.md). 0 (the default): the expert score.
    """

    learned_weight: Annotated[Number, Field(ge=0, le=1)] = 0.0


class AllocationOptions(Table):
    """Options of the allocation (the ``[allocation]`` table of a plan).

    Attributes
    ----------
    min_site_mu
        Smallest site, mu (300 mu = 20 ha).
    max_sites
        Most separate sites per industry; raised, for an industry whose demand needs many sites
        of ``max_site_mu``, to twice ``ceil(demand / max_site_mu)`` (its seeds to three times).
    max_site_mu
        Largest site, mu. None (the default) takes it from the data: the median developable
        land of the plan's zones (`layout.allocation.candidates.default_max_site_mu`; 9,000 mu
        for the embedded plan), never below ``min_site_mu``. A site larger than what a typical
        zone can still offer is a zone, not a site (docs/config.md).
    barriers
        Kinds of ``transport_lines`` that no site spans (default expressways and railways): the
        cells such a line passes through go to no site, so a site never crosses one. An empty
        list turns it off.
    tolerance
        Allowed excess over demand (0.05: between 0 and 5 % over).
    seeds
        Seeds per industry (candidate families).
    seed_spacing_m
        Minimum distance between seeds of one industry.
    shape_penalty
        Score points per cell of distance from the seed (compactness).
    separation_m
        Distance a pollution-intensive site keeps from food and biomedicine sites.
    time_limit_s
        Time limit of the integer programme.
    mip_gap
        Relative optimality gap at which HiGHS stops.
    sensitive
        Industries that pollution-intensive sites keep ``separation_m`` from.
    polluting
        Pollution-intensive industries; None takes every industry that the catalog marks
        pollution-intensive, itself or through one of its bases (aluminium; new materials,
        whose refractories base is).
    """

    min_site_mu: Annotated[Number, Field(gt=0)] = 300.0
    max_sites: Annotated[int, Field(gt=0)] = 6
    max_site_mu: Annotated[Number, Field(gt=0)] | None = None
    barriers: tuple[LineKind, ...] = ("expressway", "railway")
    tolerance: Annotated[Number, Field(ge=0, lt=1)] = 0.05
    seeds: Annotated[int, Field(gt=0)] = 6
    seed_spacing_m: Annotated[Number, Field(gt=0)] = 3000.0
    shape_penalty: Annotated[Number, Field(ge=0)] = 0.5
    separation_m: Annotated[Number, Field(ge=0)] = 1000.0
    time_limit_s: Annotated[Number, Field(gt=0)] = 120.0
    mip_gap: Annotated[Number, Field(ge=0, lt=1)] = 0.002
    sensitive: tuple[IndustryCode, ...] = ("food", "biomedicine")
    polluting: tuple[IndustryCode, ...] | None = None

    @field_validator("sensitive", "polluting", "barriers", mode="before")
    @classmethod
    def _list_to_tuple(cls, value: object) -> object:
        return tuple(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _largest_not_below_smallest(self) -> AllocationOptions:
        if self.max_site_mu is not None and self.max_site_mu < self.min_site_mu:
            raise PydanticCustomError(
                "site_sizes", "max_site_mu = {big} is below min_site_mu = {small}: give "
                "max_site_mu >= {small} or leave it out (the median zone's developable land)",
                {"big": f"{self.max_site_mu:g}", "small": f"{self.min_site_mu:g}"})
        return self


#: How a plan is scored: ``memory`` holds the whole grid in one process, ``dask`` scores it
#: window by window on a dask cluster (`layout.scoring.chunked`), ``auto`` takes ``memory``
#: when the estimated memory fits (`layout.data.memory.check_memory`), else ``dask``.
EngineKind = Literal["auto", "memory", "dask"]


class EngineOptions(Table):
    """The ``[engine]`` table: how the chunked (dask) engine cuts and runs a plan.

    Attributes
    ----------
    chunk_cells
        Side of a window in cells (rounded up to a multiple that keeps the kernel densities'
        coarse lattices and the allocation grid aligned with the whole grid).
    max_distance_m
        Distances (anchor, infill, labour, residential buffer) saturate here: each window
        reads this far around itself, no farther.
    travel_max_cells
        Largest travel-time graph: beyond it, travel times are computed on a grid coarsened by
        the smallest whole factor that fits, and each cell takes the value of the travel cell
        holding its centre.
    allocation_cell_m
        Cell of the allocation grid of a chunked plan (a whole multiple of the analysis cell;
        default: the multiple nearest 450 m). Sites are chosen on it, from block means of the
        analysis cells' scores and criteria.
    workers
        Worker processes of the local cluster (default: one per core); ignored with a
        scheduler address.
    memory_limit_gb
        Memory limit of each local worker, GB (default: dask's, the machine's memory shared).
    """

    chunk_cells: Annotated[int, Field(ge=64, le=16384)] = 1536
    max_distance_m: Annotated[Number, Field(gt=0)] = 15000.0
    travel_max_cells: Annotated[int, Field(ge=10_000)] = 2_000_000
    allocation_cell_m: Annotated[Number, Field(gt=0)] | None = None
    workers: Annotated[int, Field(ge=1)] | None = None
    memory_limit_gb: Annotated[Number, Field(gt=0)] | None = None
