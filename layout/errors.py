"""The error hierarchy: every error the package raises on purpose derives from `LayoutError`.

Each class also derives from the built-in exception a caller would naturally catch, so
``except ValueError`` keeps working for code that does not know this package.  The CLI turns any
`LayoutError` into a one-line message and a non-zero exit status, without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class LayoutError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigError(LayoutError, ValueError):
    """A plan or catalog configuration value is wrong; the message names the key and the file."""


class UnknownIndustryError(ConfigError, KeyError):
    """An industry code that is not in the catalog (the message suggests the closest codes)."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class DataFileError(LayoutError, OSError):
    """An input file is missing, unreadable, empty or in a format we cannot read."""


class CRSError(LayoutError, ValueError):
    """A layer has no CRS, the wrong CRS, or a geographic CRS where metres are needed."""


class CRSMismatchError(CRSError):
    """Two inputs that must share a CRS do not; the message names both."""


class MemoryBudgetError(LayoutError, MemoryError):
    """A run would need more memory than the machine has; the message says what fits."""


class SchedulerError(LayoutError, ConnectionError):
    """A dask scheduler named with ``--scheduler`` cannot be reached."""


class EncodingError(DataFileError):
    """Attribute text could not be decoded without producing mojibake."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a dataset.

    Attributes
    ----------
    source
        The file (and layer) the problem was found in.
    message
        What is wrong and how to fix it, in one sentence.
    feature
        The row or feature id, when the problem belongs to one feature.
    column
        The column, when the problem belongs to one column.
    severity
        ``"error"`` (the data cannot be used as is) or ``"warning"``.
    """

    source: str
    message: str
    feature: str | None = None
    column: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = [self.source]
        if self.feature is not None:
            where.append(f"feature {self.feature}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{self.severity}: {', '.join(where)}: {self.message}"


class ValidationError(LayoutError, ValueError):
    """A dataset failed validation; ``problems`` holds every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        first = errors[0] if errors else (self.problems[0] if self.problems else None)
        more = len(errors) - 1
        # The CLI prefixes "error: " itself: keep the severity out of the one-line summary.
        text = str(first).split(": ", 1)[1] if first else "validation failed"
        if more > 0:
            text += f" (and {more} more error{'s' if more > 1 else ''})"
        super().__init__(text)

    @classmethod
    def from_problems(cls, problems: Iterable[Problem]) -> ValidationError:
        """Build the error from any iterable of problems."""
        return cls(list(problems))
