"""A parcel's project against its zone's standard land (标准地) and the national figures.

`standard_checks` compares each indicator a zone sets in ``[zones.<id>.standard]``
(`layout.model.standard.ZoneStandard`) with the project's value and lists the national control
value of the same field beside it (`layout.data.indicators.thresholds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from layout.model.standard import STANDARD_FIELDS
from layout.products.sitecheck.results import StandardCheck

if TYPE_CHECKING:
    from layout.model.catalog import Catalog
    from layout.model.standard import ZoneStandard


def standard_checks(
    values: Mapping[str, float],
    zone_id: str,
    standard: ZoneStandard,
    *,
    industry: str,
    catalog: Catalog,
) -> tuple[StandardCheck, ...]:
    """The zone's standard-land indicators against the project's ``values``.

    Examples
    --------
    >>> from layout.config.catalog import load_catalog
    >>> from layout.model.standard import ZoneStandard
    >>> [c] = standard_checks({"far": 1.1}, "z", ZoneStandard(far_min=1.2), industry="food",
    ...                       catalog=load_catalog())
    >>> c.passed, c.standard, c.national
    (False, 1.2, 1.0)
    """
    from layout.data.indicators import thresholds

    national = thresholds(industry, catalog=catalog)
    out = []
    for key, target in standard.values().items():
        field, op, label_zh, label_en, unit = STANDARD_FIELDS[key]
        value = values.get(field)
        passed = None if value is None else (value >= target if op == ">=" else value <= target)
        nat = national.get(field)
        out.append(StandardCheck(zone_id, key, field, label_zh, label_en, unit, op, target,
                                 None if nat is None else nat.value, value, passed,
                                 standard.source))
    return tuple(out)
