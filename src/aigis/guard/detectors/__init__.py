"""Guard detectors. Each module in this package defines one detector class registered by name."""

from aigis.guard.detectors.base import (
    Detector,
    Finding,
    ScanContext,
    Span,
    detector_class,
    detector_names,
    register_detector,
)

__all__ = ["Detector", "Finding", "ScanContext", "Span", "detector_class", "detector_names", "register_detector"]
