"""Reading and checking the YAML data files that hold the framework."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

import yaml

from aigis.errors import AigisError
from aigis.framework.ids import id_aliases, id_key
from aigis.framework.model import KINDS, ROLES, SOURCES, Clause, Crosswalk, Divergence, Text
from aigis.framework.query import Framework, MappingRow

FRAMEWORK_FILES: tuple[str, ...] = (
    "principles.yaml",
    "risks.yaml",
    "measures.yaml",
    "governance.yaml",
    "guidelines.yaml",
    "appendix1.yaml",
    "appendix2.yaml",
    "appendix3.yaml",
)
"""The files under ``data/framework/``, in the order of the document."""

MAPPING_FILE = "mapping.yaml"
CROSSWALK_DIR = "crosswalks"

_CORE_KEYS = frozenset({"id", "kind", "title", "text", "parent", "role"})
# Fields that hold clause ids, and the kinds those ids must have.
_REF_KEYS: Mapping[str, tuple[str, ...]] = {
    "framework_risks": ("risk",),
    "measures": ("measure", "governance"),
    "guidelines": ("guideline",),
}
# Fields that hold lists of {zh, en}.
_TEXT_LIST_KEYS = ("factors", "steps", "notes")
_MAPPING_COLUMNS: Mapping[str, str] = {
    "technical": "measure",
    "governance": "governance",
    "guidelines": "guideline",
}

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrameworkDataError(AigisError):
    """The framework data files are malformed (a packaging or editing mistake, not a user error)."""

    exit_code = 1
    http_status = 500
    code = "framework_data"


def _fail(where: str, message: str) -> FrameworkDataError:
    return FrameworkDataError(f"framework data {where}: {message}")


def _parse(node: Traversable, where: str) -> dict[str, Any]:
    try:
        doc = yaml.load(node.read_text(encoding="utf-8"), Loader=_Loader)  # CSafeLoader or SafeLoader
    except FileNotFoundError as exc:
        raise _fail(where, "file is missing") from exc
    except yaml.YAMLError as exc:
        raise _fail(where, f"not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise _fail(where, "the top level must be a mapping")
    return doc


def _text(value: Any, where: str) -> Text:
    if not isinstance(value, dict) or set(value) != {"zh", "en"}:
        raise _fail(where, "must be a mapping with exactly the keys zh and en")
    for lang in ("zh", "en"):
        if not isinstance(value[lang], str) or not value[lang].strip():
            raise _fail(where, f"{lang} must be a non-empty string")
    return Text(zh=value["zh"].strip(), en=value["en"].strip())


def _id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f'id {value!r} must be a non-empty string (quote ids such as "5.10" in YAML)')
    return value


def _clause(raw: Any, defaults: Mapping[str, Any], where: str) -> Clause:
    if not isinstance(raw, dict):
        raise _fail(where, "each clause must be a mapping")
    data = {**defaults, **raw}
    cid = _id(data.get("id"), where)
    where = f"{where} clause {cid}"
    kind = data.get("kind")
    if kind not in KINDS:
        raise _fail(where, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    title = _text(data.get("title"), f"{where} title")
    text = _text(data["text"], f"{where} text") if data.get("text") is not None else title
    parent = data.get("parent")
    if parent is not None:
        parent = _id(parent, f"{where} parent")
    role = data.get("role")
    if role is not None and role not in ROLES:
        raise _fail(where, f"role {role!r} is not one of {', '.join(ROLES)}")
    if kind == "guideline" and role is None:
        raise _fail(where, "a guideline needs a role")
    extra = {key: value for key, value in data.items() if key not in _CORE_KEYS}
    for key in _REF_KEYS:
        if key in extra:
            ids = extra[key]
            if not isinstance(ids, list) or not ids:
                raise _fail(where, f"{key} must be a non-empty list of clause ids")
            extra[key] = [_id(i, f"{where} {key}") for i in ids]
    for key in _TEXT_LIST_KEYS:
        if key in extra:
            items = extra[key]
            if not isinstance(items, list) or not items:
                raise _fail(where, f"{key} must be a non-empty list of {{zh, en}}")
            extra[key] = [_text(item, f"{where} {key}").to_dict() for item in items]
    if kind == "risk_level" and not isinstance(extra.get("level"), int):
        raise _fail(where, "a risk_level needs an integer level")
    return Clause(
        id=cid,
        kind=str(kind),
        title=title,
        text=text,
        parent=parent,
        role=role,
        extra=MappingProxyType(extra),
    )


def _clauses(doc: Mapping[str, Any], where: str) -> list[Clause]:
    raw = doc.get("clauses")
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "needs a non-empty list under 'clauses'")
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise _fail(where, "'defaults' must be a mapping")
    return [_clause(item, defaults, where) for item in raw]


def _link_list(value: Any, default_source: str, where: str) -> list[tuple[str, str]]:
    if not isinstance(value, list):
        raise _fail(where, "must be a list of clause ids")
    links: list[tuple[str, str]] = []
    for item in value:
        if isinstance(item, dict):
            source = item.get("source", default_source)
            links.append((_id(item.get("id"), where), source))
        else:
            links.append((_id(item, where), default_source))
    for _, source in links:
        if source not in SOURCES:
            raise _fail(where, f"source {source!r} is not one of {', '.join(SOURCES)}")
    return links


def _mapping(doc: Mapping[str, Any]) -> list[MappingRow]:
    where = MAPPING_FILE
    sources = doc.get("sources") or {}
    rows = doc.get("rows")
    if not isinstance(rows, list) or not rows:
        raise _fail(where, "needs a non-empty list under 'rows'")
    out: list[MappingRow] = []
    for raw in rows:
        if not isinstance(raw, dict):
            raise _fail(where, "each row must be a mapping")
        risk = _id(raw.get("risk"), f"{where} row")
        row_where = f"{where} row {risk}"
        columns = {
            column: _link_list(raw.get(column, []), sources.get(column, "document"), f"{row_where} {column}")
            for column in _MAPPING_COLUMNS
        }
        divergence = None
        div = raw.get("en_divergence")
        if div is not None:
            div_where = f"{row_where} en_divergence"
            if not isinstance(div, dict) or not isinstance(div.get("missing"), bool):
                raise _fail(div_where, "must be null or a mapping with technical, governance, missing, note")
            divergence = Divergence(
                technical=tuple(_id(i, div_where) for i in div.get("technical") or []),
                governance=tuple(_id(i, div_where) for i in div.get("governance") or []),
                missing=div["missing"],
                note=_text(div.get("note"), f"{div_where} note"),
            )
        out.append(MappingRow(risk=risk, links=columns, divergence=divergence))
    return out


def _check_refs(clauses: list[Clause], rows: list[MappingRow]) -> None:
    by_id: dict[str, Clause] = {}
    keys: dict[str, str] = {}
    for clause in clauses:
        if clause.id in by_id:
            raise _fail(f"clause {clause.id}", "the id is used twice")
        by_id[clause.id] = clause
        for key in (id_key(clause.id), *id_aliases(clause.id)):
            if keys.setdefault(key, clause.id) != clause.id:
                raise _fail(f"clause {clause.id}", f"the id reads the same as {keys[key]}")

    def expect(cid: str, kinds: tuple[str, ...], where: str) -> None:
        if cid not in by_id:
            raise _fail(where, f"refers to unknown clause {cid!r}")
        if by_id[cid].kind not in kinds:
            raise _fail(where, f"{cid} is a {by_id[cid].kind}, expected {' or '.join(kinds)}")

    for clause in clauses:
        if clause.parent is not None and clause.parent not in by_id:
            raise _fail(f"clause {clause.id}", f"parent {clause.parent!r} does not exist")
        for key, kinds in _REF_KEYS.items():
            for ref in clause.ids(key):
                expect(ref, kinds, f"clause {clause.id} {key}")
    seen: set[str] = set()
    for row in rows:
        where = f"{MAPPING_FILE} row {row.risk}"
        expect(row.risk, ("risk",), where)
        if row.risk in seen:
            raise _fail(where, "the risk has two rows")
        seen.add(row.risk)
        for column, kind in _MAPPING_COLUMNS.items():
            for ref, _ in row.links[column]:
                expect(ref, (kind,), f"{where} {column}")
        if row.divergence:
            for ref in row.divergence.technical:
                expect(ref, ("measure",), f"{where} en_divergence")
            for ref in row.divergence.governance:
                expect(ref, ("governance",), f"{where} en_divergence")
    missing = [c.id for c in clauses if c.kind == "risk" and c.id not in seen]
    if missing:
        raise _fail(MAPPING_FILE, f"no row for risks {', '.join(missing)}")


def read_framework(directory: Traversable | None = None) -> Framework:
    """Read and check the data files under ``directory`` (the packaged ``data`` folder by default).

    Not cached: use :func:`load_framework` for the packaged data.
    """
    root = directory if directory is not None else resources.files("aigis.framework").joinpath("data")
    clauses: list[Clause] = []
    for name in FRAMEWORK_FILES:
        clauses += _clauses(_parse(root.joinpath("framework", name), name), name)
    crosswalks: list[Crosswalk] = []
    cw_dir = root.joinpath(CROSSWALK_DIR)
    files = sorted((f for f in cw_dir.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    for node in files:
        where = f"{CROSSWALK_DIR}/{node.name}"
        doc = _parse(node, where)
        cw_name = doc.get("crosswalk")
        if not isinstance(cw_name, str) or f"{cw_name}.yaml" != node.name:
            raise _fail(where, f"'crosswalk' must name the file, e.g. crosswalk: {node.name[:-5]}")
        items = _clauses(doc, where)
        clauses += items
        crosswalks.append(
            Crosswalk(
                name=cw_name,
                title=_text(doc.get("title"), f"{where} title"),
                source=_text(doc.get("source"), f"{where} source"),
                clause_ids=tuple(c.id for c in items),
            )
        )
    rows = _mapping(_parse(root.joinpath(MAPPING_FILE), MAPPING_FILE))
    _check_refs(clauses, rows)
    return Framework(clauses, rows, crosswalks)


@functools.cache
def load_framework() -> Framework:
    """The framework shipped with aigis, parsed and checked once per process."""
    return read_framework()
