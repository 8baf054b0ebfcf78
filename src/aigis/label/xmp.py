"""XMP packets carrying the AIGC label: a strict writer and a tolerant reader."""

from __future__ import annotations

import html
import re

from aigis.label.fields import AigcLabel, parse_label

NS_TC260 = "http://www.tc260.org.cn/ns/AIGC/1.0/"
# Files in the wild also use a second namespace for the same element; the reader accepts any prefix.
NS_ALT = "http://ns.aigc.org.cn/AIGC/1.0/"
_ELEMENT = re.compile(r"<([\w.-]+):AIGC(?:\s[^>]*)?>(.*?)</\1:AIGC>", re.S)
_ATTRIBUTE = re.compile(r"\s([\w.-]+):AIGC\s*=\s*(\"([^\"]*)\"|'([^']*)')", re.S)
_BLOCK = re.compile(
    r"<rdf:Description[^>]*xmlns:TC260=[^>]*>\s*<TC260:AIGC>.*?</TC260:AIGC>\s*</rdf:Description>\s*", re.S
)


def packet(label: AigcLabel) -> str:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        + _description(label)
        + " </rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )


def _description(label: AigcLabel) -> str:
    return (
        f'  <rdf:Description rdf:about="" xmlns:TC260="{NS_TC260}">\n'
        f"   <TC260:AIGC>{html.escape(label.to_json(), quote=False)}</TC260:AIGC>\n"
        "  </rdf:Description>\n"
    )


def set_label(existing: str | None, label: AigcLabel) -> str:
    """A packet with exactly our label: other XMP properties of ``existing`` are kept."""
    if not existing or "</rdf:RDF>" not in existing:
        return packet(label)
    cleaned = remove_label(existing)
    index = cleaned.rfind("</rdf:RDF>")
    return cleaned[:index] + _description(label) + " " + cleaned[index:]


def remove_label(existing: str) -> str:
    cleaned = _BLOCK.sub("", existing)
    cleaned = _ELEMENT.sub("", cleaned)
    return _ATTRIBUTE.sub("", cleaned)


def read_labels(text: str | bytes) -> list[tuple[AigcLabel | None, str]]:
    """Every AIGC property in an XMP packet, as element or attribute, in any namespace prefix.
    Returns (label or None when unparseable, raw value)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    found: list[tuple[AigcLabel | None, str]] = []
    for match in _ELEMENT.finditer(text):
        raw = html.unescape(match.group(2).strip())
        found.append((parse_label(raw), raw))
    for match in _ATTRIBUTE.finditer(text):
        raw = html.unescape(match.group(3) if match.group(3) is not None else match.group(4))
        found.append((parse_label(raw), raw))
    return found
