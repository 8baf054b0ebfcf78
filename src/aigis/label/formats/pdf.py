"""PDF: ``/AIGC`` in the document Info dictionary and XMP in the catalog's ``/Metadata`` stream."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import NameObject, StreamObject

from aigis.label import xmp
from aigis.label.fields import AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

logging.getLogger("pypdf").setLevel(logging.ERROR)


class Pdf(Format):
    name = "pdf"
    modality = "document"
    extensions = (".pdf",)

    def sniff(self, head: bytes) -> bool:
        return b"%PDF-" in head[:1024]

    def _reader(self, data: bytes) -> PdfReader:
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            _ = len(reader.pages)
            return reader
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise self.fail(f"cannot parse ({exc})") from None

    def _xmp(self, reader: PdfReader) -> str | None:
        root: Any = reader.trailer["/Root"].get_object()
        meta = root.get("/Metadata")
        if meta is None:
            return None
        try:
            return bytes(meta.get_object().get_data()).decode("utf-8", "replace")
        except (PyPdfError, ValueError, AttributeError):
            return None

    def read_bytes(self, data: bytes) -> list[Found]:
        reader = self._reader(data)
        found: list[Found] = []
        info: dict[str, Any] = dict(reader.metadata or {})
        for key, value in info.items():
            if str(key).lstrip("/").upper() == "AIGC":
                found.append(found_text("Info:/AIGC", str(value)))
        packet = self._xmp(reader)
        if packet:
            found += [Found("XMP", label, raw) for label, raw in xmp.read_labels(packet)]
        return found

    def write(self, src: Path, dst: Path, label: AigcLabel) -> None:
        reader = self._reader(src.read_bytes())
        existing = self._xmp(reader)
        try:
            writer = PdfWriter(clone_from=reader)
            writer.add_metadata({"/AIGC": label.to_json()})
            stream = StreamObject()
            stream.set_data(xmp.set_label(existing, label).encode("utf-8"))
            stream[NameObject("/Type")] = NameObject("/Metadata")
            stream[NameObject("/Subtype")] = NameObject("/XML")
            writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
            with open(dst, "wb") as handle:
                writer.write(handle)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self.fail(f"cannot write ({exc})") from None

    def hash_bytes(self, data: bytes) -> str:
        reader = self._reader(data)
        parts = []
        try:
            for page in reader.pages:
                contents = page.get_contents()
                box = [float(v) for v in page.mediabox]
                parts.append(repr(box).encode() + (contents.get_data() if contents is not None else b""))
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self.fail(f"cannot read page contents ({exc})") from None
        return sha256(*parts)
