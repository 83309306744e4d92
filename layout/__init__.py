"""Industrial-layout planner for the Zhengzhou metro area, on the 集聚、集群、集约 principle."""

from layout.version import __version__

__all__ = ["__version__"]
