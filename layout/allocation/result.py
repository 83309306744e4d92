"""`PlanResult`: everything `layout.allocation.run.run_plan` computed, for the plan's products.

It sits below `run`, `sensitivity` and `before_after` so that those can read and complete it
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from layout.allocation.candidates import Candidates
from layout.allocation.problem import Problem
from layout.allocation.solve import Solution
from layout.data.inputs import PlanInputs
from layout.scoring.suitability import SuitabilityResult


@dataclass
class PlanResult:
    """Everything `run_plan` computed; `layout.products.planfolder.write_plan` writes it."""

    inputs: PlanInputs
    results: dict[str, SuitabilityResult]
    demand: pd.DataFrame
    candidates: Candidates
    problem: Problem
    solution: Solution
    greedy: Solution
    sites: gpd.GeoDataFrame
    site_cells: dict[str, NDArray[np.int64]]
    zone_industries: pd.DataFrame
    allocation: pd.DataFrame
    before_after: pd.DataFrame
    stability: dict[str, float] = field(default_factory=dict)
    one_at_a_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    lp_agreement: float = float("nan")
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: With ``[demand] redevelopment = true``: `layout.allocation.redevelopment.infill_table`.
    redevelopment: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: A chunked plan (`layout.allocation.province`): the ``(score, flags)`` rasters its engine
    #: wrote, by industry; the writer moves them into ``suitability/`` (``results`` are then
    #: the allocation grid's, not written as rasters).
    score_files: dict[str, tuple[Path, Path]] = field(default_factory=dict)
    #: A chunked plan: one row per region (city) of the allocation by region.
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)
