"""Evaluation of a guard on a labelled data set: precision, recall, F1 and false-positive rate per
category and language, latency percentiles, a confusion matrix, and a self-contained HTML report."""

from __future__ import annotations

import csv
import html
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigis.errors import InputError
from aigis.guard.guard import Guard, Verdict, detect_lang

NEGATIVE_LABELS = frozenset(
    {"", "0", "false", "no", "safe", "benign", "allow", "ok", "negative", "none", "正常", "安全"}
)


@dataclass(frozen=True)
class Record:
    """One row of a data file, or why it could not be read: ``line`` is its line in the file (its place in
    the list for a .json file). ``replaced_invalid_utf8`` says the row had bytes that are not UTF-8, read
    as U+FFFD."""

    line: int
    row: dict[str, Any] | None
    error: str | None = None
    replaced_invalid_utf8: bool = False


# Files are read with errors="surrogateescape", which keeps each invalid byte as a lone surrogate in this
# range (valid UTF-8 never decodes to one), so a row can tell whether it had any.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _repaired(text: str) -> tuple[str, bool]:
    """``text`` with its invalid bytes replaced as errors="replace" would, and whether it had any."""
    if not _ESCAPED_BYTE.search(text):
        return text, False
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), True


def _repaired_value(value: Any) -> tuple[Any, bool]:
    """``_repaired`` for every string in a parsed JSON value."""
    if isinstance(value, str):
        return _repaired(value)
    if isinstance(value, list):
        items = [_repaired_value(v) for v in value]
        return [v for v, _ in items], any(bad for _, bad in items)
    if isinstance(value, dict):
        pairs = [(_repaired(k), _repaired_value(v)) for k, v in value.items()]
        return {k: v for (k, _), (v, _) in pairs}, any(bk or bv for (_, bk), (_, bv) in pairs)
    return value, False


def _json_row(n: int, value: Any, col: str, replaced: bool) -> Record:
    """A row from a JSON value: an object, or a string that is the text; anything else is an error."""
    if isinstance(value, dict):
        return Record(n, value, replaced_invalid_utf8=replaced)
    if isinstance(value, str):
        return Record(n, {col: value}, replaced_invalid_utf8=replaced)
    return Record(
        n,
        None,
        f"the row is {kind_of(value)}; a row must be a JSON object (with a {col!r} column) or a string",
        replaced,
    )


def kind_of(value: Any) -> str:
    """What a JSON value is, for a message: 'a number (123)', 'an array (["a"])', 'null'."""
    if value is None:
        return "null"
    kinds = {bool: "a boolean", int: "a number", float: "a number", list: "an array", dict: "an object"}
    shown = json.dumps(value, ensure_ascii=False)
    return (
        f"{kinds.get(type(value), type(value).__name__)} ({shown if len(shown) <= 40 else shown[:39] + '…'})"
    )


def check_data_file(path: Path) -> None:
    if path.is_dir():
        raise InputError(
            f"data file {str(path)!r} is a directory, not a file; give JSONL, JSON, CSV/TSV or text files"
        )
    if not path.is_file():
        raise InputError(f"data file {str(path)!r} does not exist")


def records(path: Path, text_column: str | None = None) -> Iterator[Record]:
    """Rows of a JSONL, JSON (list), CSV/TSV or plain-text file (one text per line), each with its line; a
    JSONL line that is not JSON, or a row that is neither a JSON object nor a string, is a record with an
    error, and the rows after it are read on. Bytes that are not UTF-8 are read as U+FFFD and the record
    says so."""
    check_data_file(path)
    suffix = path.suffix.lower()
    col = text_column or "text"
    if suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8", errors="surrogateescape") as fh:
            for n, raw in enumerate(fh, 1):
                line, replaced = _repaired(raw)
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Record(n, None, f"not valid JSON ({exc.msg})", replaced)
                    continue
                yield _json_row(n, value, col, replaced)
    elif suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8", errors="surrogateescape"))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(data, list):
            raise InputError(f"{path}: a .json data file must hold a list of records")
        for n, item in enumerate(data, 1):
            value, replaced = _repaired_value(item)
            yield _json_row(n, value, col, replaced)
    elif suffix in (".csv", ".tsv"):
        with path.open(encoding="utf-8", errors="surrogateescape", newline="") as fh:
            bad_lines: set[int] = set()

            def lines() -> Iterator[str]:
                for n, raw in enumerate(fh, 1):
                    line, replaced = _repaired(raw)
                    if replaced:
                        bad_lines.add(n)
                    yield line

            reader = csv.DictReader(lines(), delimiter="\t" if suffix == ".tsv" else ",")
            _ = reader.fieldnames  # reads the header
            last = reader.line_num  # a quoted field can carry a row over several lines
            for row in reader:
                replaced = any(n in bad_lines for n in range(last + 1, reader.line_num + 1))
                last = reader.line_num
                yield Record(reader.line_num, row, replaced_invalid_utf8=replaced)
    else:
        with path.open(encoding="utf-8", errors="surrogateescape") as fh:
            for n, raw in enumerate(fh, 1):
                line, replaced = _repaired(raw)
                if line.strip():
                    yield Record(n, {col: line.rstrip("\n")}, replaced_invalid_utf8=replaced)


def count_lines(path: Path) -> int | None:
    """Lines in a line-based data file, to size a progress bar (None for a .json list)."""
    if path.suffix.lower() == ".json" or not path.is_file():
        return None
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) + 1


def text_of(row: dict[str, Any], column: str, where: str) -> str:
    if column not in row:
        raise InputError(
            f"{where}: no column {column!r}; columns are: {', '.join(map(str, row)) or '(none)'}"
        )
    value = row[column]
    if not isinstance(value, str):
        raise InputError(f"{where}: column {column!r} holds {kind_of(value)}; a string is expected")
    return value


def prompt_of(row: dict[str, Any], column: str | None, where: str) -> str | None:
    """The prompt a response in ``row`` answers, from ``column`` (None without one)."""
    return None if column is None else text_of(row, column, where)


def label_of(row: dict[str, Any], column: str, where: str) -> str:
    if column not in row:
        raise InputError(f"{where}: no label column {column!r}; columns are: {', '.join(map(str, row))}")
    value = row[column]
    if not isinstance(value, str | int):  # a float would name a category ('0.0' is not a negative label)
        raise InputError(
            f"{where}: label column {column!r} holds {kind_of(value)}; a string, an integer or a boolean "
            "is expected"
        )
    return str(value).strip()


def lang_of(row: dict[str, Any], column: str, where: str) -> str:
    """The language in ``column``, '' where the row has no such column."""
    value = row.get(column, "")
    if not isinstance(value, str):
        raise InputError(f"{where}: language column {column!r} holds {kind_of(value)}; a string is expected")
    return value


def check_prompt_column(prompt_column: str | None, direction: str) -> None:
    if prompt_column is not None and direction != "output":
        raise InputError(
            f"--prompt-column {prompt_column!r} is for --direction output (the prompt a response answers); "
            f"the direction is {direction!r}"
        )


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1

    def metrics(self) -> dict[str, float | int | None]:
        # a slice with no actual positives (the negatives row, a language with only benign rows) has
        # no precision to speak of: its false positives show in the FPR
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp and self.tp + self.fn else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r else None
        fpr = self.fp / (self.fp + self.tn) if self.fp + self.tn else None
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "n": self.tp + self.fp + self.fn + self.tn,
            "precision": p,
            "recall": r,
            "f1": f1,
            "fpr": fpr,
        }


@dataclass
class EvalResult:
    dataset: str
    policy: str
    direction: str
    prompt_column: str | None = None
    overall: Counts = field(default_factory=Counts)
    by_category: dict[str, Counts] = field(default_factory=dict)
    by_lang: dict[str, Counts] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)
    predicted_categories: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    replaced_invalid_utf8: int = 0

    def percentiles(self) -> dict[str, float]:
        xs = sorted(self.latencies_ms)
        if not xs:
            return {}

        def q(p: float) -> float:
            return xs[min(len(xs) - 1, int(p * len(xs)))]

        return {"p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": xs[-1], "mean": sum(xs) / len(xs)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "policy": self.policy,
            "direction": self.direction,
            "prompt_column": self.prompt_column,
            "overall": self.overall.metrics(),
            "by_category": {k: v.metrics() for k, v in sorted(self.by_category.items())},
            "by_lang": {k: v.metrics() for k, v in sorted(self.by_lang.items())},
            "latency_ms": self.percentiles(),
            "actions": dict(sorted(self.actions.items())),
            "predicted_categories": dict(sorted(self.predicted_categories.items(), key=lambda kv: -kv[1])),
            "confusion_matrix": {
                "labels": ["positive", "negative"],
                "matrix": [[self.overall.tp, self.overall.fn], [self.overall.fp, self.overall.tn]],
            },
            "examples_of_errors": self.errors[:50],
            "replaced_invalid_utf8": self.replaced_invalid_utf8,
        }


def evaluate(
    guard: Guard,
    path: Path,
    *,
    label_column: str,
    text_column: str = "text",
    lang_column: str | None = None,
    prompt_column: str | None = None,
    direction: str = "input",
    positive: str = "blocked",
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> EvalResult:
    """Run the guard over every row and compare its decision with the label. With ``prompt_column`` each
    response is checked as the answer to that row's prompt, as ``check_output(text, prompt=...)`` does."""
    if positive not in ("blocked", "flagged"):
        raise InputError(f"--positive {positive!r} is not allowed; use blocked or flagged")
    check_prompt_column(prompt_column, direction)
    result = EvalResult(path.name, guard.policy.name, direction, prompt_column)
    for n, record in enumerate(records(path, text_column), 1):
        if limit is not None and n > limit:
            break
        where = f"{path}:{record.line}"
        row = record.row
        if row is None:
            raise InputError(f"{where}: {record.error}")
        text = text_of(row, text_column, where)
        label = label_of(row, label_column, where)
        truth = label.lower() not in NEGATIVE_LABELS
        started = time.perf_counter()
        prompt = prompt_of(row, prompt_column, where)
        v: Verdict = guard.check(text, "output" if direction == "output" else "input", prompt=prompt)
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        predicted = v.blocked if positive == "blocked" else v.action != "allow"
        lang = lang_of(row, lang_column, where) if lang_column else detect_lang(text)
        result.replaced_invalid_utf8 += record.replaced_invalid_utf8
        result.overall.add(truth, predicted)
        result.by_lang.setdefault(lang or "?", Counts()).add(truth, predicted)
        category = label if truth else "(negative)"
        result.by_category.setdefault(category, Counts()).add(truth, predicted)
        result.actions[v.action] = result.actions.get(v.action, 0) + 1
        for h in v.findings:
            if h.action != "allow":
                key = f"{h.detector}/{h.category}"
                result.predicted_categories[key] = result.predicted_categories.get(key, 0) + 1
        if truth != predicted and len(result.errors) < 200:
            result.errors.append({"row": n, "label": label, "action": v.action, "text": text[:200]})
        if progress is not None:
            progress(n)
    if result.overall.metrics()["n"] == 0:
        raise InputError(f"data file {str(path)!r} has no rows")
    return result


# ---------------------------------------------------------------------------------------------------
# HTML report (self-contained: inline CSS and SVG, no scripts, no CDN)


def _fmt(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.3f}"
    return html.escape(str(x))


def _bars(title: str, items: list[tuple[str, float]], color: str = "#2f6fdf") -> str:
    width, row_h, label_w = 640, 22, 220
    h = row_h * max(1, len(items)) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h}" role="img" '
        f'aria-label="{html.escape(title)}">',
        f'<text x="0" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(items):
        y = 24 + i * row_h
        w = max(0.0, min(1.0, value)) * (width - label_w - 60)
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label[:32])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" font-size="12">{value:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(title: str, rows: dict[str, dict[str, Any]]) -> str:
    heads = ["", "n", "TP", "FP", "FN", "TN", "precision 精确率", "recall 召回率", "F1", "FPR 误报率"]
    out = [f"<h2>{html.escape(title)}</h2><table><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>"]
    for name, m in rows.items():
        cells = [
            name,
            m["n"],
            m["tp"],
            m["fp"],
            m["fn"],
            m["tn"],
            m["precision"],
            m["recall"],
            m["f1"],
            m["fpr"],
        ]
        out.append("<tr>" + "".join(f"<td>{_fmt(c)}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def to_html(result: EvalResult) -> str:
    d = result.to_dict()
    o = d["overall"]
    lat = d["latency_ms"]
    recall_items = [(k, float(v["recall"])) for k, v in d["by_category"].items() if v["recall"] is not None]
    fpr_items = [(k, float(v["fpr"])) for k, v in d["by_lang"].items() if v["fpr"] is not None]
    lat_items = [(k, float(v)) for k, v in lat.items()]
    lat_max = max((v for _, v in lat_items), default=1.0) or 1.0
    cm = d["confusion_matrix"]["matrix"]
    body = [
        f"<h1>Guard evaluation 护栏评测 — {html.escape(result.dataset)}</h1>",
        f"<p>policy 策略: <b>{html.escape(result.policy)}</b> · "
        f"direction 方向: {html.escape(result.direction)} · "
        + (f"prompt column 提示词列: {html.escape(result.prompt_column)} · " if result.prompt_column else "")
        + f"rows 样本数: {o['n']}</p>",
        "<h2>Overall 总体</h2><table><tr><th>precision 精确率</th><th>recall 召回率</th><th>F1</th>"
        f"<th>FPR 误报率</th></tr><tr><td>{_fmt(o['precision'])}</td><td>{_fmt(o['recall'])}</td>"
        f"<td>{_fmt(o['f1'])}</td><td>{_fmt(o['fpr'])}</td></tr></table>",
        "<h2>Confusion matrix 混淆矩阵</h2><table><tr><th></th><th>predicted positive 判为阳性</th>"
        f"<th>predicted negative 判为阴性</th></tr><tr><th>actual positive 实际阳性</th><td>{cm[0][0]}</td>"
        f"<td>{cm[0][1]}</td></tr><tr><th>actual negative 实际阴性</th><td>{cm[1][0]}</td>"
        f"<td>{cm[1][1]}</td></tr>"
        "</table>",
        _bars("Recall by category 各类别召回率", recall_items),
        _bars("False-positive rate by language 各语言误报率", fpr_items, "#d9534f"),
        _bars(
            f"Latency 延迟 (ms, scaled to {lat_max:.2f})", [(k, v / lat_max) for k, v in lat_items], "#5cb85c"
        ),
        "<p>" + " · ".join(f"{k}: {v:.3f} ms" for k, v in lat_items) + "</p>",
        _table("By category 按类别", d["by_category"]),
        _table("By language 按语言", d["by_lang"]),
        "<h2>Errors 错误样例</h2><table><tr><th>row</th><th>label</th><th>action</th><th>text</th></tr>"
        + "".join(
            f"<tr><td>{e['row']}</td><td>{_fmt(e['label'])}</td><td>{_fmt(e['action'])}</td>"
            f"<td>{_fmt(e['text'])}</td></tr>"
            for e in d["examples_of_errors"]
        )
        + "</table>",
    ]
    css = (
        "body{font-family:system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;margin:2em;max-width:1000px}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;"
        "text-align:left;font-size:13px}svg{display:block;margin:1em 0}"
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>aigis guard eval</title>'
        f"<style>{css}</style></head><body>" + "".join(body) + "</body></html>"
    )
