"""The GB 45438-2025 annex E implicit label: the ``AIGC`` JSON object and its rules."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace
from typing import Any

from aigis.errors import InputError

KEY = "AIGC"
FIELD_NAMES: tuple[str, ...] = (
    "Label",
    "ContentProducer",
    "ProduceID",
    "ReservedCode1",
    "ContentPropagator",
    "PropagateID",
    "ReservedCode2",
)
LABEL_VALUES = {"1": "AI-generated", "2": "possibly AI-generated", "3": "suspected AI-generated"}
LABEL_VALUES_ZH = {"1": "人工智能生成", "2": "可能为人工智能生成", "3": "疑似为人工智能生成"}
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")
MAX_FIELD = 512
CLAUSES = ("4.2.2(c)", "5.6", "6.3.4")


@dataclass(frozen=True)
class AigcLabel:
    """One implicit label. Values are single-byte printable ASCII; Label is "1", "2" or "3"."""

    Label: str = "1"
    ContentProducer: str = ""
    ProduceID: str = ""
    ReservedCode1: str = ""
    ContentPropagator: str = ""
    PropagateID: str = ""
    ReservedCode2: str = ""

    def to_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELD_NAMES}

    def to_json(self) -> str:
        """Compact JSON with the fields in annex E order (the strict writer's form)."""
        return json.dumps(self.to_dict(), ensure_ascii=True, separators=(",", ":"))

    def wrapped_json(self) -> str:
        return json.dumps({KEY: self.to_dict()}, ensure_ascii=True, separators=(",", ":"))

    def problems(self) -> list[str]:
        """Conformance problems (empty when the label conforms)."""
        out: list[str] = []
        if self.Label not in LABEL_VALUES:
            out.append(f"Label {self.Label!r} is not one of '1', '2', '3'")
        if not self.ContentProducer:
            out.append("ContentProducer is empty")
        if not self.ProduceID:
            out.append("ProduceID is empty")
        for name in FIELD_NAMES:
            value = getattr(self, name)
            if not _PRINTABLE.match(value):
                out.append(f"{name} contains characters outside single-byte printable ASCII")
            if len(value) > MAX_FIELD:
                out.append(f"{name} is longer than {MAX_FIELD} characters")
        if bool(self.ContentPropagator) != bool(self.PropagateID):
            out.append("ContentPropagator and PropagateID must be given together")
        return out

    def validate(self, source: str = "label") -> AigcLabel:
        problems = self.problems()
        if problems:
            raise InputError(
                f"{source}: {'; '.join(problems)}; values must be printable ASCII (0x20-0x7E), "
                "Label one of 1/2/3, ContentProducer and ProduceID required"
            )
        return self

    def with_(self, **changes: str) -> AigcLabel:
        return replace(self, **changes)


def new_label(producer: str, produce_id: str, label: str = "1") -> AigcLabel:
    """A producer's label, validated."""
    return AigcLabel(Label=label, ContentProducer=producer, ProduceID=produce_id).validate(
        "--producer/--produce-id"
    )


def _coerce(obj: dict[str, Any]) -> AigcLabel | None:
    known = {f.name for f in fields(AigcLabel)}
    lowered = {k.lower(): k for k in known}
    values: dict[str, str] = {}
    for key, value in obj.items():
        name = lowered.get(str(key).lower())
        if name is None:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return None
        values[name] = value
    if "Label" not in values:
        return None
    return AigcLabel(**values)


def parse_label(text: str | bytes) -> AigcLabel | None:
    """Tolerant reader: bare ``{"Label":...}`` or wrapped ``{"AIGC":{...}}`` JSON, numbers as strings,
    any key case, surrounding whitespace or NUL bytes. None when the text is not a label."""
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    text = text.strip().strip("\x00").strip()
    if not text.startswith("{"):
        return None
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    for key in list(obj):
        if str(key).upper() == KEY and isinstance(obj[key], dict):
            return _coerce(obj[key])
    return _coerce(obj)
