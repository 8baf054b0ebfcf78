"""WebP: XMP in the ``XMP `` chunk of an extended (VP8X) file; simple files are extended on write."""

from __future__ import annotations

import struct

from aigis.label import xmp
from aigis.label.fields import AigcLabel
from aigis.label.formats.base import Format, Found, sha256

IMAGE_CHUNKS = {b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF"}


class Webp(Format):
    name = "webp"
    modality = "image"
    extensions = (".webp",)

    def sniff(self, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"

    def chunks(self, data: bytes) -> list[tuple[bytes, bytes]]:
        if not self.sniff(data[:12]):
            raise self.fail("not a RIFF/WEBP file")
        (size,) = struct.unpack("<I", data[4:8])
        if size + 8 > len(data):
            raise self.fail("RIFF size is larger than the file (truncated)")
        pos, end, out = 12, size + 8, []
        while pos + 8 <= end:
            ctype, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
            if pos + 8 + length > end:
                raise self.fail(f"chunk {ctype!r} runs past the end (truncated)")
            out.append((ctype, data[pos + 8 : pos + 8 + length]))
            pos += 8 + length + (length & 1)
        if not any(c in IMAGE_CHUNKS for c, _ in out):
            raise self.fail("no image data chunk")
        return out

    def read_bytes(self, data: bytes) -> list[Found]:
        return [
            Found("XMP", label, raw)
            for c, body in self.chunks(data)
            if c == b"XMP "
            for label, raw in xmp.read_labels(body)
        ]

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        chunks = self.chunks(data)
        existing = next((b.decode("utf-8", "replace") for c, b in chunks if c == b"XMP "), None)
        kept = [(c, b) for c, b in chunks if c != b"XMP "]
        if kept[0][0] != b"VP8X":
            width, height = self._canvas(kept)
            flags = 0x10 if any(c == b"ALPH" for c, _ in kept) else 0
            vp8x = (
                struct.pack("<I", flags)
                + (width - 1).to_bytes(3, "little")
                + (height - 1).to_bytes(3, "little")
            )
            kept.insert(0, (b"VP8X", vp8x))
        head = bytearray(kept[0][1])
        head[0] |= 0x04
        kept[0] = (b"VP8X", bytes(head))
        kept.append((b"XMP ", xmp.set_label(existing, label).encode("utf-8")))
        body = b"".join(c + struct.pack("<I", len(b)) + b + (b"\x00" if len(b) & 1 else b"") for c, b in kept)
        return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body

    def _canvas(self, chunks: list[tuple[bytes, bytes]]) -> tuple[int, int]:
        ctype, body = chunks[0]
        if ctype == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
            w, h = struct.unpack("<HH", body[6:10])
            return w & 0x3FFF, h & 0x3FFF
        if ctype == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
            bits = int.from_bytes(body[1:5], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        raise self.fail("cannot read the canvas size from the first chunk")

    def hash_bytes(self, data: bytes) -> str:
        return sha256(*(c + b for c, b in self.chunks(data) if c in IMAGE_CHUNKS))
