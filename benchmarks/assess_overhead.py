"""Assessment harness benchmarks.

1. Overhead: N attempts (default 10,000) against a local instant OpenAI-compatible endpoint (a separate
   process), with the default scorers and every attempt stored in SQLite (in batches of at most a
   quarter second; see aigis.assess.runner).
2. Resume after kill -9: a run in a subprocess is killed with SIGKILL part-way, then resumed; the
   endpoint's request log shows whether any finished attempt was sent again.
3. Scorer agreement: accuracy and Cohen's kappa of each offline scorer on its labeled zh/en sets.

    .venv/bin/python benchmarks/assess_overhead.py [--attempts 10000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(log: Path | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "aigis.assess.testing", "--port", str(port)]
    if log:
        cmd += ["--log", str(log)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    url = proc.stdout.readline().decode().strip()
    return proc, url


def write_suite(directory: Path, n: int) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "bench.jsonl", "w", encoding="utf-8") as fh:
        for i in range(n):
            lang = "zh" if i % 2 else "en"
            item = {
                "id": f"b{i}",
                "lang": lang,
                "set": "should_refuse" if i % 3 else "should_not_refuse",
                "categories": [f"TC260-A.{1 + i % 5}.1"],
                "prompt": f"benchmark question {i}",
                "expected": "refuse" if i % 3 else "answer",
            }
            fh.write(json.dumps(item) + "\n")
    (directory / "bench.yaml").write_text("id: bench\nversion: '1'\nfiles: [bench.jsonl]\n", encoding="utf-8")
    return str(directory / "bench.yaml")


def overhead(workdir: Path, attempts: int, concurrency: int) -> dict[str, float]:
    from aigis.assess.runner import RunConfig, create_run, execute
    from aigis.store import Database

    server, url = start_server(None)
    try:
        db = Database(f"sqlite:///{workdir / 'overhead.db'}")
        db.upgrade()
        suite = write_suite(workdir / "suite", attempts)
        config = RunConfig(
            suite=suite,
            target={"kind": "openai", "base_url": url, "model": "instant"},
            attacks=["none"],
            limits={"concurrency": concurrency, "timeout": 30.0},
        )
        run_id = create_run(db, config)
        started = time.perf_counter()
        asyncio.run(execute(db, run_id))
        elapsed = time.perf_counter() - started
        from aigis.store import assess as store

        with db.session() as session:
            counts = store.attempt_counts(session, run_id)
        return {
            "attempts": attempts,
            "seconds": round(elapsed, 1),
            "per_second": round(attempts / elapsed, 1),
            "stored_ok": counts.get("ok", 0),
            "stored_error": counts.get("error", 0),
        }
    finally:
        server.terminate()
        server.wait()


def resume_after_kill(workdir: Path, attempts: int, concurrency: int) -> dict[str, int]:
    from aigis.assess.runner import RunConfig, create_run, resume_sync
    from aigis.store import Database
    from aigis.store import assess as store

    log = workdir / "requests.log"
    server, url = start_server(log)
    try:
        db = Database(f"sqlite:///{workdir / 'resume.db'}")
        db.upgrade()
        suite = write_suite(workdir / "suite2", attempts)
        config = RunConfig(
            suite=suite,
            target={"kind": "openai", "base_url": url, "model": "slow", "stream": True},
            attacks=["none"],
            limits={"concurrency": concurrency, "timeout": 30.0},
        )
        run_id = create_run(db, config)
        code = (
            "import sys; from aigis.store import Database; from aigis.assess.runner import resume_sync; "
            "resume_sync(Database(sys.argv[1]), sys.argv[2])"
        )
        proc = subprocess.Popen([sys.executable, "-c", code, db.url, run_id])
        while True:
            time.sleep(0.2)
            with db.session() as session:
                if len(store.finished_keys(session, run_id)) >= attempts // 3:
                    break
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with db.session() as session:
            before = {a["key"]: a for a in store.load_attempts(session, run_id) if a["status"] == "ok"}
        resume_sync(db, run_id)
        with db.session() as session:
            after = store.load_attempts(session, run_id)
        sent = Counter(json.loads(line)["user"] for line in log.read_text(encoding="utf-8").splitlines())
        repeated = sum(1 for a in before.values() if sent[a["messages"][-2]["content"]] > 1)
        return {
            "planned": attempts,
            "finished_before_kill": len(before),
            "stored_after_resume": len(after),
            "finished_attempts_sent_again": repeated,
        }
    finally:
        server.terminate()
        server.wait()


def agreement() -> list[dict[str, object]]:
    from aigis.assess.calibrate import calibrate
    from aigis.assess.scorers import scorer_class, scorer_names

    rows = []
    for name in scorer_names():
        if not scorer_class(name).offline:
            continue
        result = calibrate(name)
        for lang in ("all", "zh", "en"):
            if lang in result:
                r = result[lang]
                rows.append(
                    {
                        "scorer": name,
                        "lang": lang,
                        "n": r["n"],
                        "accuracy": r["accuracy"],
                        "kappa": r["kappa"],
                    }
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--resume-attempts", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["AIGIS_HOME"] = tmp
        work = Path(tmp)
        print("overhead:", json.dumps(overhead(work, args.attempts, args.concurrency)), flush=True)
        print(
            "resume after kill -9:", json.dumps(resume_after_kill(work, args.resume_attempts, 8)), flush=True
        )
        for row in agreement():
            acc = "—" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
            kappa = "—" if row["kappa"] is None else f"{row['kappa']:.3f}"
            print(f"agreement: {row['scorer']:8} {row['lang']:3} n={row['n']:3} accuracy={acc} kappa={kappa}")


if __name__ == "__main__":
    main()
