"""A plan's outputs -- the plan folder and its maps folder -- written and replaced as one unit.

`plan_outputs` checks both folders before the plan runs (a folder that cannot be written, or
that holds an input, fails in a second, not after a minute), stages both, and only when the
plan files and the maps are all written swaps both folders in together
(`layout.io.staging.replace_folders`). An error, Ctrl-C or SIGTERM at any point before leaves
the previous plan folder and maps exactly as they were: ``out/`` never disagrees with
``maps/``.

"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from layout.io.staging import replace_folders
from layout.products.planfolder import (
    plan_folder,
    plan_input_files,
    write_plan_files,
    write_report,
)

if TYPE_CHECKING:
    from layout.allocation.result import PlanResult
    from layout.model.plan import PlanConfig


@dataclass
class PlanOutputWriter:
    """The staged plan and maps folders of `plan_outputs`; files land at their final place."""

    out: Path
    maps: Path | None
    stage: Path
    maps_stage: Path | None
    #: The result `write_plan` wrote: `write_maps` writes its report again with the maps.
    result: PlanResult | None = field(default=None, repr=False)

    def write_plan(
        self, result: PlanResult, *, timings: Mapping[str, float] | None = None
    ) -> list[Path]:
        """Write the plan folder's files (`layout.products.planfolder.write_plan_files`)."""
        self.result = result
        return [self.out / r for r in write_plan_files(result, self.stage, timings=timings,
                                                        out=self.out)]

    def write_maps(
        self,
        *,
        lang: str = "zh",
        date: str | dt.date | None = None,
        title: str | None = None,
        config: str | os.PathLike[str] | None = None,
    ) -> list[Path]:
        """Write the maps of the staged plan folder (after `write_plan`) into the maps folder.

        The plan's ``report.html`` is written again, linking each map by its path relative to
        the plan folder (`layout.products.report.maps`): both folders are replaced together.
        """
        from layout.products.maps.plan import write_maps_files

        if self.maps is None or self.maps_stage is None:
            raise ValueError("plan_outputs was opened without a maps folder")
        from layout.products.report.maps import map_links

        names = write_maps_files(self.stage, self.maps_stage, lang=lang, date=date, title=title,
                                 config=config)
        if self.result is not None:  # the report links the maps, relative to the plan folder
            write_report(self.result, self.stage,
                         maps=map_links(names, maps=self.maps, plan=self.out))
        return [self.maps / n for n in names]


def titled(plan: PlanConfig, title: str | None) -> PlanConfig:
    """The plan under another name (``--title``): ``name`` and ``name_en`` both ``title``.

    The name is all that changes, so the plan computes the same result; the maps, the report
    and ``manifest.json`` (``title``) show the new name. None or "" keeps the plan's names.

    Examples
    --------
    >>> from layout.config.plan import load_plan
    >>> p = titled(load_plan(), "Variant B")
    >>> p.name, p.name_en
    ('Variant B', 'Variant B')
    """
    if not title:
        return plan
    return dataclasses.replace(plan, name=title, name_en=title)


@contextmanager
def plan_outputs(
    plan: PlanConfig,
    *,
    out: str | os.PathLike[str],
    maps: str | os.PathLike[str] | None = None,
) -> Iterator[PlanOutputWriter]:
    """Check, stage and at the end replace a plan's folder and maps folder together.

    Parameters
    ----------
    plan
        The plan: its TOML, catalog and input files may lie in neither folder.
    out
        The plan folder (``--out``).
    maps
        The maps folder (``--maps``); None writes no maps and leaves any maps folder alone.

    Raises
    ------
    OutputFolderError
        At once, before the block runs, when a folder cannot be used
        (`layout.io.staging.check_outputs`).
    """
    from layout.products.maps.plan import maps_folder

    folders = [plan_folder(out)]
    if maps is not None:
        folders.append(maps_folder(maps, option="--maps"))
    with replace_folders(folders, inputs=plan_input_files(plan)) as stages:
        yield PlanOutputWriter(
            out=Path(out),
            maps=None if maps is None else Path(maps),
            stage=stages[0],
            maps_stage=stages[1] if maps is not None else None,
        )
