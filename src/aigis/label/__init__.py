"""AIGC labels (GB 45438-2025; framework 4.2.2(c), 5.6, 6.3.4): explicit notices, implicit metadata,
signatures, watermarks, C2PA, and verification."""

from __future__ import annotations

from aigis.label import steps as _steps  # noqa: F401  (registers the watermark step and check)
from aigis.label.fields import CLAUSES, FIELD_NAMES, AigcLabel, new_label, parse_label
from aigis.label.formats import FORMATS, Format, FormatError, Found
from aigis.label.implicit import MetadataReport, inspect, propagate, read_labels, write_label
from aigis.label.signing import KeyRing

__all__ = [
    "CLAUSES",
    "FIELD_NAMES",
    "FORMATS",
    "AigcLabel",
    "Format",
    "FormatError",
    "Found",
    "KeyRing",
    "MetadataReport",
    "inspect",
    "new_label",
    "parse_label",
    "propagate",
    "read_labels",
    "write_label",
]
