"""Industrial-layout planner for the Zhengzhou metro area, on the 集聚、集群、集约 principle.

The API (`layout.api`) is importable from here: `load_plan`, `load_inputs`, `score`, `plan`,
`check_sites` and `read_plan`. They are imported on first use, so ``import layout`` stays cheap
(the command line starts fast). ``docs/api.md`` shows them at work; ``docs/architecture.md``
shows the floors of the package.

Examples
--------
>>> import layout
>>> layout.load_plan().label
'embedded plan'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from layout.version import __version__

if TYPE_CHECKING:
    from layout.api import check_sites, load_inputs, load_plan, plan, read_plan, score

__all__ = ["__version__", "check_sites", "load_inputs", "load_plan", "plan", "read_plan", "score"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("layout.api"), name)
    raise AttributeError(f"module 'layout' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
