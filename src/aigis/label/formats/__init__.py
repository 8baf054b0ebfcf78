"""File formats for the implicit label, one module each, in a registry.

Adding a format is adding one module with a :class:`Format` subclass and one line in ``FORMATS``.
"""

from __future__ import annotations

from pathlib import Path

from aigis.errors import InputError
from aigis.label.formats.base import Format, FormatError, Found
from aigis.label.formats.gif import Gif
from aigis.label.formats.jpeg import Jpeg
from aigis.label.formats.markup import Html, Markdown
from aigis.label.formats.mp3 import Mp3
from aigis.label.formats.mp4 import Mp4
from aigis.label.formats.office import Office
from aigis.label.formats.pdf import Pdf
from aigis.label.formats.png import Png
from aigis.label.formats.sidecar import SUFFIX, Sidecar, sidecar_path
from aigis.label.formats.tiff import Tiff
from aigis.label.formats.vorbis import Flac, Ogg
from aigis.label.formats.wav import Wav
from aigis.label.formats.webp import Webp

FORMATS: list[Format] = [
    Png(),
    Jpeg(),
    Webp(),
    Gif(),
    Tiff(),
    Mp3(),
    Wav(),
    Flac(),
    Ogg(),
    Mp4(),
    Pdf(),
    Office(),
    Markdown(),
    Html(),
    Sidecar(),
]
BY_NAME = {f.name: f for f in FORMATS}


def by_extension(path: Path) -> Format | None:
    suffix = path.suffix.lower()
    return next((f for f in FORMATS if suffix in f.extensions), None)


def sniff(head: bytes) -> Format | None:
    return next((f for f in FORMATS if f.sniff(head)), None)


def detect(path: Path, head: bytes | None = None) -> tuple[Format, str | None]:
    """The format of a file by its content first, its extension second; and a note when they disagree."""
    if head is None:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    by_content = sniff(head)
    by_ext = by_extension(path)
    if by_content is not None:
        note = None
        if by_ext is not None and by_ext is not by_content and by_ext.name != "sidecar":
            note = f"the extension {path.suffix!r} says {by_ext.name} but the content is {by_content.name}"
        return by_content, note
    if by_ext is not None and by_ext.modality == "text":
        return by_ext, None
    if by_ext is not None:
        return by_ext, f"the content does not look like {by_ext.name}"
    supported = sorted({e for f in FORMATS for e in f.extensions})
    raise InputError(
        f"{path}: unsupported format (suffix {path.suffix or 'none'!r}); supported: {', '.join(supported)}"
    )


__all__ = [
    "BY_NAME",
    "FORMATS",
    "SUFFIX",
    "Format",
    "FormatError",
    "Found",
    "by_extension",
    "detect",
    "sidecar_path",
    "sniff",
]
