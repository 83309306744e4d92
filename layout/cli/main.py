"""Entry point of the ``layout`` command.

Each subcommand lives in its own module and is registered here; the modules only parse options
and forward to library functions.
"""

from __future__ import annotations

import click

from layout.cli.options import LayoutGroup
from layout.version import __version__


@click.group(cls=LayoutGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="layout")
def cli() -> None:
    """Industrial-layout planner (集聚、集群、集约) for any city a plan TOML describes."""


def _register() -> None:
    from layout.cli import (
        check_site,
        compare,
        construction,
        efficiency,
        industries,
        learn,
        overview,
        plan,
        score,
        validate,
    )
    from layout.cli import map as map_cli

    cli.add_command(industries.industries)
    cli.add_command(validate.validate)
    cli.add_command(overview.overview)
    cli.add_command(score.score_command)
    cli.add_command(check_site.check_site)
    cli.add_command(map_cli.map_command)
    cli.add_command(plan.plan_command)
    cli.add_command(compare.compare_command)
    cli.add_command(learn.learn_command)
    cli.add_command(efficiency.efficiency_command)
    cli.add_command(construction.construction_command)


_register()

if __name__ == "__main__":  # pragma: no cover
    cli()
