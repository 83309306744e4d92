"""Land demand: how many mu each priority industry needs at the plan horizon, with the arithmetic.

``demand_mu = (growth - 1) * today's output / output per mu`` (default growth 2: 三年倍增, output
doubles in three years), unless the plan gives the industry's ``mu`` directly. Output per mu
comes from today's enterprises (``output_per_mu = "data"``), the catalog, or the plan.
"""

from __future__ import annotations

import pandas as pd

from layout.errors import ConfigError
from layout.model.catalog import Catalog
from layout.model.options import DemandOptions

#: Mu per hectare (1 mu = 10,000 / 15 m²).
MU_PER_HA = 15.0


def land_demand(
    enterprises: pd.DataFrame, *, catalog: Catalog, options: DemandOptions, source: str = ""
) -> pd.DataFrame:
    """Land demand of every priority industry for the plan horizon, with its arithmetic.

    ``demand_mu = (growth - 1) * today's output / output per mu`` unless the plan gives ``mu``.
    The options are trusted: growth below 1 (which would give a negative demand) is refused
    when the plan is read (`layout.model.options.DemandOptions`).

    Returns
    -------
    DataFrame
        Indexed by industry code: ``today_output_wan``, ``today_land_mu``,
        ``output_per_mu_wan``, ``per_mu_source``, ``growth``, ``new_output_wan``,
        ``demand_mu``, ``demand_ha``, ``method`` and ``arithmetic`` (a sentence).

    Raises
    ------
    ConfigError
        An industry with no enterprises whose demand would have to be derived.

    Examples
    --------
    >>> import pandas as pd
    >>> from layout.config.catalog import load_catalog
    >>> ent = pd.DataFrame({"industry": ["food", "food"], "output_wan": [600.0, 400.0],
    ...                     "land_mu": [2.0, 3.0]})
    >>> opts = DemandOptions(industries={c: {"mu": 0.0} for c in
    ...     ("auto", "electronics", "new_materials", "biomedicine", "aluminium", "textiles")})
    >>> d = land_demand(ent, catalog=load_catalog(), options=opts)
    >>> float(d.loc["food", "output_per_mu_wan"]), float(d.loc["food", "demand_mu"])
    (200.0, 5.0)
    """
    rows = []
    out = pd.to_numeric(enterprises["output_wan"], errors="coerce").fillna(0.0)
    land = pd.to_numeric(enterprises["land_mu"], errors="coerce").fillna(0.0)
    for code in catalog.codes:
        sel = (enterprises["industry"] == code).to_numpy()
        today_out, today_land = float(out[sel].sum()), float(land[sel].sum())
        ov = options.industries.get(code, {})
        growth = float(ov.get("growth", options.growth))
        industry = catalog.industry(code)
        if "output_per_mu_wan" in ov:
            per_mu, per_src = float(ov["output_per_mu_wan"]), "plan"
        elif options.output_per_mu == "catalog" or today_land <= 0:
            per_mu, per_src = industry.output_per_mu_wan, "catalog"
        else:
            per_mu, per_src = today_out / today_land, "data"
        new_out = (growth - 1.0) * today_out
        if "mu" in ov:
            demand, method = float(ov["mu"]), "given"
            text = f"given in the plan: {demand:,.0f} mu"
        else:
            if sel.sum() == 0:
                raise ConfigError(
                    f"industry {code!r} has no enterprises in {source or 'the enterprises layer'}"
                    f", so its land demand cannot be derived from today's output; give "
                    f"[demand.industries.{code}] mu = ... in the plan")
            demand, method = new_out / per_mu if per_mu > 0 else 0.0, "derived"
            text = (f"({growth:g} - 1) x {today_out:,.0f} 万元 / {per_mu:,.1f} 万元/mu "
                    f"({per_src}) = {demand:,.0f} mu")
        rows.append({
            "industry": code, "today_output_wan": today_out, "today_land_mu": today_land,
            "output_per_mu_wan": per_mu, "per_mu_source": per_src, "growth": growth,
            "new_output_wan": new_out, "demand_mu": demand, "demand_ha": demand / MU_PER_HA,
            "method": method, "arithmetic": text,
        })
    return pd.DataFrame(rows).set_index("industry")


def demand_mu_of(demand: pd.DataFrame, code: str) -> float:
    """The demand in mu of one industry from a `land_demand` table."""
    return float(demand["demand_mu"].to_dict()[code])
