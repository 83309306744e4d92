"""Options and error handling shared by every subcommand.

Every way a command can fail ends in one line on stderr (`LayoutGroup`):

==============================================  =================================================
bad input (`layout.errors.LayoutError`)          ``error: <message>``, exit 2
a usage error (unknown option, bad value)       ``error: <what> (try 'layout plan -h')``, exit 2
a file that cannot be read or written           ``error: <file>: <reason>``, exit 2
Ctrl-C (SIGINT) / SIGTERM                       ``interrupted``, exit 130 / 143, after cleanup
anything else (a bug)                           ``error: internal error: <Type>: <message> (run
                                                with -v for the traceback)``, exit 1
==============================================  =================================================
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from layout.cli.logs import configure, reset
from layout.cli.terminal import printable
from layout.errors import ConfigError, LayoutError

F = TypeVar("F", bound=Callable[..., Any])

#: Exit status for bad input (a LayoutError): the message is printed, never a traceback.
EXIT_BAD_INPUT = 2
#: Exit status of an unexpected error (a bug): one line, the traceback with ``-v``.
EXIT_INTERNAL = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main process like Ctrl-C so that every cleanup runs."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into `Terminated` while the command runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fail(message: str, status: int) -> NoReturn:
    click.echo(printable(" ".join(message.split("\n"))), err=True)
    sys.exit(status)


def _usage_line(exc: click.UsageError) -> str:
    """A usage error in one line: what is wrong and the help to read."""
    message = " ".join(exc.format_message().split())
    message = message[:1].lower() + message[1:]
    path = exc.ctx.command_path if exc.ctx is not None else "layout"
    return f"error: {message} (try '{path} -h')"


class LayoutGroup(click.Group):
    """A click group whose every failure is one line on stderr (module docstring)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; usage errors in one line instead of click's three to six."""
        if not standalone_mode:
            return super().main(args, prog_name or "layout", complete_var, False, **extra)
        try:
            status = super().main(args, prog_name or "layout", complete_var, False, **extra)
        except click.UsageError as exc:
            _fail(_usage_line(exc), EXIT_BAD_INPUT)
        except click.Abort:  # Ctrl-C or end of input while click itself was prompting
            _fail("interrupted", 130)
        except click.ClickException as exc:
            _fail(f"error: {exc.format_message()}", exc.exit_code)
        sys.exit(status if isinstance(status, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; report library errors in one line, without a traceback."""
        try:
            with sigterm_interrupts():
                return super().invoke(ctx)
        except LayoutError as exc:
            _fail(f"error: {exc}", EXIT_BAD_INPUT)
        except Terminated:
            _fail("interrupted", 128 + signal.SIGTERM)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as exc:  # disk full, permission, a file gone: name the file
            name = exc.filename or "a file"
            reason = (exc.strerror or str(exc)).lower()
            hint = "; check that it exists" if isinstance(exc, FileNotFoundError) else (
                "; check the permissions and free space there")
            _fail(f"error: {name}: {reason}{hint}", EXIT_BAD_INPUT)
        except Exception as exc:
            if ctx.meta.get("layout.verbose"):
                click.echo(traceback.format_exc().rstrip(), err=True)
            _fail(f"error: internal error: {type(exc).__name__}: {exc} (run with -v for the "
                  "traceback)", EXIT_INTERNAL)
        finally:
            reset()


def output_folder(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """Click callback of an output folder option: a Path; an empty name is refused.

    The option's type must be ``click.Path(file_okay=False)`` without ``path_type``: a Path
    would turn ``""`` into ``"."`` before this check.
    """
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter(
            "an empty name would write into the current folder; give a folder name"
        )
    return Path(value)


def plan_argument(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Click callback of a plan argument or option: a TOML file, or an embedded plan's name.

    A bare name (no path separator, no ``.toml`` suffix, no existing file) names the embedded
    plan ``layout/config/<name>_plan.toml`` (``henan``, ``zhengzhou``; ``zhengzhou`` gives None,
    the default plan); an unknown one is a usage error listing the embedded plans.
    """
    if value is None:
        return None
    from layout.config.plan import resolve_plan_name  # config loads pydantic: only when used

    try:
        return resolve_plan_name(str(value))
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


def plan_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """Like `plan_argument`, but ``zhengzhou`` too is its file: where a plan differs from none."""
    if value is None:
        return None
    from layout.config.plan import resolve_plan_name

    try:
        return resolve_plan_name(str(value), default_as_none=False)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


#: Help text shared by the output folder options.
REPLACED = ("Replaced as a whole when the command succeeds; must be new, empty or written by "
            "layout (files of your own there are never deleted: the command refuses).")


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
        help="CRS of an input that carries none (e.g. EPSG:4326, EPSG:4490, EPSG:4549).",
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
        help="Background tiles: none (offline), osm, tianditu (the key is given when the "
        "map is viewed: map.html?tk=KEY, or asked once) or gaode "
        "(overlays converted to GCJ-02).")(f)


def date_option(f: F) -> F:
    """Add ``--date YYYY-MM-DD``: the date shown on maps."""
    return click.option("--date", "date", default=None, metavar="YYYY-MM-DD",
                        callback=check_date,
                        help="Date shown on the maps [default: $SOURCE_DATE_EPOCH, else today].")(f)
