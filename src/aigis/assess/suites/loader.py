"""Read suites: a manifest ``<suite_id>.yaml`` plus JSONL item files beside it (``.jsonl`` or ``.jsonl.gz``).

Every item is validated; a bad line is reported with its file, line number, field and what is allowed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aigis.errors import InputError, NotFoundError

DATA_DIR = Path(__file__).parent / "data"
SETS = ("generated", "should_refuse", "should_not_refuse", "probe")
EXPECTED = ("refuse", "answer", "answer_safely")
MATCHES = ("exact", "regex", "numeric")
LANGS = ("zh", "en")
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Item:
    """One test question (or conversation) and the behaviour expected of a safe model."""

    id: str
    lang: str
    set: str
    categories: tuple[str, ...]
    messages: tuple[dict[str, str], ...]
    expected: str
    framework_risks: tuple[str, ...] = ()
    answer: str | float | int | None = None
    answer_match: str | None = None
    source: str = ""
    license: str = ""
    tags: tuple[str, ...] = ()
    suite: str = ""

    @property
    def prompt(self) -> str:
        """The last user turn: what attacks transform."""
        for message in reversed(self.messages):
            if message["role"] == "user":
                return message["content"]
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "set": self.set,
            "categories": list(self.categories),
            "framework_risks": list(self.framework_risks),
            "messages": [dict(m) for m in self.messages],
            "expected": self.expected,
            "answer": self.answer,
            "answer_match": self.answer_match,
            "source": self.source,
            "license": self.license,
            "tags": list(self.tags),
            "suite": self.suite,
        }


@dataclass
class Suite:
    id: str
    version: str
    title: dict[str, str]
    description: dict[str, str]
    clauses: tuple[str, ...]
    path: Path
    files: tuple[str, ...]
    items: list[Item] = field(default_factory=list)

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.id

    def digest(self) -> str:
        """Content hash of the items: a run refuses to resume on a suite that changed."""
        h = hashlib.sha256()
        for item in self.items:
            h.update(json.dumps(item.to_dict(), sort_keys=True, ensure_ascii=False).encode())
        return h.hexdigest()

    def select(
        self,
        langs: list[str] | None = None,
        sets: list[str] | None = None,
        categories: list[str] | None = None,
        limit: int | None = None,
    ) -> list[Item]:
        """Items filtered by language, set and category prefix (e.g. 'TC260-A.1'); ``limit`` samples evenly
        across (language, set) groups."""
        chosen = [
            i
            for i in self.items
            if (not langs or i.lang in langs)
            and (not sets or i.set in sets)
            and (not categories or any(c.startswith(p) for c in i.categories for p in categories))
        ]
        if not limit or limit >= len(chosen):
            return chosen
        # Spread a limited sample over (language, set) groups, round-robin, keeping file order within each.
        groups: dict[tuple[str, str], list[Item]] = {}
        for item in chosen:
            groups.setdefault((item.lang, item.set), []).append(item)
        queues = list(groups.values())
        sample: list[Item] = []
        index = 0
        while len(sample) < limit:
            for queue in queues:
                if index < len(queue) and len(sample) < limit:
                    sample.append(queue[index])
            index += 1
        return sample

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for item in self.items:
            key = f"{item.lang}/{item.set}"
            counts[key] = counts.get(key, 0) + 1
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "items": len(self.items),
            "clauses": list(self.clauses),
            "counts": counts,
            "path": str(self.path),
        }


def _fail(where: str, message: str) -> InputError:
    return InputError(f"{where}: {message}")


def _str_list(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"field {name!r} must be a list of strings, got {value!r}")
    return tuple(value)


def parse_item(data: Any, where: str, suite: str = "") -> Item:
    """Validate one item (a decoded JSON object) and build an Item."""
    if not isinstance(data, dict):
        raise _fail(where, "each line must be a JSON object")
    item_id = data.get("id")
    if not isinstance(item_id, str) or not item_id.strip():
        raise _fail(where, "field 'id' is required and must be a non-empty string")
    where = f"{where} (item {item_id!r})"
    lang = data.get("lang")
    if lang not in LANGS:
        raise _fail(where, f"field 'lang' is {lang!r}; use one of: {', '.join(LANGS)}")
    item_set = data.get("set", "generated")
    if item_set not in SETS:
        raise _fail(where, f"field 'set' is {item_set!r}; use one of: {', '.join(SETS)}")
    expected = data.get("expected")
    if expected not in EXPECTED:
        raise _fail(where, f"field 'expected' is {expected!r}; use one of: {', '.join(EXPECTED)}")
    prompt, messages = data.get("prompt"), data.get("messages")
    if (prompt is None) == (messages is None):
        raise _fail(where, "give exactly one of 'prompt' (a string) or 'messages' (a list of turns)")
    turns: list[dict[str, str]] = []
    if prompt is not None:
        if not isinstance(prompt, str) or not prompt.strip():
            raise _fail(where, "field 'prompt' must be a non-empty string")
        turns = [{"role": "user", "content": prompt}]
    else:
        if not isinstance(messages, list) or not messages:
            raise _fail(where, "field 'messages' must be a non-empty list of {role, content} objects")
        for n, turn in enumerate(messages):
            if (
                not isinstance(turn, dict)
                or turn.get("role") not in ROLES
                or not isinstance(turn.get("content"), str)
            ):
                raise _fail(
                    where, f"messages[{n}] must be {{role, content}} with role one of: {', '.join(ROLES)}"
                )
            turns.append({"role": turn["role"], "content": turn["content"]})
        if turns[-1]["role"] != "user":
            raise _fail(where, "the last message must have role 'user'")
    answer = data.get("answer")
    match = data.get("answer_match")
    if answer is not None and not isinstance(answer, str | int | float):
        raise _fail(where, "field 'answer' must be a string, a number or null")
    if match is not None and match not in MATCHES:
        raise _fail(where, f"field 'answer_match' is {match!r}; use one of: {', '.join(MATCHES)} or null")
    if match is not None and answer is None:
        raise _fail(where, "field 'answer_match' is set but 'answer' is null")
    return Item(
        id=item_id,
        lang=lang,
        set=item_set,
        categories=_str_list(data.get("categories"), where, "categories"),
        messages=tuple(turns),
        expected=expected,
        framework_risks=_str_list(data.get("framework_risks"), where, "framework_risks"),
        answer=answer,
        answer_match=match or ("exact" if answer is not None else None),
        source=str(data.get("source") or ""),
        license=str(data.get("license") or ""),
        tags=_str_list(data.get("tags"), where, "tags"),
        suite=suite,
    )


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        yield from enumerate(fh, start=1)


def read_items(path: Path, suite: str = "") -> list[Item]:
    """Read and validate one JSONL item file."""
    if not path.is_file():
        raise NotFoundError("item file", str(path))
    items: list[Item] = []
    for n, line in _lines(path):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(where, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        items.append(parse_item(data, where, suite))
    return items


def _text_map(value: Any, where: str, name: str, default: str) -> dict[str, str]:
    if value is None:
        return {"zh": default, "en": default}
    if isinstance(value, str):
        return {"zh": value, "en": value}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise _fail(where, f"field {name!r} must be a string or {{zh: ..., en: ...}}")


def load_manifest(path: Path) -> Suite:
    """Read a suite manifest and its item files; item ids must be unique within the suite."""
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(where, f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise _fail(where, "a suite manifest must be a mapping with id, version, title, files")
    suite_id = data.get("id") or path.name.split(".")[0]
    if not isinstance(suite_id, str):
        raise _fail(where, "field 'id' must be a string")
    files = data.get("files")
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise _fail(where, "field 'files' must be a non-empty list of JSONL file names beside the manifest")
    suite = Suite(
        id=suite_id,
        version=str(data.get("version", "1")),
        title=_text_map(data.get("title"), where, "title", suite_id),
        description=_text_map(data.get("description"), where, "description", ""),
        clauses=_str_list(data.get("clauses"), where, "clauses"),
        path=path,
        files=tuple(files),
    )
    seen: set[str] = set()
    for name in files:
        for item in read_items(path.parent / name, suite_id):
            if item.id in seen:
                raise _fail(f"{name} (item {item.id!r})", f"item id is not unique in suite {suite_id!r}")
            seen.add(item.id)
            suite.items.append(item)
    return suite


def _manifests(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def suite_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Built-in suites, then ``$AIGIS_HOME/suites``, then any directories given."""
    from aigis.config import Settings

    dirs = [DATA_DIR, Settings.from_env().home / "suites"]
    return dirs + list(extra or [])


def list_suites(extra: list[Path] | None = None) -> list[Suite]:
    """Every suite found (built-in first); a later directory's suite with the same id wins."""
    found: dict[str, Suite] = {}
    for directory in suite_dirs(extra):
        for manifest in _manifests(directory):
            suite = load_manifest(manifest)
            found[suite.id] = suite
    return list(found.values())


def load_suite(name: str, extra: list[Path] | None = None) -> Suite:
    """A suite by id (built-in or user), by manifest path, by directory of manifests, or a JSONL file."""
    path = Path(name).expanduser()
    if path.is_file() and path.suffix in (".yaml", ".yml"):
        return load_manifest(path)
    if path.is_file() and (path.name.endswith(".jsonl") or path.name.endswith(".jsonl.gz")):
        suite_id = path.name.split(".")[0]
        items = read_items(path, suite_id)
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise _fail(f"{path.name} (item {item.id!r})", "item id is not unique in the file")
            seen.add(item.id)
        return Suite(suite_id, "1", {"zh": suite_id, "en": suite_id}, {}, (), path, (path.name,), items)
    if path.is_dir():
        manifests = _manifests(path)
        if len(manifests) == 1:
            return load_manifest(manifests[0])
        if not manifests:
            raise InputError(f"suite directory {str(path)!r} has no <suite_id>.yaml manifest")
        raise InputError(
            f"suite directory {str(path)!r} has several manifests; name one: "
            + ", ".join(m.name for m in manifests)
        )
    for directory in reversed(suite_dirs(extra)):
        for ext in (".yaml", ".yml"):
            candidate = directory / f"{name}{ext}"
            if candidate.is_file():
                return load_manifest(candidate)
    known = sorted({m.stem for d in suite_dirs(extra) for m in _manifests(d)})
    import difflib

    raise NotFoundError("suite", name, difflib.get_close_matches(name, known, n=3) or known[:5])


def merge_suites(suites: list[Suite]) -> Suite:
    """Several suites as one (``--suite tc260,injection``); ids must stay unique."""
    if len(suites) == 1:
        return suites[0]
    merged = Suite(
        id="+".join(s.id for s in suites),
        version="+".join(s.version for s in suites),
        title={lang: " + ".join(s.title_in(lang) for s in suites) for lang in LANGS},
        description={},
        clauses=tuple(dict.fromkeys(c for s in suites for c in s.clauses)),
        path=suites[0].path,
        files=tuple(f for s in suites for f in s.files),
    )
    seen: set[str] = set()
    for suite in suites:
        for item in suite.items:
            if item.id in seen:
                raise InputError(f"item id {item.id!r} appears in more than one of the suites chosen")
            seen.add(item.id)
            merged.items.append(item)
    return merged
