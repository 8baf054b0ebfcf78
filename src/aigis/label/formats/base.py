"""The one interface every file format implements, and what a reader finds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from aigis.errors import InputError
from aigis.label.fields import AigcLabel, parse_label


@dataclass(frozen=True)
class Found:
    """One label (or an unreadable attempt at one) and where in the file it was."""

    location: str
    label: AigcLabel | None
    raw: str = ""


class FormatError(InputError):
    """A file is truncated, corrupted or not what its format says."""


def sha256(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def found_text(location: str, raw: str | bytes) -> Found:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return Found(location, parse_label(text), text[:2000])


class Format:
    """A file format: sniff, read labels, write exactly one label, hash the content without labels."""

    name = ""
    modality = ""
    extensions: tuple[str, ...] = ()

    def sniff(self, head: bytes) -> bool:
        return False

    def read(self, path: Path) -> list[Found]:
        return self.read_bytes(path.read_bytes())

    def write(self, src: Path, dst: Path, label: AigcLabel) -> None:
        dst.write_bytes(self.write_bytes(src.read_bytes(), label))

    def content_hash(self, path: Path) -> str:
        return self.hash_bytes(path.read_bytes())

    def read_bytes(self, data: bytes) -> list[Found]:
        raise NotImplementedError

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        raise NotImplementedError

    def hash_bytes(self, data: bytes) -> str:
        raise NotImplementedError

    def fail(self, what: str) -> FormatError:
        return FormatError(f"{self.name}: {what}")
