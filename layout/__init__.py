"""Industrial-layout planner for the Zhengzhou metro area, on the 集聚、集群、集约 principle.

Modules are re-exported, not their contents: ``layout.crs.to_metric``, ``layout.io.read_layer``,
``layout.catalog.load_catalog`` and so on.
"""

from importlib.metadata import PackageNotFoundError, version

from . import crs, errors, settings

try:
    __version__ = version("zz-layout")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "crs", "errors", "settings"]
