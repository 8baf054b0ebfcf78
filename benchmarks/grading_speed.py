"""Grading throughput: how many system descriptions per second the engine grades with the shipped packs.

Run: .venv/bin/python benchmarks/grading_speed.py [--rounds N]
No peer is installable from PyPI for appendix-1 grading (the tools that grade only hard-code the EU's
four tiers), so this measures aigis alone.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from aigis.grading import get_pack, grade, list_packs
from aigis.grading.system import allowed_values


def random_system(rng: random.Random, index: int) -> dict[str, Any]:
    def one(field: str) -> Any:
        return rng.choice(allowed_values(field) or [None])

    def some(field: str) -> list[Any]:
        values = allowed_values(field) or []
        return rng.sample(values, rng.randint(0, min(3, len(values))))

    return {
        "name": f"system-{index}",
        "owner": "bench",
        "roles": ["provider"],
        "purpose": "benchmark",
        "sector": one("sector"),
        "usage_environment": one("usage_environment"),
        "recipients": some("recipients"),
        "impacts": some("impacts"),
        "capabilities": some("capabilities"),
        "intelligence": one("intelligence"),
        "scale": {
            "users": rng.randint(0, 50_000_000),
            "reach": one("scale.reach"),
            "cii": rng.random() < 0.1,
            "critical_workflow": rng.random() < 0.2,
        },
        "deployment": {"tool_access": one("deployment.tool_access")},
        "safeguards": {"end_use_controls": rng.random() < 0.5},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--systems", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    systems = [random_system(rng, i) for i in range(args.systems)]
    start = time.perf_counter()
    list_packs()
    print(f"load and validate 9 shipped packs: {(time.perf_counter() - start) * 1000:.0f} ms")
    for label, pack in (("sector pack per system", None), ("general pack", get_pack("general"))):
        rates = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            for system in systems:
                grade(system, pack)
            rates.append(len(systems) / (time.perf_counter() - start))
        print(
            f"{label}: {statistics.median(rates):,.0f} systems/s (median of {args.rounds} rounds of "
            f"{len(systems)})"
        )


if __name__ == "__main__":
    main()
