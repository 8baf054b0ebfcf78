"""JPEG: XMP in an APP1 segment (written and read); a COM segment with AIGC JSON (read)."""

from __future__ import annotations

import struct

from aigis.label import xmp
from aigis.label.fields import AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

XMP_SIG = b"http://ns.adobe.com/xap/1.0/\x00"


class Jpeg(Format):
    name = "jpeg"
    modality = "image"
    extensions = (".jpg", ".jpeg", ".jpe", ".jfif")

    def sniff(self, head: bytes) -> bool:
        return head.startswith(b"\xff\xd8\xff")

    def segments(self, data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
        """Marker segments before the scan, and the rest of the file from SOS on."""
        if not data.startswith(b"\xff\xd8"):
            raise self.fail("missing SOI marker")
        pos, out = 2, list[tuple[int, bytes]]()
        while True:
            if pos + 4 > len(data):
                raise self.fail(f"truncated before the image data (byte {pos})")
            if data[pos] != 0xFF:
                raise self.fail(f"expected a marker at byte {pos}")
            marker = data[pos + 1]
            if marker == 0xFF:
                pos += 1
                continue
            if marker == 0xDA:
                rest = data[pos:]
                if b"\xff\xd9" not in rest[-64:] and not rest.rstrip(b"\x00").endswith(b"\xff\xd9"):
                    raise self.fail("no EOI marker (truncated image data)")
                return out, rest
            (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
            if length < 2 or pos + 2 + length > len(data):
                raise self.fail(f"segment 0x{marker:02X} at byte {pos} runs past the end (truncated)")
            out.append((marker, data[pos + 4 : pos + 2 + length]))
            pos += 2 + length

    def read_bytes(self, data: bytes) -> list[Found]:
        found: list[Found] = []
        segments, _ = self.segments(data)
        for marker, body in segments:
            if marker == 0xE1 and body.startswith(XMP_SIG):
                for label, raw in xmp.read_labels(body[len(XMP_SIG) :]):
                    found.append(Found("APP1:XMP", label, raw))
            elif marker == 0xFE and b"Label" in body:
                found.append(found_text("COM", body))
        return found

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        segments, rest = self.segments(data)
        existing: str | None = None
        kept: list[tuple[int, bytes]] = []
        for marker, body in segments:
            if marker == 0xE1 and body.startswith(XMP_SIG):
                existing = body[len(XMP_SIG) :].decode("utf-8", "replace")
                continue
            if marker == 0xFE and b"Label" in body and found_text("COM", body).label is not None:
                continue
            kept.append((marker, body))
        body = XMP_SIG + xmp.set_label(existing, label).encode("utf-8")
        if len(body) + 2 > 0xFFFF:
            raise self.fail("the XMP packet is larger than one APP1 segment allows (64 KiB)")
        insert = 0
        while insert < len(kept) and kept[insert][0] in (0xE0, 0xE1):
            insert += 1
        kept.insert(insert, (0xE1, body))
        parts = [b"\xff\xd8"]
        parts += [bytes([0xFF, m]) + struct.pack(">H", len(b) + 2) + b for m, b in kept]
        return b"".join([*parts, rest])

    def hash_bytes(self, data: bytes) -> str:
        segments, rest = self.segments(data)
        return sha256(*(bytes([m]) + b for m, b in segments if not (0xE0 <= m <= 0xEF or m == 0xFE)), rest)
