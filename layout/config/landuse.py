"""The built-in land-use code lists (``layout/config/landuse_codes.toml``), validated once.

The lists and their classes are described in the file's header and in docs/data_model.md
("Land use"); the models are `layout.model.landuse.LandUseCodes`.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from layout.model.landuse import LandUseCodes
from layout.model.table import validate

#: The package file holding the code lists.
CODES_FILE = "landuse_codes.toml"


@cache
def landuse_codes() -> LandUseCodes:
    """Both code lists, read and validated from the package data.

    Examples
    --------
    >>> table = landuse_codes()
    >>> table.gbt21010.codes["0601"].name, table.ydyh2023.codes["100103"].name
    ('工业用地', '三类工业用地')
    """
    text = resources.files("layout.config").joinpath(CODES_FILE).read_text(encoding="utf-8")
    table: LandUseCodes = validate(LandUseCodes, tomllib.loads(text),
                                   label=f"layout/config/{CODES_FILE}")
    return table
