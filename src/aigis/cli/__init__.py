"""The `aigis` command. Each module in this package that defines ``register(app)`` adds its commands,
so adding a capability's CLI is adding one file."""

from __future__ import annotations

import sys

import typer

from aigis import __version__
from aigis.cli.output import console_err, print_error
from aigis.errors import AigisError
from aigis.plugins import import_submodules

app = typer.Typer(
    name="aigis",
    help="AI Safety Governance Framework 2.0, executable. / 人工智能安全治理框架2.0 的可执行实现。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aigis {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
) -> None:
    """aigis command line."""


def _register_all() -> None:
    for module in import_submodules(__name__, skip=("output",)):
        register = getattr(module, "register", None)
        if callable(register):
            register(app)


_register_all()


def main() -> None:
    """Entry point: run the app, print aigis errors without a traceback."""
    try:
        # without standalone mode, click returns a typer.Exit's code instead of exiting with it
        code = app(standalone_mode=False)
    except AigisError as exc:
        print_error(str(exc))
        sys.exit(exc.exit_code)
    except typer.Abort:
        console_err.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # usage errors: click's, or those of the copy of click newer typer ships
        from click.exceptions import ClickException

        usage_errors = (ClickException, getattr(typer, "TyperException", ClickException))
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if isinstance(exc, usage_errors) and callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        raise
    if isinstance(code, int) and code:
        sys.exit(code)
