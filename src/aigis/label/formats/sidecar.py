"""Plain text: a sidecar ``NAME.aigc.json`` next to the file holds the wrapped label."""

from __future__ import annotations

import shutil
from pathlib import Path

from aigis.label.fields import AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

SUFFIX = ".aigc.json"


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


class Sidecar(Format):
    name = "sidecar"
    modality = "text"
    extensions = (".txt", ".text", ".csv", ".json", ".jsonl", ".log")

    def read(self, path: Path) -> list[Found]:
        side = sidecar_path(path)
        if not side.exists():
            return []
        return [found_text(f"sidecar:{side.name}", side.read_bytes())]

    def write(self, src: Path, dst: Path, label: AigcLabel) -> None:
        if src != dst:
            shutil.copyfile(src, dst)
        sidecar_path(dst).write_text(label.wrapped_json() + "\n", encoding="ascii")

    def hash_bytes(self, data: bytes) -> str:
        return sha256(data)
