"""Guard detectors. Each module in this package defines one detector class registered by name, and
is imported here, so adding a detector is adding one file."""

from __future__ import annotations

import importlib
import pkgutil

from aigis.guard.detectors.base import (
    Detector,
    Finding,
    ScanContext,
    Span,
    detector_class,
    detector_names,
    register_detector,
)


def _import_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        importlib.import_module(f"{__name__}.{info.name}")


_import_all()

__all__ = [
    "Detector",
    "Finding",
    "ScanContext",
    "Span",
    "detector_class",
    "detector_names",
    "register_detector",
]
