"""Shared output helpers: rich tables for people, stable JSON / YAML for programs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import yaml
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

console = Console()
console_err = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def emit_data(data: Any, fmt: OutputFormat) -> bool:
    """Print data as JSON or YAML; return False when the caller should render a table instead."""
    if fmt is OutputFormat.json:
        print(dump_json(data))
        return True
    if fmt is OutputFormat.yaml:
        print(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), end="")
        return True
    return False


def print_error(message: str) -> None:
    """``error: message`` on standard error; the message is escaped, as it may quote the user's input."""
    console_err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A table of plain text: the title and the cells are never read as markup."""
    t = Table(title=None if title is None else escape(title), show_lines=False, header_style="bold")
    for col in columns:
        t.add_column(col, overflow="fold")
    for row in rows:
        t.add_row(*(escape("" if v is None else str(v)) for v in row))
    if not rows:  # an empty frame alone reads like a rendering fault
        t.caption = "(none / 无)"
    return t


def progress_bar(disable: bool = False) -> Progress:
    """The standard progress bar for long work: on standard error, so it never mixes with output."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console_err,
        transient=True,
        disable=disable,
    )
