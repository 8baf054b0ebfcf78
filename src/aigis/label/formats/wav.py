"""WAV: a RIFF ``AIGC`` chunk and a LIST/INFO ``AIGC`` entry with the same label."""

from __future__ import annotations

import struct

from aigis.label.fields import AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

CHUNK = b"AIGC"


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return ctype + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b"")


class Wav(Format):
    name = "wav"
    modality = "audio"
    extensions = (".wav", ".wave")

    def sniff(self, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"

    def chunks(self, data: bytes) -> list[tuple[bytes, bytes]]:
        if not self.sniff(data[:12]):
            raise self.fail("not a RIFF/WAVE file")
        pos, out = 12, []
        while pos + 8 <= len(data):
            ctype, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
            if pos + 8 + length > len(data):
                raise self.fail(f"chunk {ctype!r} runs past the end of the file (truncated)")
            out.append((ctype, data[pos + 8 : pos + 8 + length]))
            pos += 8 + length + (length & 1)
        names = [c for c, _ in out]
        if b"fmt " not in names or b"data" not in names:
            raise self.fail("missing 'fmt ' or 'data' chunk")
        return out

    def _info(self, body: bytes) -> list[tuple[bytes, bytes]]:
        pos, out = 4, []
        while pos + 8 <= len(body):
            ctype, length = body[pos : pos + 4], struct.unpack("<I", body[pos + 4 : pos + 8])[0]
            out.append((ctype, body[pos + 8 : pos + 8 + length]))
            pos += 8 + length + (length & 1)
        return out

    def read_bytes(self, data: bytes) -> list[Found]:
        found: list[Found] = []
        for ctype, body in self.chunks(data):
            if ctype == CHUNK:
                found.append(found_text("RIFF:AIGC", body.rstrip(b"\x00")))
            elif ctype == b"LIST" and body[:4] == b"INFO":
                found += [
                    found_text("LIST/INFO:AIGC", v.rstrip(b"\x00")) for c, v in self._info(body) if c == CHUNK
                ]
        return found

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        text = label.to_json().encode("ascii")
        parts: list[bytes] = []
        info_done = False
        for ctype, body in self.chunks(data):
            if ctype == CHUNK:
                continue
            if ctype == b"LIST" and body[:4] == b"INFO":
                entries = [(c, v) for c, v in self._info(body) if c != CHUNK] + [(CHUNK, text + b"\x00")]
                body = b"INFO" + b"".join(_chunk(c, v) for c, v in entries)
                info_done = True
            parts.append(_chunk(ctype, body))
        if not info_done:
            parts.append(_chunk(b"LIST", b"INFO" + _chunk(CHUNK, text + b"\x00")))
        parts.append(_chunk(CHUNK, text))
        body = b"WAVE" + b"".join(parts)
        return b"RIFF" + struct.pack("<I", len(body)) + body

    def hash_bytes(self, data: bytes) -> str:
        return sha256(*(c + b for c, b in self.chunks(data) if c in (b"fmt ", b"data")))
