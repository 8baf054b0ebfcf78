"""The command line shared by the scripts that build the guard's data tables: write, or --check."""

from __future__ import annotations

import argparse
import gzip
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(doc: str, out: Path, build: Callable[[], bytes]) -> None:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the shipped table, write nothing")
    args = ap.parse_args()
    data = build()
    name = out.relative_to(ROOT)
    if args.check:
        same = out.is_file() and gzip.decompress(out.read_bytes()) == gzip.decompress(data)
        print(f"{name} is current" if same else f"{name} is stale: rerun this script")
        sys.exit(0 if same else 1)
    out.write_bytes(data)
    print(f"wrote {name} ({len(data):,} bytes)")
