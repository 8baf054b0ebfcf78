"""FLAC and Ogg (Vorbis, Opus): an ``AIGC`` Vorbis comment, written with mutagen."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis

from aigis.label.fields import KEY, AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256


class _Comments(Format):
    modality = "audio"

    def _open(self, path: Path) -> Any:
        raise NotImplementedError

    def read(self, path: Path) -> list[Found]:
        self.hash_bytes(path.read_bytes())
        audio = self._open(path)
        tags = audio.tags
        values = (
            [v for k, vs in tags.as_dict().items() if k.upper() == KEY for v in vs]
            if tags is not None
            else []
        )
        return [found_text(f"{self.name}:comment:AIGC", v) for v in values]

    def write(self, src: Path, dst: Path, label: AigcLabel) -> None:
        self.hash_bytes(src.read_bytes())
        if src != dst:
            shutil.copyfile(src, dst)
        audio = self._open(dst)
        if audio.tags is None:
            audio.add_tags()
        for key in [k for k in audio.tags.as_dict() if k.upper() == KEY]:
            del audio.tags[key]
        audio.tags[KEY] = label.to_json()
        audio.save()

    def _guard(self, path: Path, opener: Any) -> Any:
        try:
            return opener(path)
        except mutagen.MutagenError as exc:
            raise self.fail(f"cannot read the stream ({exc})") from None


class Flac(_Comments):
    name = "flac"
    extensions = (".flac",)

    def sniff(self, head: bytes) -> bool:
        return head[:4] == b"fLaC"

    def _open(self, path: Path) -> Any:
        return self._guard(path, FLAC)

    def hash_bytes(self, data: bytes) -> str:
        if data[:4] != b"fLaC":
            raise self.fail("missing fLaC signature")
        pos, streaminfo = 4, b""
        while True:
            if pos + 4 > len(data):
                raise self.fail("metadata blocks run past the end (truncated)")
            head = data[pos]
            length = int.from_bytes(data[pos + 1 : pos + 4], "big")
            if head & 0x7F == 0:
                streaminfo = data[pos + 4 : pos + 4 + length]
            pos += 4 + length
            if head & 0x80:
                break
        if pos >= len(data):
            raise self.fail("no audio frames (truncated)")
        return sha256(streaminfo, data[pos:])


def ogg_packets(data: bytes, fail: Any) -> list[bytes]:
    """The packets of the first logical stream of an Ogg file."""
    pos, packets, current, serial = 0, [], b"", None
    while pos < len(data):
        if data[pos : pos + 4] != b"OggS" or pos + 27 > len(data):
            raise fail(f"bad Ogg page at byte {pos} (truncated or corrupted)")
        this_serial = struct.unpack("<I", data[pos + 14 : pos + 18])[0]
        count = data[pos + 26]
        lacing = data[pos + 27 : pos + 27 + count]
        body = pos + 27 + count
        size = sum(lacing)
        if body + size > len(data):
            raise fail(f"Ogg page at byte {pos} runs past the end (truncated)")
        if serial is None:
            serial = this_serial
        if this_serial == serial:
            offset = body
            for lace in lacing:
                current += data[offset : offset + lace]
                offset += lace
                if lace < 255:
                    packets.append(current)
                    current = b""
        pos = body + size
    if not packets:
        raise fail("no Ogg packets")
    return packets


class Ogg(_Comments):
    name = "ogg"
    extensions = (".ogg", ".oga", ".opus")

    def sniff(self, head: bytes) -> bool:
        return head[:4] == b"OggS"

    def _open(self, path: Path) -> Any:
        head = path.read_bytes()[:64]
        return self._guard(path, OggOpus if b"OpusHead" in head else OggVorbis)

    def hash_bytes(self, data: bytes) -> str:
        packets = ogg_packets(data, self.fail)
        return sha256(*(p for i, p in enumerate(packets) if i != 1))
