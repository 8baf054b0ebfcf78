"""MP4 / MOV: QuickTime metadata (``moov/meta`` with an ``mdta`` handler, ``keys`` and ``ilst``).

The label is written as the key ``AIGC`` without touching the media data: chunk offsets are moved
when ``moov`` comes before ``mdat``. Also read: ``moov/udta/meta`` (iTunes-style) and ``udta/AIGC``.
"""

from __future__ import annotations

import struct

from aigis.label.fields import KEY, AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts", b"dinf"}


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body) + 8) + kind + body


class Mp4(Format):
    name = "mp4"
    modality = "video"
    extensions = (".mp4", ".m4v", ".mov", ".m4a", ".3gp")

    def sniff(self, head: bytes) -> bool:
        return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")

    def boxes(self, data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int, int]]:
        """(type, box start, payload start, box end) for each box in data[start:end]."""
        end = len(data) if end is None else end
        pos, out = start, []
        while pos + 8 <= end:
            size, kind = struct.unpack(">I4s", data[pos : pos + 8])
            header = 8
            if size == 1:
                if pos + 16 > end:
                    raise self.fail("truncated 64-bit box header")
                size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
                header = 16
            elif size == 0:
                size = end - pos
            if size < header or pos + size > end:
                raise self.fail(f"box {kind!r} at byte {pos} runs past its parent (truncated)")
            out.append((kind, pos, pos + header, pos + size))
            pos += size
        return out

    def _top(self, data: bytes) -> list[tuple[bytes, int, int, int]]:
        top = self.boxes(data)
        kinds = [b[0] for b in top]
        if b"moov" not in kinds:
            raise self.fail("no moov box (truncated or not an MP4/MOV file)")
        return top

    def _meta_values(self, data: bytes, start: int, end: int) -> list[tuple[str, bytes]]:
        # QuickTime meta has no version field; ISO meta does. Detect by the first child.
        if data[start + 4 : start + 8] not in (b"hdlr", b"keys", b"ilst"):
            start += 4
        children = self.boxes(data, start, end)
        keys: list[str] = []
        for kind, _, p, _e in children:
            if kind == b"keys":
                count = struct.unpack(">I", data[p + 4 : p + 8])[0]
                pos = p + 8
                for _ in range(count):
                    size = struct.unpack(">I", data[pos : pos + 4])[0]
                    keys.append(data[pos + 8 : pos + size].decode("utf-8", "replace"))
                    pos += size
        out: list[tuple[str, bytes]] = []
        for kind, _, p, e in children:
            if kind != b"ilst":
                continue
            for item, _, ip, ie in self.boxes(data, p, e):
                index = struct.unpack(">I", item)[0]
                name = keys[index - 1] if 0 < index <= len(keys) else item.decode("latin-1")
                if item == b"----":
                    for sub, _, sp, se in self.boxes(data, ip, ie):
                        if sub == b"name":
                            name = data[sp + 4 : se].decode("utf-8", "replace")
                for sub, _, sp, se in self.boxes(data, ip, ie):
                    if sub == b"data":
                        out.append((name, data[sp + 8 : se]))
        return out

    def read_bytes(self, data: bytes) -> list[Found]:
        found: list[Found] = []

        def walk(start: int, end: int, path: str) -> None:
            for kind, _, p, e in self.boxes(data, start, end):
                name = kind.decode("latin-1")
                if kind == b"meta":
                    for key, value in self._meta_values(data, p, e):
                        if key.split(".")[-1].upper() == KEY:
                            found.append(found_text(f"{path}/meta:{key}", value))
                elif kind == KEY.encode() and path.endswith("udta"):
                    found.append(found_text(f"{path}/AIGC", data[p:e]))
                elif kind in CONTAINERS and kind != b"trak":
                    walk(p, e, f"{path}/{name}")

        for kind, _, p, e in self._top(data):
            if kind == b"moov":
                walk(p, e, "moov")
        return found

    def _strip(self, data: bytes, start: int, end: int) -> bytes:
        """moov payload without our meta box and udta/AIGC."""
        out = []
        for kind, s, p, e in self.boxes(data, start, end):
            if kind == b"meta" and any(k.upper() == KEY for k, _ in self._meta_values(data, p, e)):
                continue
            if kind == b"udta":
                inner = b"".join(
                    data[cs:ce] for ck, cs, _, ce in self.boxes(data, p, e) if ck != KEY.encode()
                )
                out.append(_box(b"udta", inner))
                continue
            out.append(data[s:e])
        return b"".join(out)

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        top = self._top(data)
        moov = next(b for b in top if b[0] == b"moov")
        payload = self._strip(data, moov[2], moov[3])
        value = label.to_json().encode("ascii")
        hdlr = _box(b"hdlr", b"\x00" * 8 + b"mdta" + b"\x00" * 13)
        keys = _box(b"keys", b"\x00" * 4 + struct.pack(">I", 1) + _box(b"mdta", KEY.encode()))
        ilst = _box(b"ilst", _box(struct.pack(">I", 1), _box(b"data", struct.pack(">II", 1, 0) + value)))
        new_moov = _box(b"moov", payload + _box(b"meta", hdlr + keys + ilst))
        delta = len(new_moov) - (moov[3] - moov[1])
        mdat_after = any(k == b"mdat" and s > moov[1] for k, s, _, _ in top)
        if delta and mdat_after:
            new_moov = self._shift_offsets(new_moov, delta)
        return data[: moov[1]] + new_moov + data[moov[3] :]

    def _shift_offsets(self, moov: bytes, delta: int) -> bytes:
        buf = bytearray(moov)

        def walk(start: int, end: int) -> None:
            for kind, _, p, e in self.boxes(bytes(buf), start, end):
                if kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl"):
                    walk(p, e)
                elif kind in (b"stco", b"co64"):
                    count = struct.unpack(">I", buf[p + 4 : p + 8])[0]
                    width, fmt = (4, ">I") if kind == b"stco" else (8, ">Q")
                    for i in range(count):
                        at = p + 8 + i * width
                        (value,) = struct.unpack(fmt, buf[at : at + width])
                        buf[at : at + width] = struct.pack(fmt, value + delta)

        walk(0, len(buf))
        return bytes(buf)

    def hash_bytes(self, data: bytes) -> str:
        top = self._top(data)
        mdat = [data[p:e] for k, _, p, e in top if k == b"mdat"]
        if not mdat:
            raise self.fail("no mdat box (no media data)")
        return sha256(*mdat)
