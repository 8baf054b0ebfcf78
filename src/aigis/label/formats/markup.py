"""Markdown (YAML front matter) and HTML (``<meta name="AIGC">``)."""

from __future__ import annotations

import html
import json
import re

import yaml

from aigis.label.fields import KEY, AigcLabel, parse_label
from aigis.label.formats.base import Format, Found, found_text, sha256

_FRONT = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_AIGC_LINE = re.compile(r"^AIGC[ \t]*:.*(?:\r?\n(?:[ \t]+.*))*(?:\r?\n)?", re.M | re.I)
_META = re.compile(r"<meta\b[^>]*\bname\s*=\s*[\"']?AIGC[\"']?[^>]*>", re.I)
_CONTENT = re.compile(r"\bcontent\s*=\s*(\"([^\"]*)\"|'([^']*)')", re.I | re.S)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_DOCTYPE = re.compile(r"\A\s*<!doctype[^>]*>", re.I)


def _text(data: bytes, fmt: Format) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fmt.fail("not UTF-8 text") from None


class Markdown(Format):
    name = "markdown"
    modality = "text"
    extensions = (".md", ".markdown")

    def split(self, data: bytes) -> tuple[str | None, str]:
        text = _text(data, self)
        match = _FRONT.match(text)
        if not match:
            return None, text
        return match.group(1), text[match.end() :]

    def read_bytes(self, data: bytes) -> list[Found]:
        front, _ = self.split(data)
        if front is None:
            return []
        try:
            meta = yaml.safe_load(front)
        except yaml.YAMLError as exc:
            raise self.fail(f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from None
        if not isinstance(meta, dict):
            return []
        found = []
        for key, value in meta.items():
            if str(key).upper() == KEY:
                if isinstance(value, dict):
                    found.append(Found("front-matter:AIGC", parse_label(_json({KEY: value})), str(value)))
                else:
                    found.append(found_text("front-matter:AIGC", str(value)))
        return found

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        front, body = self.split(data)
        line = f"AIGC: {label.to_json()}\n"
        kept = _AIGC_LINE.sub("", front + "\n") if front is not None else ""
        return f"---\n{line}{kept}---\n{body}".encode()

    def hash_bytes(self, data: bytes) -> str:
        return sha256(self.split(data)[1].encode("utf-8"))


def _json(obj: object) -> str:
    return json.dumps(obj, default=str)


class Html(Format):
    name = "html"
    modality = "text"
    extensions = (".html", ".htm", ".xhtml")

    def sniff(self, head: bytes) -> bool:
        start = head.lstrip()[:15].lower()
        return start.startswith((b"<!doctype html", b"<html"))

    def read_bytes(self, data: bytes) -> list[Found]:
        text = _text(data, self)
        found = []
        for tag in _META.findall(text):
            match = _CONTENT.search(tag)
            raw = html.unescape(
                (match.group(2) if match.group(2) is not None else match.group(3)) if match else ""
            )
            found.append(found_text("meta:AIGC", raw))
        return found

    def write_bytes(self, data: bytes, label: AigcLabel) -> bytes:
        text = _META.sub("", _text(data, self))
        tag = f'<meta name="AIGC" content="{html.escape(label.to_json(), quote=True)}">'
        head = _HEAD.search(text)
        if head:
            text = text[: head.end()] + tag + text[head.end() :]
        else:
            doctype = _DOCTYPE.match(text)
            at = doctype.end() if doctype else 0
            text = text[:at] + tag + text[at:]
        return text.encode("utf-8")

    def hash_bytes(self, data: bytes) -> str:
        return sha256(_META.sub("", _text(data, self)).encode("utf-8"))
