"""GIF: a comment extension holding the wrapped AIGC JSON (written); XMP application extension (read)."""

from __future__ import annotations

from aigis.label import xmp
from aigis.label.fields import AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

XMP_APP = b"XMP DataXMP"
# A C2PA manifest (added after the label) is left out of the content hash.
C2PA_APP = b"C2PA_GIF"


class Gif(Format):
    name = "gif"
    modality = "image"
    extensions = (".gif",)

    def sniff(self, head: bytes) -> bool:
        return head[:6] in (b"GIF87a", b"GIF89a")

    def _sub_blocks(self, data: bytes, pos: int) -> tuple[bytes, int]:
        parts: list[bytes] = []
        while True:
            if pos >= len(data):
                raise self.fail("data sub-blocks run past the end (truncated)")
            size = data[pos]
            if size == 0:
                return b"".join(parts), pos + 1
            parts.append(data[pos + 1 : pos + 1 + size])
            pos += 1 + size

    def blocks(self, data: bytes) -> tuple[bytes, list[tuple[str, bytes, bytes]]]:
        """Header (with the global colour table) and blocks as (kind, raw bytes, payload)."""
        if not self.sniff(data[:6]) or len(data) < 13:
            raise self.fail("not a GIF file")
        flags = data[10]
        pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
        header, out = data[:pos], list[tuple[str, bytes, bytes]]()
        while True:
            if pos >= len(data):
                raise self.fail("no trailer (truncated)")
            start, kind = pos, data[pos]
            if kind == 0x3B:
                return header, out
            if kind == 0x21:
                if pos + 2 > len(data):
                    raise self.fail("truncated extension")
                label = data[pos + 1]
                payload, pos = self._sub_blocks(data, pos + 2)
                name = {0xFE: "comment", 0xFF: "application"}.get(label, "extension")
                out.append((name, data[start:pos], payload))
            elif kind == 0x2C:
                if pos + 10 > len(data):
                    raise self.fail("truncated image descriptor")
                local = data[pos + 9]
                pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1
                _, pos = self._sub_blocks(data, pos)
                out.append(("image", data[start:pos], b""))
            else:
                raise self.fail(f"unknown block 0x{kind:02X} at byte {pos}")

    def _is_label_block(self, kind: str, payload: bytes) -> bool:
        return (kind == "comment" and b"Label" in payload) or (
            kind == "application" and payload.startswith(XMP_APP)
        )

    def read_bytes(self, data: bytes) -> list[Found]:
        found: list[Found] = []
        for kind, _, payload in self.blocks(data)[1]:
            if kind == "comment" and b"Label" in payload:
                found.append(found_text("comment", payload))
            elif kind == "application" and payload.startswith(XMP_APP):
                found += [Found("XMP", label, raw) for label, raw in xmp.read_labels(payload[len(XMP_APP) :])]
        return found

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        header, blocks = self.blocks(data)
        text = label.wrapped_json().encode("ascii")
        comment = (
            b"\x21\xfe"
            + b"".join(bytes([len(text[i : i + 255])]) + text[i : i + 255] for i in range(0, len(text), 255))
            + b"\x00"
        )
        kept = [raw for kind, raw, payload in blocks if not self._is_label_block(kind, payload)]
        if header[:6] == b"GIF87a":
            header = b"GIF89a" + header[6:]
        return header + comment + b"".join(kept) + b"\x3b"

    def hash_bytes(self, data: bytes) -> str:
        header, blocks = self.blocks(data)
        return sha256(
            header[6:],
            *(
                raw
                for kind, raw, payload in blocks
                if not self._is_label_block(kind, payload)
                and not (kind == "application" and payload.startswith(C2PA_APP))
            ),
        )
