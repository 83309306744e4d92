"""Options and error handling shared by every subcommand."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from layout.cli.logs import configure, reset
from layout.errors import LayoutError

F = TypeVar("F", bound=Callable[..., Any])

#: Exit status for bad input (a LayoutError): the message is printed, never a traceback.
EXIT_BAD_INPUT = 2


class LayoutGroup(click.Group):
    """A click group that turns library errors into a one-line message and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; report library errors in one line, without a traceback."""
        try:
            return super().invoke(ctx)
        except LayoutError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except FileNotFoundError as exc:
            click.echo(f"error: {exc.filename or exc}: file not found", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        finally:
            reset()


def _set_logging(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    """Click callback of ``-q`` and ``-v``: configure the log as both say so far."""
    ctx.meta[f"layout.{param.name}"] = value
    if not ctx.meta.get("layout.logging"):
        ctx.meta["layout.logging"] = True
        ctx.call_on_close(reset)  # the handler goes with the command, however it was invoked
    configure(quiet=bool(ctx.meta.get("layout.quiet")),
              verbose=bool(ctx.meta.get("layout.verbose")))
    return value


def quiet_option(f: F) -> F:
    """Add ``-q/--quiet`` (errors only) and ``-v/--verbose`` (details) for the log on stderr."""
    f = click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=_set_logging,
                     help="Show details of every stage on stderr.")(f)
    return click.option("-q", "--quiet", is_flag=True, callback=_set_logging,
                        help="Errors only: no progress on stderr.")(f)


def crs_option(f: F) -> F:
    """Add ``--crs``: the CRS to assume for inputs that carry none."""
    return click.option(
        "--crs",
        "crs",
        default=None,
        metavar="CRS",
        help="CRS of an input that carries none (e.g. EPSG:4326, EPSG:4490, EPSG:4547).",
    )(f)


def datum_option(f: F) -> F:
    """Add ``--datum``: the datum lon/lat inputs were copied from (Chinese web maps)."""
    return click.option(
        "--datum",
        type=click.Choice(["wgs84", "cgcs2000", "gcj02", "bd09"]),
        default="wgs84",
        show_default=True,
        help="Datum of lon/lat inputs: gcj02 for Gaode/Tencent, bd09 for Baidu coordinates.",
    )(f)


def default_date() -> str:
    """The date shown on maps: ``$SOURCE_DATE_EPOCH`` (reproducible builds) when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: a ``YYYY-MM-DD`` date, normalised, or None."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-05-01") from None


def lang_option(f: F) -> F:
    """Add ``--lang zh|en``: the language of map labels and legends."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), default="zh",
                        show_default=True, help="Language of labels and legends.")(f)


def cdn_option(f: F) -> F:
    """Add ``--cdn``: link Leaflet from a CDN instead of inlining it."""
    return click.option("--cdn", is_flag=True, help="Link Leaflet from a CDN instead of "
                        "inlining it (smaller, needs a network).")(f)


def basemap_option(f: F) -> F:
    """Add ``--basemap none|osm|tianditu|gaode``."""
    return click.option(
        "--basemap", type=click.Choice(["none", "osm", "tianditu", "gaode"]), default="none",
        show_default=True,
        help="Background tiles: none (offline), osm, tianditu (key in $TIANDITU_KEY) or gaode "
        "(overlays converted to GCJ-02).")(f)


def date_option(f: F) -> F:
    """Add ``--date YYYY-MM-DD``: the date shown on maps."""
    return click.option("--date", "date", default=None, metavar="YYYY-MM-DD",
                        callback=check_date,
                        help="Date shown on the maps [default: $SOURCE_DATE_EPOCH, else today].")(f)
