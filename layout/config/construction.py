"""The 城镇建设适宜性 rule table: the built-in one (``construction_rules.toml``) or a file's own.

Examples
--------
>>> rules = load_rules()
>>> rules.land.slope_breaks_deg, [r.name for r in rules.unsuitable][:2]
([3.0, 8.0, 15.0, 25.0], ['slope_over_25', 'flood_zone'])
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from layout.errors import ConfigError
from layout.model.construction import ConstructionRules
from layout.model.table import validate

#: The package file holding the default rules.
RULES_FILE = "construction_rules.toml"


def rules_text(path: str | Path | None = None) -> str:
    """The text of a rule file (the built-in one when ``path`` is None)."""
    if path is None:
        return resources.files("layout.config").joinpath(RULES_FILE).read_text(encoding="utf-8")
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: rule file not found")
    return p.read_text(encoding="utf-8")


def load_rules(path: str | Path | None = None) -> ConstructionRules:
    """Read and validate a rule table (the built-in one when ``path`` is None)."""
    label = f"layout/config/{RULES_FILE}" if path is None else Path(path).name
    try:
        data = tomllib.loads(rules_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML: {exc}") from None
    rules: ConstructionRules = validate(ConstructionRules, data, label=label)
    return rules
