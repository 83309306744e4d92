"""The package version, from the installed metadata (ground floor: imports nothing of ours)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zz-layout")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
