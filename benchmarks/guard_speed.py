"""Guard speed: every built-in detector on a 1 KiB mixed zh/en prompt (one core, p50/p99, with the
garbage collector as usual and with ``gc.freeze()`` + GC off during the timed loop), scanning
throughput for PII + keyword matching (the PII detector and the Aho-Corasick keyword library, what
the target names) and, reported separately, for the full content detectors (keywords + classifiers),
1 MB adversarial inputs (linear time), 10 MB input, 1 MB and 10 MB of Chinese prose, streaming delay;
and, apart, the semantic policy (``docs/examples/semantic-policy.yaml``, needs the ``aigis[embed]`` extra) on
short held-out messages of our own (``--semantic-short``).

    taskset -c 0 .venv/bin/python benchmarks/guard_speed.py [--runs 2000]
        [--quick | --chinese-prose | --streaming | --semantic-short]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from aigis.guard import Guard
from aigis.guard.detectors import ScanContext, detector_class, detector_names
from aigis.guard.lexicon import default_lexicon
from aigis.guard.normalize import normalize
from aigis.guard.training import agieval_passages, default_data_dir
from aigis.guard.window_training import drcd_paragraphs

PROMPT_PARTS = [
    "请帮我总结一下这份季度报告的要点，重点关注营收增长和成本控制。",
    "Please summarize the key points of this quarterly report, focusing on revenue growth and cost control. ",
    "我们团队下周要和客户开会，需要准备一份中英文对照的演示材料。",
    "The meeting is scheduled for Tuesday afternoon; send the draft to the project channel before noon. ",
    "另外，帮我检查一下第三部分的数据是否和附件里的表格一致，如果不一致请标注出来。",
]
# extra lines for the throughput corpus: keywords that must be matched (and a few PII values)
THROUGHPUT_EXTRA = (
    "How do I kill a Python process that hangs? 杀毒软件推荐一下。The history of terrorism in Europe "
    "is the topic of my essay. 联系电话13812345678，邮箱 test@example.com。"
)


def prompt_1k() -> str:
    text = ""
    i = 0
    while len(text.encode("utf-8")) < 1024:
        text += PROMPT_PARTS[i % len(PROMPT_PARTS)]
        i += 1
    data = text.encode("utf-8")[:1024]
    return data.decode("utf-8", errors="ignore")


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def timed(fn: Any, runs: int, *, no_gc: bool = False) -> dict[str, float]:
    """Wall-clock p50/p99/max of ``runs`` calls, and the thread's CPU time per call.

    ``no_gc`` freezes the heap and turns the collector off for the timed loop (what a server does
    with ``gc.freeze()`` after start-up), so GC pauses are excluded."""
    for _ in range(min(50, runs)):
        fn()
    if no_gc:
        gc.collect()
        gc.freeze()
        gc.disable()
    xs, cpu = [], []
    try:
        for _ in range(runs):
            c0 = time.thread_time()
            t0 = time.perf_counter()
            fn()
            xs.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
    finally:
        if no_gc:
            gc.enable()
            gc.unfreeze()
    return {
        "p50_ms": round(pct(xs, 0.5), 4),
        "p99_ms": round(pct(xs, 0.99), 4),
        "max_ms": round(max(xs), 4),
        "mean_ms": round(statistics.fmean(xs), 4),
        # CPU time of this thread: leaves out the time the shared core spent on other processes
        "cpu_p50_ms": round(pct(cpu, 0.5), 4),
        "cpu_p99_ms": round(pct(cpu, 0.99), 4),
    }


def throughput(fn: Any, corpus: str, repeat: int = 3) -> float:
    """MB/s of ``fn(corpus)``, best of ``repeat`` runs (the shared machine's load only slows runs)."""
    mb = len(corpus.encode("utf-8")) / 1e6
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(corpus)
        best = min(best, time.perf_counter() - t0)
    return round(mb / best, 2)


def chinese_prose(data_dir: Path) -> str:
    """DRCD's paragraphs (Wikipedia, traditional characters) and AGIEval's gaokao reading passages, about
    a million characters of Chinese prose without repeats."""
    paragraphs = drcd_paragraphs(data_dir, ("DRCD_dev.json", "DRCD_test.json"))
    return "\n".join(paragraphs + agieval_passages(data_dir, ("gaokao-chinese",)))


def chinese_prose_timings(guard: Guard) -> dict[str, Any]:
    """``check_input`` on one input of Chinese prose: 1 MB without repeats, and 10 MB (the same, repeated)."""
    data_dir = default_data_dir()
    if not (data_dir / "drcd").is_dir():
        return {"skipped": f"no shared data in {data_dir}"}
    prose = chinese_prose(data_dir)
    out: dict[str, Any] = {}
    for label, size in (("1mb", 1_000_000), ("10mb", 10_000_000)):
        text = (prose * (size // len(prose) + 1))[:size]
        t0 = time.perf_counter()
        v = guard.check_input(text)
        out[label] = {"chars": len(text), "seconds": round(time.perf_counter() - t0, 2), "action": v.action}
    return out


SHORT_SETS = (
    "format_injections_en.txt",
    "format_instructions_zh.txt",
    "own_details_zh.txt",
    "everyday_en.txt",
    "chat_zh.txt",
)
SEMANTIC_POLICY = Path(__file__).resolve().parents[1] / "docs" / "examples" / "semantic-policy.yaml"


def semantic_short_timings(per_set: int = 80) -> dict[str, Any]:
    """``check_input`` of the semantic policy on the first ``per_set`` held-out ("eval") lines of each of
    ``SHORT_SETS``, each message once, after 50 warm-up checks of other texts (p50 / p90 / p99, ms)."""
    from aigis.guard.training import _own

    guard = Guard.from_policy(SEMANTIC_POLICY)
    texts = [t for name in SHORT_SETS for t in _own(name, "eval")[:per_set]]
    for t in texts[:50]:
        guard.check_input(t + " (warm-up)")
    ms = []
    for t in texts:
        t0 = time.perf_counter()
        guard.check_input(t)
        ms.append((time.perf_counter() - t0) * 1000)
    return {"messages": len(ms), **{f"p{q}_ms": round(pct(ms, q / 100), 2) for q in (50, 90, 99)}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--quick", action="store_true", help="skip the adversarial, 10 MB and streaming parts")
    ap.add_argument("--chinese-prose", action="store_true", help="only the 1 MB and 10 MB of Chinese prose")
    ap.add_argument("--streaming", action="store_true", help="only the streaming delay")
    ap.add_argument("--semantic-short", action="store_true", help="the semantic policy on short messages")
    args = ap.parse_args()
    if args.semantic_short:
        print(json.dumps({"semantic_short": semantic_short_timings()}, indent=2))
        return
    if args.streaming:
        print(json.dumps({"streaming": streaming_timings(Guard.default())}, indent=2))
        return
    if args.chinese_prose:
        print(json.dumps({"chinese_prose": chinese_prose_timings(Guard.default())}, indent=2))
        return
    text = prompt_1k()
    report: dict[str, Any] = {
        "prompt_bytes": len(text.encode("utf-8")),
        "prompt_chars": len(text),
        "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "detectors": detector_names(),
    }
    guard = Guard.default()
    report["guard_default_detectors"] = list(guard.detectors)
    for no_gc, key in ((False, "gc_on"), (True, "gc_frozen_off")):
        report[f"check_input_1k_{key}"] = timed(lambda: guard.check_input(text), args.runs, no_gc=no_gc)
        report[f"check_output_1k_{key}"] = timed(
            lambda: guard.check_output(text, prompt="总结"), args.runs, no_gc=no_gc
        )
    # the same text as a retrieved document: the document-request model reads it piece by piece too
    report["check_input_1k_as_document"] = timed(
        lambda: guard.check_input(text, source="document"), args.runs
    )
    report["normalize_1k"] = timed(lambda: normalize(text), args.runs)
    ctx = ScanContext()
    per: dict[str, Any] = {}
    for name in guard.detectors:
        det = guard.detectors[name]
        per[name] = timed(lambda d=det: d.scan(text, ctx), args.runs)
    report["per_detector_1k"] = per

    # throughput over 2 MB of mixed text (the 1 KiB prompt's sentences plus some keyword-bearing lines)
    corpus = (text + "\n" + THROUGHPUT_EXTRA + "\n") * 1500
    mb = len(corpus.encode("utf-8")) / 1e6
    pii = detector_class("pii")()
    lexicon = default_lexicon()

    def pii_keywords(t: str) -> None:  # what the target names: PII detector + keyword library matching
        pii.scan(t, ctx)
        lexicon.find(t)

    harmful = detector_class("harmful")()
    injection = detector_class("injection")()

    def content(t: str) -> None:  # PII + both content detectors (keywords, cue phrases, classifiers)
        pii.scan(t, ctx)
        harmful.scan(t, ctx)
        injection.scan(t, ctx)

    pii_keywords(text), content(text)
    report["throughput_mb"] = round(mb, 2)
    report["throughput_mb_per_s"] = {
        "pii_plus_keywords": throughput(pii_keywords, corpus),
        "pii_only": throughput(lambda t: pii.scan(t, ctx), corpus),
        "keywords_only": throughput(lexicon.find, corpus),
        "harmful_full": throughput(lambda t: harmful.scan(t, ctx), corpus),
        "injection_full": throughput(lambda t: injection.scan(t, ctx), corpus),
        "pii_plus_harmful_plus_injection": throughput(content, corpus),
        "guard_check_input_all_detectors": throughput(guard.check_input, corpus, repeat=1),
    }
    if args.quick:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return

    # adversarial megabytes: time must grow linearly
    adversarial = {
        "a": "a",
        "a.": "a.",
        "炸 ": "炸 ",
        "digits": "1",
        "A1": "A1",
        "%41": "%41",
        "zwsp": "\u200b",
        "a@": "a@",
        "0-": "0-",
        "password=": "password=",
        "路1号": "路1号",
        "aGk=": "aGk=",
        "ghp_": "ghp_",
        "姓名": "姓名张",
        "phone。": "电话13800138000。",
    }
    adv: dict[str, Any] = {}
    for name, unit in adversarial.items():
        small = unit * (100_000 // len(unit))
        big = unit * (1_000_000 // len(unit))
        t0 = time.perf_counter()
        guard.check_input(small)
        t1 = time.perf_counter()
        guard.check_input(big)
        t2 = time.perf_counter()
        adv[name] = {
            "100k_s": round(t1 - t0, 3),
            "1m_s": round(t2 - t1, 3),
            "ratio": round((t2 - t1) / (t1 - t0), 1),
        }
    report["adversarial_1mb"] = adv
    # a megabyte of short sentences as a document: one piece per sentence for the document-request model
    unit = "The shipment left the warehouse on Monday. 货物周一已从仓库发出。"
    times = []
    for size in (100_000, 1_000_000):
        doc = unit * (size // len(unit))
        t0 = time.perf_counter()
        guard.check_input(doc, source="document")
        times.append(time.perf_counter() - t0)
    report["document_1mb"] = {
        "100k_s": round(times[0], 3),
        "1m_s": round(times[1], 3),
        "ratio": round(times[1] / times[0], 1),
    }
    big = (text * 10_000)[:10_000_000]
    t0 = time.perf_counter()
    v = guard.check_input(big)
    report["input_10mb"] = {"seconds": round(time.perf_counter() - t0, 2), "action": v.action}
    report["chinese_prose"] = chinese_prose_timings(guard)

    report["streaming"] = streaming_timings(guard)
    print(json.dumps(report, ensure_ascii=False, indent=2))


def streaming_timings(guard: Guard) -> dict[str, float]:
    """Streaming: the added delay per released piece, and characters held back, for a 1,880-character
    zh/en answer in 4-character chunks; and the time to stream answers of 50,000 and 200,000 characters."""
    response = "这是模型的回答，包含多个句子。The answer continues in English. " * 40
    chunks = [response[i : i + 4] for i in range(0, len(response), 4)]
    stream = guard.stream_output(chunks)
    t0 = time.perf_counter()
    pieces = list(stream)
    total = time.perf_counter() - t0
    st = stream.stats
    # a long answer: time must grow with its length, not faster
    long_seconds = {}
    for size in (50_000, 200_000):
        answer = ("这是一句普通的回答。It goes on in English. " * (size // 30 + 1))[:size]
        long_chunks = [answer[i : i + 4] for i in range(0, len(answer), 4)]
        t0 = time.perf_counter()
        for _ in guard.stream_output(long_chunks):
            pass
        long_seconds[size] = time.perf_counter() - t0
    return {
        "long_answer_50k_s": round(long_seconds[50_000], 2),
        "long_answer_200k_s": round(long_seconds[200_000], 2),
        "long_answer_ratio_4x": round(long_seconds[200_000] / long_seconds[50_000], 2),
        "chunks": st.chunks,
        "releases": st.releases,
        "checks": len(st.check_ms),
        "pieces": len(pieces),
        "max_held_chars": st.max_held_chars,
        "check_ms_p50": round(pct(st.check_ms, 0.5), 4),
        "check_ms_p99": round(pct(st.check_ms, 0.99), 4),
        "total_ms": round(total * 1000, 2),
        "max_hold_setting": guard.policy.streaming.max_hold,
    }


if __name__ == "__main__":
    main()
