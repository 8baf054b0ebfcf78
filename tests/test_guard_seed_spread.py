"""The seed-spread benchmark's summary: shipped value, mean, standard deviation and range per group."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def benchmark_module(name: str) -> ModuleType:
    """The script ``benchmarks/<name>.py`` as a module (its own imports of other benchmarks resolve)."""
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _module() -> ModuleType:
    return benchmark_module("guard_seed_spread")


def test_spread_summarises_each_group_over_the_seeds() -> None:
    spread = _module().spread
    shipped = {
        "eval:harmful:zh": {"n": 4, "recall": 0.5},
        "eval:benign:zh": {"n": 10, "fpr": 0.02},
        "latency_ms_harmful": {"p50": 0.1, "p99": 0.3},
    }
    runs = {
        13: {"eval:harmful:zh": {"n": 4, "recall": 0.5}, "eval:benign:zh": {"n": 10, "fpr": 0.02}},
        14: {"eval:harmful:zh": {"n": 4, "recall": 0.75}, "eval:benign:zh": {"n": 10, "fpr": 0.0}},
        15: {"eval:harmful:zh": {"n": 4, "recall": 1.0}},  # a group a rebuild did not score is skipped
    }
    rows = {r["group"]: r for r in spread(runs, shipped)}
    assert set(rows) == {"eval:harmful:zh", "eval:benign:zh"}  # latency is not a held-out figure
    harm = rows["eval:harmful:zh"]
    assert harm["shipped"] == 0.5 and harm["n"] == 4
    assert harm["mean"] == pytest.approx(0.75) and harm["sd"] == pytest.approx(0.25)
    assert (harm["min"], harm["max"]) == (0.5, 1.0)
    assert rows["eval:benign:zh"]["mean"] == pytest.approx(0.01)
