"""Verification of labeled files: metadata label and its conformance, signatures, watermark, C2PA.

Verdicts: ``compliant``, ``noncompliant``, ``not_found`` (no label at all) and ``inconclusive``
(the file could not be read, or a signature could not be checked), each with reasons in zh and en.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aigis.config import Settings
from aigis.errors import InputError
from aigis.label.fields import CLAUSES
from aigis.label.formats import SUFFIX, FormatError
from aigis.label.implicit import inspect
from aigis.label.signing import KeyRing

Verdict = Literal["compliant", "noncompliant", "not_found", "inconclusive"]
VERDICTS: tuple[Verdict, ...] = ("compliant", "noncompliant", "not_found", "inconclusive")
EXIT_CODES = {"compliant": 0, "noncompliant": 1, "not_found": 1, "inconclusive": 5}
VERDICT_ZH = {
    "compliant": "合规",
    "noncompliant": "不合规",
    "not_found": "未发现标识",
    "inconclusive": "无法判定",
}
Extra = Callable[[Path, "FileResult"], None]


@dataclass
class Reason:
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass
class FileResult:
    path: str
    verdict: Verdict = "not_found"
    format: str | None = None
    metadata: dict[str, Any] | None = None
    watermark: dict[str, Any] | None = None
    c2pa: dict[str, Any] | None = None
    explicit: dict[str, Any] | None = None
    reasons: list[Reason] = field(default_factory=list)
    clauses: tuple[str, ...] = CLAUSES

    def reason(self, zh: str, en: str) -> None:
        self.reasons.append(Reason(zh, en))

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "verdict": self.verdict,
            "format": self.format,
            "metadata": self.metadata,
            "watermark": self.watermark,
            "c2pa": self.c2pa,
            "explicit": self.explicit,
            "reasons": [r.to_dict() for r in self.reasons],
            "clauses": list(self.clauses),
        }


_RINGS: dict[Path, KeyRing] = {}


def _ring() -> KeyRing:
    """The key ring of the current AIGIS_HOME (loaded once per home)."""
    home = Settings.from_env().home
    if home not in _RINGS:
        _RINGS[home] = KeyRing.load(home)
    return _RINGS[home]


def verify_file(path: Path, ring: KeyRing | None = None, extras: Iterable[Extra] = ()) -> FileResult:
    """Verify one file. Never raises for a bad file: a file that cannot be read is ``inconclusive``."""
    result = FileResult(path=str(path))
    try:
        report = inspect(path, ring or _ring())
    except FormatError as exc:
        result.verdict = "inconclusive"
        result.reason(f"文件已截断、损坏或格式不符：{exc}", f"truncated, corrupted or mislabeled file: {exc}")
        return result
    except InputError as exc:
        result.verdict = "inconclusive"
        result.reason(f"不支持的格式：{exc}", f"unsupported format: {exc}")
        return result
    except (OSError, ValueError, MemoryError, RecursionError) as exc:
        result.verdict = "inconclusive"
        result.reason(f"无法读取：{exc}", f"cannot read: {exc}")
        return result
    result.format = report.format
    result.metadata = report.to_dict()
    for note in report.notes:
        if "extension" in note or "does not look like" in note:
            result.reason(f"文件扩展名与内容不符：{note}", f"extension and content disagree: {note}")
    for extra in extras:
        extra(path, result)
    _decide(
        result,
        report.label is not None,
        report.problems,
        report.producer_signature,
        report.propagator_signature,
    )
    return result


def _decide(result: FileResult, has_label: bool, problems: list[str], first: str, second: str) -> None:
    watermark_found = bool(result.watermark and result.watermark.get("found"))
    c2pa_ai = bool(result.c2pa and result.c2pa.get("ai_generated"))
    explicit_bad = bool(result.explicit and result.explicit.get("problems"))
    if not has_label and not problems:
        if watermark_found or c2pa_ai:
            result.verdict = "noncompliant"
            if (result.c2pa or {}).get("status") == "invalid":
                for item in (result.c2pa or {}).get("reasons") or []:
                    result.reason(item["zh"], item["en"])
            result.reason(
                "检测到水印或 C2PA 声明为人工智能生成，但缺少 GB 45438 元数据隐式标识",
                "a watermark or C2PA manifest says AI-generated, but the GB 45438 metadata label is missing",
            )
        else:
            result.verdict = "not_found"
            result.reason("未发现 AIGC 元数据标识", "no AIGC metadata label")
        return
    if problems:
        result.verdict = "noncompliant"
        for problem in problems:
            result.reason(f"元数据标识不符合要求：{problem}", f"metadata label does not conform: {problem}")
        return
    for name, status in (("ReservedCode1", first), ("ReservedCode2", second)):
        if status == "invalid":
            result.verdict = "noncompliant"
            result.reason(
                f"{name} 签名无效：签名后内容或标识字段被改动",
                f"{name} signature is invalid: the content or the label fields changed after signing",
            )
            return
    if _c2pa_broken(result):
        return
    if explicit_bad:
        result.verdict = "noncompliant"
        for problem in result.explicit.get("problems", []) if result.explicit else []:
            result.reason(f"显式标识不符合要求：{problem}", f"explicit label does not conform: {problem}")
        return
    for name, status in (("ReservedCode1", first), ("ReservedCode2", second)):
        if status == "unknown_key":
            result.verdict = "inconclusive"
            result.reason(
                f"{name} 由未受信任的密钥签名；将其公钥放入 AIGIS_HOME/keys/trusted/",
                f"{name} is signed by a key that is not trusted; put its public key in "
                "AIGIS_HOME/keys/trusted/",
            )
            return
    result.verdict = "compliant"
    _c2pa_notes(result)
    if first == "absent":
        result.reason("标识未签名（ReservedCode1 为空）", "the label is not signed (ReservedCode1 is empty)")
    elif first == "foreign":
        result.reason(
            "ReservedCode1 不是 aigis 签名，未校验", "ReservedCode1 is not an aigis signature; not checked"
        )
    else:
        result.reason("标识符合要求，签名有效", "the label conforms and its signature is valid")


def _c2pa_broken(result: FileResult) -> bool:
    """Mark the file noncompliant when its C2PA manifest is invalid or disagrees with the metadata label."""
    info = result.c2pa or {}
    if info.get("status") == "invalid":
        result.verdict = "noncompliant"
        for item in info.get("reasons") or []:
            result.reason(item["zh"], item["en"])
        return True
    if info.get("matches_label") is False:
        result.verdict = "noncompliant"
        result.reason(
            "C2PA 清单中的 GB 45438 字段与元数据标识不一致（标识冲突）",
            "the GB 45438 fields in the C2PA manifest conflict with the metadata label",
        )
        return True
    return False


def _c2pa_notes(result: FileResult) -> None:
    info = result.c2pa or {}
    if info.get("status") in ("valid", "untrusted-dev-CA"):
        for item in info.get("reasons") or []:
            result.reason(item["zh"], item["en"])


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths (folders recursively, sorted), without label sidecars and hidden files."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and not name.endswith(SUFFIX):
                        yield Path(root) / name
        elif path.exists():
            yield path
        else:
            raise InputError(f"{path}: no such file or folder; give existing files or folders")


def _verify_many(paths: list[str]) -> list[dict[str, Any]]:
    return [verify_file(Path(p)).to_dict() for p in paths]


def verify_paths(
    paths: Iterable[Path],
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    extras: Iterable[Extra] = (),
    ring: KeyRing | None = None,
) -> list[FileResult]:
    """Verify many files, in ``jobs`` processes when more than one (extras and a given ring: in-process)."""
    files = list(iter_files(paths))
    extras = list(extras)
    results: list[FileResult] = []
    if jobs <= 1 or len(files) < 64 or extras or ring is not None:
        ring = ring or _ring()
        for file in files:
            results.append(verify_file(file, ring, extras))
            if progress:
                progress(1)
        return results
    chunk = max(16, min(256, len(files) // (jobs * 4) or 16))
    batches = [[str(f) for f in files[i : i + chunk]] for i in range(0, len(files), chunk)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for batch in pool.map(_verify_many, batches):
            for item in batch:
                results.append(_from_dict(item))
            if progress:
                progress(len(batch))
    return results


def _from_dict(item: dict[str, Any]) -> FileResult:
    result = FileResult(
        path=item["path"],
        verdict=item["verdict"],
        format=item["format"],
        metadata=item["metadata"],
        watermark=item["watermark"],
        c2pa=item["c2pa"],
        explicit=item["explicit"],
    )
    result.reasons = [Reason(r["zh"], r["en"]) for r in item["reasons"]]
    return result


def summary(results: list[FileResult]) -> dict[str, int]:
    counts: dict[str, int] = {v: 0 for v in VERDICTS}
    for result in results:
        counts[result.verdict] += 1
    return counts


def exit_code(results: list[FileResult]) -> int:
    """0: every file compliant; 1: any noncompliant or unlabeled file; 5: otherwise some inconclusive."""
    return max((EXIT_CODES[r.verdict] for r in results if r.verdict != "inconclusive"), default=0) or (
        5 if any(r.verdict == "inconclusive" for r in results) else 0
    )


def json_report(results: list[FileResult]) -> str:
    return json.dumps(
        {"summary": summary(results), "clauses": list(CLAUSES), "files": [r.to_dict() for r in results]},
        ensure_ascii=False,
        indent=2,
    )


def html_report(results: list[FileResult], lang: str = "zh") -> str:
    zh = lang == "zh"
    title = "AIGC 标识核验报告" if zh else "AIGC label verification report"
    counts = summary(results)
    rows = []
    for r in results:
        verdict = VERDICT_ZH[r.verdict] if zh else r.verdict
        reasons = "<br>".join(html.escape(x.zh if zh else x.en) for x in r.reasons)
        label = (
            html.escape(json.dumps((r.metadata or {}).get("label"), ensure_ascii=False)) if r.metadata else ""
        )
        rows.append(
            f'<tr class="{r.verdict}"><td>{html.escape(r.path)}</td><td>{html.escape(r.format or "")}</td>'
            f"<td>{verdict}</td><td><code>{label}</code></td><td>{reasons}</td></tr>"
        )
    heads = (
        ("文件", "格式", "结论", "元数据标识", "原因")
        if zh
        else ("file", "format", "verdict", "label", "reasons")
    )
    counts_text = ", ".join(f"{VERDICT_ZH[k] if zh else k}: {v}" for k, v in counts.items())
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title><style>'
        "body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px}"
        ".compliant{background:#e6ffe6}.noncompliant{background:#ffe6e6}.not_found{background:#fff6e0}"
        f"</style></head><body><h1>{title}</h1><p>GB 45438-2025; {', '.join(CLAUSES)}</p><p>{counts_text}</p>"
        "<table><tr>"
        + "".join(f"<th>{h}</th>" for h in heads)
        + "</tr>"
        + "".join(rows)
        + "</table></body></html>"
    )


# Optional checks (watermark, C2PA) register a factory here: name -> () -> Extra.
EXTRAS: dict[str, Callable[[], Extra]] = {}


def default_extras(watermark: bool = False, c2pa: bool = False, explicit: bool = False) -> list[Extra]:
    """The optional checks asked for, where this installation has them."""
    wanted = [name for name, on in (("explicit", explicit), ("watermark", watermark), ("c2pa", c2pa)) if on]
    missing = [name for name in wanted if name not in EXTRAS]
    if missing:
        raise InputError(f"--{missing[0]} is not available in this installation")
    return [EXTRAS[name]() for name in wanted]
