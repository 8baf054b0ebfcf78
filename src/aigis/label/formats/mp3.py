"""MP3: an ID3v2 ``TXXX:AIGC`` frame (written with mutagen, read directly)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

from mutagen import id3

from aigis.label.fields import KEY, AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

_ID3: Any = id3.ID3
_TXXX: Any = id3.TXXX


def _syncsafe(raw: bytes) -> int:
    return (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]


class Mp3(Format):
    name = "mp3"
    modality = "audio"
    extensions = (".mp3",)

    def sniff(self, head: bytes) -> bool:
        return head[:3] == b"ID3" or (
            len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0
        )

    def read_bytes(self, data: bytes) -> list[Found]:
        self.audio(data)
        if not data.startswith(b"ID3"):
            return []
        try:
            tags = _ID3(io.BytesIO(data))
        except id3.ID3NoHeaderError:
            return []
        except Exception as exc:  # mutagen raises several types on corrupt tags
            raise self.fail(f"corrupt ID3 tag ({exc})") from None
        found = []
        for frame in tags.getall("TXXX"):
            if frame.desc.upper() == KEY:
                found += [found_text("ID3:TXXX:AIGC", str(text)) for text in frame.text]
        return found

    def write(self, src: Path, dst: Path, label: AigcLabel) -> None:
        self.audio(src.read_bytes())
        if src != dst:
            shutil.copyfile(src, dst)
        try:
            tags = _ID3(dst)
        except id3.ID3NoHeaderError:
            tags = _ID3()
        for frame in list(tags.getall("TXXX")):
            if frame.desc.upper() == KEY:
                tags.delall(frame.HashKey)
        tags.add(_TXXX(encoding=0, desc=KEY, text=[label.to_json()]))
        tags.save(dst, v2_version=4)

    def audio(self, data: bytes) -> bytes:
        start = 0
        if data.startswith(b"ID3"):
            if len(data) < 10:
                raise self.fail("truncated ID3 header")
            start = 10 + _syncsafe(data[6:10]) + (10 if data[5] & 0x10 else 0)
        end = len(data) - 128 if data[-128:-125] == b"TAG" else len(data)
        body = data[start:end]
        while body.startswith(b"\x00"):
            body = body[1:]
        if len(body) < 4 or body[0] != 0xFF or body[1] & 0xE0 != 0xE0:
            raise self.fail("no MPEG audio frame after the tags (truncated or not MP3)")
        return body

    def hash_bytes(self, data: bytes) -> str:
        return sha256(self.audio(data))
