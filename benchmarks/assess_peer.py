"""Harness overhead side by side with promptfoo: the same N single-turn prompts against the same local
instant OpenAI-compatible endpoint (aigis's scripted server, model ``instant``, a separate process), at
the same concurrency, each tool storing its results (aigis: SQLite attempts; promptfoo: its own SQLite
eval store) and applying one cheap check per answer.

promptfoo is a Node.js program (the PyPI package ``promptfoo`` only wraps ``npx promptfoo``); install it
outside this project, e.g.::

    npm install promptfoo@0.120.0 --prefix /tmp/peernpm
    .venv/bin/python benchmarks/assess_peer.py --promptfoo /tmp/peernpm/node_modules/.bin/promptfoo

Without it, only the aigis figure is printed, with the reason.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from assess_overhead import start_server, write_suite


def run_aigis(work: Path, url: str, n: int, concurrency: int) -> dict[str, object]:
    from aigis.assess.runner import RunConfig, create_run, execute
    from aigis.store import Database
    from aigis.store import assess as store

    db = Database(f"sqlite:///{work / 'aigis.db'}")
    db.upgrade()
    config = RunConfig(
        suite=write_suite(work / "suite", n),
        target={"kind": "openai", "base_url": url, "model": "instant"},
        attacks=["none"],
        limits={"concurrency": concurrency, "timeout": 30.0},
    )
    run_id = create_run(db, config)
    started, cpu = time.perf_counter(), time.process_time()
    asyncio.run(execute(db, run_id))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    with db.session() as session:
        stored = store.attempt_counts(session, run_id).get("ok", 0)
    return {
        "tool": "aigis",
        "n": n,
        "seconds": round(wall, 1),
        "per_second": round(n / wall, 1),
        "client_cpu_s": round(cpu, 1),
        "stored": stored,
    }


def run_promptfoo(binary: str, work: Path, url: str, n: int, concurrency: int) -> dict[str, object]:
    home = work / "pf-home"
    home.mkdir(parents=True, exist_ok=True)
    with open(work / "tests.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["question"])
        writer.writerows([f"benchmark question {i}"] for i in range(n))
    (work / "promptfooconfig.yaml").write_text(
        "description: harness overhead\n"
        "prompts: ['{{question}}']\n"
        "providers:\n"
        "  - id: openai:chat:instant\n"
        f"    config: {{apiBaseUrl: '{url}', apiKey: sk-local, temperature: 0}}\n"
        "tests: file://tests.csv\n"
        "defaultTest:\n"
        "  assert:\n"
        '    - {type: not-icontains, value: "I\'m sorry"}\n',
        encoding="utf-8",
    )
    env = dict(
        os.environ,
        HOME=str(home),
        PROMPTFOO_CONFIG_DIR=str(home / ".promptfoo"),
        PROMPTFOO_DISABLE_TELEMETRY="1",
        PROMPTFOO_DISABLE_UPDATE="1",
        PROMPTFOO_DISABLE_SHARING="1",
        OPENAI_API_KEY="sk-local",
    )
    cmd = [
        binary,
        "eval",
        "-c",
        str(work / "promptfooconfig.yaml"),
        "-j",
        str(concurrency),
        "--no-cache",
        "--no-progress-bar",
        "--no-table",
        "-o",
        str(work / "pf-out.json"),
    ]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    results: dict[str, object] = {}
    out = work / "pf-out.json"
    if out.exists():
        data = json.loads(out.read_text(encoding="utf-8"))
        stats = (data.get("results") or {}).get("stats") or {}
        results = {k: stats.get(k) for k in ("successes", "failures", "errors")}
    return {
        "tool": f"promptfoo {_version(binary, env)}",
        "n": n,
        "seconds": round(wall, 1),
        "per_second": round(n / wall, 1),
        "exit_code": proc.returncode,
        **results,
        "stderr_tail": proc.stderr[-300:] if proc.returncode not in (0, 100) else "",
    }


def _version(binary: str, env: dict[str, str]) -> str:
    try:
        return (
            subprocess.run([binary, "--version"], env=env, capture_output=True, text=True, timeout=60)
            .stdout.strip()
            .splitlines()[-1]
        )
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--promptfoo", default=shutil.which("promptfoo") or "")
    args = parser.parse_args()
    server, url = start_server(None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["AIGIS_HOME"] = tmp
            work = Path(tmp)
            print(json.dumps(run_aigis(work / "a", url, args.attempts, args.concurrency)), flush=True)
            if args.promptfoo and Path(args.promptfoo).exists():
                (work / "p").mkdir()
                print(
                    json.dumps(
                        run_promptfoo(args.promptfoo, work / "p", url, args.attempts, args.concurrency)
                    ),
                    flush=True,
                )
            else:
                print("promptfoo: not installed (pass --promptfoo PATH); see this file's docstring")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
