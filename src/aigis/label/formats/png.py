"""PNG: XMP in an iTXt chunk (written), tEXt / zTXt / iTXt ``AIGC`` chunks (read)."""

from __future__ import annotations

import struct
import zlib

from aigis.label import xmp
from aigis.label.fields import KEY, AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

SIGNATURE = b"\x89PNG\r\n\x1a\n"
XMP_KEY = b"XML:com.adobe.xmp"
TEXT_CHUNKS = {b"tEXt", b"zTXt", b"iTXt"}
# Left out of the content hash: the modification time and a C2PA manifest (added after the label).
UNHASHED = {b"tIME", b"caBX"}


class Png(Format):
    name = "png"
    modality = "image"
    extensions = (".png", ".apng")

    def sniff(self, head: bytes) -> bool:
        return head.startswith(SIGNATURE)

    def chunks(self, data: bytes) -> list[tuple[bytes, bytes]]:
        if not data.startswith(SIGNATURE):
            raise self.fail("missing PNG signature")
        pos, out = 8, []
        while pos < len(data):
            if pos + 8 > len(data):
                raise self.fail(f"truncated chunk header at byte {pos}")
            length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
            end = pos + 12 + length
            if end > len(data):
                raise self.fail(f"chunk {ctype!r} at byte {pos} runs past the end of the file (truncated)")
            out.append((ctype, data[pos + 8 : pos + 8 + length]))
            pos = end
            if ctype == b"IEND":
                break
        if not out or out[-1][0] != b"IEND":
            raise self.fail("no IEND chunk (truncated file)")
        return out

    def _text(self, ctype: bytes, body: bytes) -> tuple[bytes, bytes] | None:
        key, sep, rest = body.partition(b"\x00")
        if not sep:
            return None
        try:
            if ctype == b"tEXt":
                return key, rest
            if ctype == b"zTXt":
                return key, zlib.decompress(rest[1:])
            flag, method = rest[0], rest[1]
            _lang, _, rest = rest[2:].partition(b"\x00")
            _tkey, _, text = rest.partition(b"\x00")
            return key, zlib.decompress(text) if flag and method == 0 else text
        except (zlib.error, IndexError):
            return None

    def read_bytes(self, data: bytes) -> list[Found]:
        found: list[Found] = []
        for ctype, body in self.chunks(data):
            if ctype not in TEXT_CHUNKS:
                continue
            parsed = self._text(ctype, body)
            if parsed is None:
                continue
            key, text = parsed
            if key == KEY.encode():
                found.append(found_text(f"{ctype.decode()}:AIGC", text))
            elif key == XMP_KEY:
                for label, raw in xmp.read_labels(text):
                    found.append(Found(f"{ctype.decode()}:XMP", label, raw))
        return found

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        chunks = self.chunks(data)
        existing: str | None = None
        kept: list[tuple[bytes, bytes]] = []
        for ctype, body in chunks:
            if ctype in TEXT_CHUNKS:
                parsed = self._text(ctype, body)
                if parsed and parsed[0] == KEY.encode():
                    continue
                if parsed and parsed[0] == XMP_KEY:
                    existing = parsed[1].decode("utf-8", "replace")
                    continue
            kept.append((ctype, body))
        packet = xmp.set_label(existing, label).encode("utf-8")
        itxt = XMP_KEY + b"\x00\x00\x00\x00\x00" + packet
        out = [SIGNATURE]
        for index, (ctype, body) in enumerate(kept):
            if index == 1:
                out.append(_chunk(b"iTXt", itxt))
            out.append(_chunk(ctype, body))
        return b"".join(out)

    def hash_bytes(self, data: bytes) -> str:
        return sha256(*(c + b for c, b in self.chunks(data) if c not in TEXT_CHUNKS and c not in UNHASHED))


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF)
    )
