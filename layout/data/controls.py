"""The national control indicators of an industrial project, as the catalog records them.

`thresholds` gives, for an industry, each indicator's bound (`Threshold`): from the catalog's
``[controls]`` (《工业项目建设用地控制指标》, the 2023 revision beside the 2008 text) where it
has them, else the 2008 set of ``[land]`` and the industry's own values. A 2023 figure the
catalog has not verified is never used: the 2008 figure (or the industry's reference value per
mu) stands in, and the threshold says so (``edition``, ``confidence_2023``).
`layout.data.indicators` checks a project's values against them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from layout.config.catalog import load_catalog
from layout.model.catalog import Catalog

#: Fields a project may leave out: the recommended indicators new in the 2023 text.
OPTIONAL: frozenset[str] = frozenset({"output_per_mu_wan", "tax_per_mu_wan"})


@dataclass(frozen=True)
class Threshold:
    """A national control indicator: the bound, its direction and where it comes from.

    Attributes
    ----------
    field
        Indicator field (`FIELDS`).
    op
        ``">="`` (a minimum) or ``"<="`` (a maximum).
    value
        The bound, in the field's unit.
    source
        The regulation or catalog row the bound comes from.
    confidence
        The catalog's confidence grade (H/M/L) of ``value``.
    kind
        ``"mandatory"`` (约束性) or ``"recommended"`` (推荐性) in the 2023 text.
    edition
        Where ``value`` comes from: ``"2023"``, ``"2008"`` or ``"reference"`` (the catalog's
        reference value per mu, where neither text gives a figure the catalog has checked).
    clause_2023, confidence_2023
        The indicator's clause in the 2023 text and ``"unverified"`` when its figure was not
        checked against the text.
    value_2008
        The 2008 figure, for comparison (None when the 2008 text has none).
    """

    field: str
    op: str
    value: float
    source: str
    confidence: str
    kind: str = "mandatory"
    edition: str = "2008"
    clause_2023: str = ""
    confidence_2023: str = ""
    value_2008: float | None = None

    def passes(self, value: float) -> bool:
        """True when ``value`` meets the bound (equality passes)."""
        return value >= self.value if self.op == ">=" else value <= self.value


def thresholds(industry: str, *, catalog: Catalog | None = None) -> dict[str, Threshold]:
    """The control indicators of an industry, by field.

    Examples
    --------
    >>> t = thresholds("electronics")
    >>> t["far"].op, t["far"].value, t["green_ratio"].op, t["green_ratio"].value
    ('>=', 1.0, '<=', 0.2)
    """
    cat = catalog or load_catalog()
    ind = cat.industry(industry)
    land = cat.land
    far = ind.provenance.get("far")
    per_mu = {
        "investment_per_mu_wan": (ind.investment_per_mu_wan, ind.provenance.get("investment")),
        "output_per_mu_wan": (ind.output_per_mu_wan, ind.provenance.get("output")),
        "tax_per_mu_wan": (ind.tax_per_mu_wan, ind.provenance.get("tax")),
    }
    base = {
        "far": Threshold("far", ">=", ind.min_far, ind.far_source, far.confidence if far else "H",
                         value_2008=ind.min_far),
        "building_coverage": Threshold(
            "building_coverage", ">=", land.building_coverage_min, land.source, land.confidence,
            value_2008=land.building_coverage_min,
        ),
        "admin_share": Threshold(
            "admin_share", "<=", land.admin_share_max, land.source, land.confidence,
            value_2008=land.admin_share_max,
        ),
        "green_ratio": Threshold(
            "green_ratio", "<=", land.green_ratio_max, land.source, land.confidence,
            value_2008=land.green_ratio_max,
        ),
    }
    for name, (value, prov) in per_mu.items():
        base[name] = Threshold(name, ">=", value,
                               prov.source if prov else "catalog reference value",
                               prov.confidence if prov else "L", edition="reference")
    out: dict[str, Threshold] = {}
    controls = {c.field: c for c in land.controls}
    for name, t in base.items():
        c = controls.get(name)
        if c is None:
            if name not in OPTIONAL:  # a catalog without [controls]: the 2008 set
                out[name] = t
            continue
        value, source, grade, edition = t.value, t.source, t.confidence, t.edition
        if c.value_2023 is not None and c.confidence_2023 != "unverified":
            value, edition, grade = c.value_2023, "2023", c.confidence_2023
            source = f"{land.edition_2023} {c.clause_2023}"
        elif not c.by_industry and c.value_2008 is not None:
            value, edition, grade = c.value_2008, "2008", c.confidence_2008 or grade
            source = c.clause_2008 or source
        out[name] = replace(
            t, op=c.op, value=value, source=source, confidence=grade, kind=c.kind,
            edition=edition, clause_2023=c.clause_2023, confidence_2023=c.confidence_2023,
            value_2008=c.value_2008 if not c.by_industry else t.value_2008,
        )
    return out
