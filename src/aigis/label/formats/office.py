"""DOCX / XLSX / PPTX: a custom document property ``AIGC`` in ``docProps/custom.xml``."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

from aigis.label.fields import KEY, AigcLabel
from aigis.label.formats.base import Format, Found, found_text, sha256

CUSTOM = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
PACKAGE_PARTS = {CUSTOM, "[Content_Types].xml", "_rels/.rels"}
_PROPERTY = re.compile(r"<property\b[^>]*\bname=\"([^\"]*)\"[^>]*>(.*?)</property>", re.S)
_VALUE = re.compile(r"<vt:\w+>(.*?)</vt:\w+>", re.S)


class Office(Format):
    name = "ooxml"
    modality = "document"
    extensions = (".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm")

    def sniff(self, head: bytes) -> bool:
        return head[:4] == b"PK\x03\x04" and (
            b"[Content_Types].xml" in head or b"docProps" in head or b"_rels" in head or b"word/" in head
        )

    def _zip(self, data: bytes) -> zipfile.ZipFile:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError) as exc:
            raise self.fail(f"not a readable ZIP package ({exc})") from None
        if "[Content_Types].xml" not in archive.namelist():
            raise self.fail("no [Content_Types].xml: not an Office Open XML package")
        return archive

    def _readall(self, archive: zipfile.ZipFile, name: str) -> bytes:
        try:
            return archive.read(name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise self.fail(f"part {name} is corrupted ({exc})") from None

    def read_bytes(self, data: bytes) -> list[Found]:
        archive = self._zip(data)
        if CUSTOM not in archive.namelist():
            return []
        text = self._readall(archive, CUSTOM).decode("utf-8", "replace")
        found = []
        for name, body in _PROPERTY.findall(text):
            if name.upper() == KEY:
                value = _VALUE.search(body)
                found.append(found_text(f"{CUSTOM}:AIGC", html.unescape(value.group(1) if value else body)))
        return found

    def write(self, src: Path, dst: Path, label: AigcLabel) -> None:
        archive = self._zip(src.read_bytes())
        names = archive.namelist()
        props: list[tuple[str, str]] = []
        if CUSTOM in names:
            text = self._readall(archive, CUSTOM).decode("utf-8", "replace")
            props = [(n, b) for n, b in _PROPERTY.findall(text) if n.upper() != KEY]
        custom = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        ]
        for pid, (name, body) in enumerate(
            [*props, (KEY, f"<vt:lpwstr>{html.escape(label.to_json())}</vt:lpwstr>")], start=2
        ):
            custom.append(
                f'<property fmtid="{FMTID}" pid="{pid}" name="{html.escape(name)}">{body}</property>'
            )
        custom.append("</Properties>")
        types = self._readall(archive, "[Content_Types].xml").decode("utf-8")
        if f'PartName="/{CUSTOM}"' not in types:
            types = types.replace(
                "</Types>", f'<Override PartName="/{CUSTOM}" ContentType="{CUSTOM_TYPE}"/></Types>'
            )
        rels = (
            self._readall(archive, "_rels/.rels").decode("utf-8")
            if "_rels/.rels" in names
            else (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
            )
        )
        if CUSTOM_REL not in rels:
            ids = set(re.findall(r'Id="([^"]+)"', rels))
            rid = next(f"rId{i}" for i in range(100, 10000) if f"rId{i}" not in ids)
            rels = rels.replace(
                "</Relationships>",
                f'<Relationship Id="{rid}" Type="{CUSTOM_REL}" Target="{CUSTOM}"/></Relationships>',
            )
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("[Content_Types].xml", types)
            for info in archive.infolist():
                if info.filename in PACKAGE_PARTS:
                    continue
                out.writestr(info, self._readall(archive, info.filename))
            out.writestr("_rels/.rels", rels)
            out.writestr(CUSTOM, "".join(custom))

    def hash_bytes(self, data: bytes) -> str:
        archive = self._zip(data)
        names = sorted(n for n in archive.namelist() if n not in PACKAGE_PARTS)
        return sha256(*(n.encode() + b"\x00" + self._readall(archive, n) for n in names))
