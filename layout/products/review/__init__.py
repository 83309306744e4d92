"""Results as their users read them: a finished plan, plan variants, site-check tables.

For reviewers: a finished plan's outputs, why a site was chosen, how far to trust it and where
its data came from. For planners: plan variants and their allocations side by side. For land
departments: tables of site-check verdicts.

This is the library side of the walkthroughs in ``notebooks/``: every number a notebook shows
comes from a function here or elsewhere in the package, never from logic in a cell. Import
from this package (``from layout.products.review import explain_site``); its modules are:

`explain`
    Why a site was chosen: `site_contributions` (from the ``sites`` table) and `explain_site`
    (recomputed from the score GeoTIFF, with each criterion's weight and value). A plan folder
    is read with `read_plan` → `PlanOutputs` (`layout.products.planfolder`, re-exported here).
`variants`, `compare`
    `vary_plan` changes one industry's weights or growth target (validated like a TOML file);
    `compare_allocations` puts two allocation tables side by side (mu).
`provenance`
    `data_provenance` checks the recorded input hashes against the files on disk and
    `confidence_summary` counts the features of each layer by confidence.
`sitechecks`
    Site checks (`layout.products.sitecheck`): `verdicts_table` summarises a batch,
    `parcel_contributions` gives a parcel's criterion contributions in the same form as
    `site_contributions`.
`plots`, `notebook`
    `plot_contributions`, `plot_stability`, `plot_hot_spots` draw matplotlib figures and return
    the Axes; `show_map` shows a folium map inline as the offline page
    `layout.products.maps.save_map` writes (folium's own notebook view loads Leaflet from CDNs).
`tables`
    The contributions table all of them share (`CONTRIBUTION_COLUMNS`).
"""

from layout.products.planfolder import PlanOutputs, UnknownSiteError, read_plan, site_row
from layout.products.review.compare import compare_allocations
from layout.products.review.explain import explain_site, site_contributions
from layout.products.review.notebook import InlineMap, show_map
from layout.products.review.plots import plot_contributions, plot_hot_spots, plot_stability
from layout.products.review.provenance import confidence_summary, data_provenance
from layout.products.review.sitechecks import parcel_contributions, verdicts_table
from layout.products.review.tables import CONTRIBUTION_COLUMNS
from layout.products.review.variants import vary_plan

__all__ = [
    "CONTRIBUTION_COLUMNS",
    "InlineMap",
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
    "site_row",
    "vary_plan",
    "verdicts_table",
]
