"""TIFF: XMP in tag 700 (written, read); JSON in ImageDescription (read). Pixels rewritten losslessly."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageSequence, TiffImagePlugin

from aigis.label import xmp
from aigis.label.fields import AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

XMP_TAG = 700
DESCRIPTION_TAG = 270


class Tiff(Format):
    name = "tiff"
    modality = "image"
    extensions = (".tif", ".tiff")

    def sniff(self, head: bytes) -> bool:
        return head[:4] in (b"II*\x00", b"MM\x00*")

    def _open(self, data: bytes) -> TiffImagePlugin.TiffImageFile:
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except (OSError, ValueError, SyntaxError) as exc:
            raise self.fail(f"cannot decode ({exc})") from None
        if not isinstance(image, TiffImagePlugin.TiffImageFile):
            raise self.fail("not a TIFF image")
        return image

    def read_bytes(self, data: bytes) -> list[Found]:
        image = self._open(data)
        found: list[Found] = []
        packet = image.tag_v2.get(XMP_TAG)
        if packet:
            text = packet if isinstance(packet, (bytes, str)) else bytes(packet)
            found += [Found("XMP", label, raw) for label, raw in xmp.read_labels(text)]
        description = image.tag_v2.get(DESCRIPTION_TAG)
        if isinstance(description, str) and "Label" in description:
            found.append(found_text("ImageDescription", description))
        return found

    def write(self, src: Path, dst: Path, label: AigcLabel) -> None:
        data = src.read_bytes()
        image = self._open(data)
        existing = image.tag_v2.get(XMP_TAG)
        text = existing.decode("utf-8", "replace") if isinstance(existing, bytes) else existing
        info = TiffImagePlugin.ImageFileDirectory_v2()
        for tag, value in image.tag_v2.items():
            if tag in (XMP_TAG, 273, 279, 324, 325, 513, 514):
                continue
            info[tag] = value
        info[XMP_TAG] = xmp.set_label(text if isinstance(text, str) else None, label).encode("utf-8")
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
        compression = image.info.get("compression", "raw")
        frames[0].save(
            dst,
            format="TIFF",
            tiffinfo=info,
            compression=compression,
            save_all=len(frames) > 1,
            append_images=frames[1:],
        )

    def hash_bytes(self, data: bytes) -> str:
        image = self._open(data)
        parts = [f"{f.mode}:{f.size}".encode() + f.tobytes() for f in ImageSequence.Iterator(image)]
        return sha256(*parts)
