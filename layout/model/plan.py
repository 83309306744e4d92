"""A validated plan: the typed objects `layout.config.plan.load_plan` returns.

A plan names its inputs (`InputSpec`), the analysis grid, the constraint types that exclude
cells, the criteria weights and parameters (shared and per industry, `IndustryConfig`), and the
``[demand]``, ``[allocation]`` and ``[sensitivity]`` options. The format is in docs/config.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS

from layout import settings
from layout.core.weights import AHPResult
from layout.model.catalog import Catalog
from layout.model.constraints import CONSTRAINT_BITS
from layout.model.efficiency import EfficiencyOptions
from layout.model.options import (
    AllocationOptions,
    DemandOptions,
    EngineKind,
    EngineOptions,
    SensitivityOptions,
    SuitabilityOptions,
)
from layout.model.standard import ZoneStandard


@dataclass(frozen=True)
class InputSpec:
    """Where one input layer comes from, and how its columns map onto the data model.

    ``path`` is None for the embedded layer of the same name, in the embedded dataset
    ``dataset`` (`layout.settings.EMBEDDED_DATASETS`; Zhengzhou by default).  ``columns`` maps
    data-model names (and ``lon``/``lat`` of a table) to the file's columns; ``values`` maps,
    per data-model column, the file's values to data-model values (``docs/config.md``,
    ``[inputs]``; applied by `layout.data.mapping`).
    """

    name: str
    path: Path | None = None
    layer: str | None = None
    datum: str = "wgs84"
    crs: str | None = None
    encoding: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: The code schema of a land-use layer (`layout.model.landuse.LandUseSchema`), else None.
    schema: str | None = None
    #: The embedded dataset an embedded layer comes from (``[inputs] dataset``).
    dataset: str = settings.DEFAULT_DATASET

    @property
    def embedded(self) -> bool:
        """True when the layer comes from an embedded dataset."""
        return self.path is None


@dataclass(frozen=True)
class IndustryConfig:
    """Per-industry settings: raw weights as written, AHP result and criterion overrides."""

    code: str
    weights: Mapping[str, float] = field(default_factory=dict)
    ahp: AHPResult | None = None
    criteria: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanConfig:
    """A validated plan.

    Attributes
    ----------
    name, name_en
        The plan's name in Chinese and English (map titles, reports).
    crs
        Projected CRS of all metric work and of the analysis grid.
    resolution
        Grid cell size in metres.
    seed
        Seed of everything random.
    inputs
        Input layers by name (`INPUT_NAMES`).
    exclude
        Constraint types that exclude cells.
    weights
        Shared raw weights by criterion name (before per-industry overrides and normalising).
    criteria
        Shared criterion overrides by criterion name: validated parameter values and, under
        ``"transform"``, a `layout.model.transforms.TransformSpec`.
    industries
        Per-industry overrides by industry code.
    path
        The TOML file, or None for the embedded plan.
    catalog
        The industry catalog the plan uses.
    demand, allocation, sensitivity
        The validated ``[demand]``, ``[allocation]`` and ``[sensitivity]`` tables
        (`layout.model.options.DemandOptions`, `layout.model.options.AllocationOptions`,
        `layout.model.options.SensitivityOptions`).
    efficiency
        The ``[efficiency]`` table: the 亩均效益 grading scheme
        (`layout.model.efficiency.EfficiencyOptions`).
    suitability
        The ``[suitability]`` table: the share of the learned model in the score
        (`layout.model.options.SuitabilityOptions`).
    engine, engine_options
        ``[plan] engine`` and the ``[engine]`` table (`layout.model.options.EngineOptions`).
    standards
        Standard-land indicators (标准地) by zone id, from ``[zones.<id>.standard]``
        (`layout.model.standard.ZoneStandard`).
    """

    name: str
    name_en: str
    crs: CRS
    resolution: float
    seed: int
    inputs: Mapping[str, InputSpec]
    exclude: tuple[str, ...]
    weights: Mapping[str, float]
    criteria: Mapping[str, Mapping[str, Any]]
    industries: Mapping[str, IndustryConfig]
    path: Path | None
    catalog: Catalog
    raw: Mapping[str, Any] = field(repr=False, default_factory=dict)
    demand: DemandOptions = field(default_factory=DemandOptions)
    allocation: AllocationOptions = field(default_factory=AllocationOptions)
    sensitivity: SensitivityOptions = field(default_factory=SensitivityOptions)
    standards: Mapping[str, ZoneStandard] = field(default_factory=dict)
    efficiency: EfficiencyOptions = field(default_factory=EfficiencyOptions)
    suitability: SuitabilityOptions = field(default_factory=SuitabilityOptions)
    engine: EngineKind = "auto"
    engine_options: EngineOptions = field(default_factory=EngineOptions)

    @property
    def label(self) -> str:
        """The file name of the plan for messages (``plan.toml`` or ``embedded plan``)."""
        return self.path.name if self.path else "embedded plan"

    @property
    def exclude_mask_bits(self) -> int:
        """Bitwise OR of the bits of the excluding constraint types."""
        bits = 0
        for name in self.exclude:
            bits |= CONSTRAINT_BITS[name]
        return bits

    def industry(self, code: str) -> IndustryConfig:
        """The per-industry settings of ``code`` (empty overrides when the plan gives none)."""
        self.catalog.industry(code)  # raises UnknownIndustryError with suggestions
        return self.industries.get(code, IndustryConfig(code))
