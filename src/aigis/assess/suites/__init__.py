"""Test banks as data files: a YAML manifest per suite plus JSONL items (see docs/assess.md)."""

from aigis.assess.suites.loader import (
    DATA_DIR,
    EXPECTED,
    SETS,
    Item,
    Suite,
    list_suites,
    load_manifest,
    load_suite,
    merge_suites,
    parse_item,
    read_items,
)

__all__ = [
    "DATA_DIR",
    "EXPECTED",
    "SETS",
    "Item",
    "Suite",
    "list_suites",
    "load_manifest",
    "load_suite",
    "merge_suites",
    "parse_item",
    "read_items",
]
