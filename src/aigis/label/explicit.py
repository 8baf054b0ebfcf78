"""Explicit labels (what a person perceives): text notices and image notices, and their checks.

Text: a notice with an AI element (人工智能 / AI) and a generation element (生成 / 合成) at the start,
end or a chosen middle position; streamed responses get it on the first (or last) chunk.
Image: a text notice on an edge or corner, glyph height at least 5% of the shortest side, drawn with a
contrasting outline so it is legible on any background, in the WenQuanYi Micro Hei CJK font.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageStat

from aigis.errors import ConfigError, InputError
from aigis.i18n import Lang

TextPosition = Literal["start", "end", "middle"]
ImagePosition = Literal["top-left", "top", "top-right", "bottom-left", "bottom", "bottom-right"]
IMAGE_POSITIONS: tuple[str, ...] = ("top-left", "top", "top-right", "bottom-left", "bottom", "bottom-right")
NOTICE = {"zh": "本内容由人工智能生成", "en": "AI-generated content"}
SHORT_NOTICE = {"zh": "AI生成", "en": "AI-generated"}
MIN_HEIGHT_RATIO = 0.05
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)
_AI = re.compile(r"人工智能|\bAI\b|AI(?=生成|合成)|artificial intelligence", re.I)
_GEN = re.compile(r"生成|合成|generated|synthesi[sz]ed|synthetic", re.I)


def has_notice(text: str) -> bool:
    """Whether a text contains both an AI element and a generation element."""
    return bool(_AI.search(text) and _GEN.search(text))


def notice(lang: Lang = "zh", wording: str | None = None) -> str:
    text = wording if wording is not None else NOTICE[lang]
    if not has_notice(text):
        raise InputError(
            f"notice wording {text!r} must contain an AI element (人工智能/AI) and a generation "
            "element (生成/合成/generated)"
        )
    return text


def label_text(
    text: str,
    position: TextPosition = "start",
    lang: Lang = "zh",
    wording: str | None = None,
    at: int | None = None,
) -> str:
    """The text with a notice at the start, the end, or in the middle (at character ``at`` or the middle)."""
    mark = notice(lang, wording)
    if position == "start":
        return f"【{mark}】{text}" if lang == "zh" else f"[{mark}] {text}"
    if position == "end":
        return f"{text}\n【{mark}】" if lang == "zh" else f"{text}\n[{mark}]"
    if position == "middle":
        index = len(text) // 2 if at is None else at
        if not 0 <= index <= len(text):
            raise InputError(f"--at {index}: outside the text; use 0 to {len(text)}")
        return (
            f"{text[:index]}【{mark}】{text[index:]}"
            if lang == "zh"
            else f"{text[:index]} [{mark}] {text[index:]}"
        )
    raise InputError(f"position {position!r} is not allowed; use start, end or middle")


def label_stream(
    chunks: Iterable[str], position: TextPosition = "start", lang: Lang = "zh", wording: str | None = None
) -> Iterator[str]:
    """Label a streamed chat response: the notice is the first chunk (start) or the last (end)."""
    if position not in ("start", "end"):
        raise InputError(f"position {position!r} is not allowed for streams; use start or end")
    mark = notice(lang, wording)
    text = f"【{mark}】" if lang == "zh" else f"[{mark}] "
    if position == "start":
        yield text
    yield from chunks
    if position == "end":
        yield ("\n" + text).rstrip()


@dataclass(frozen=True)
class TextCheck:
    ok: bool
    position: str | None
    problems: list[str]


def check_text(text: str, window: int = 60) -> TextCheck:
    """Is there a notice, and where (start, end or middle)?"""
    if not has_notice(text):
        return TextCheck(False, None, ["no notice with both an AI element and a generation element"])
    head, tail = text[:window], text[-window:]
    if has_notice(head):
        return TextCheck(True, "start", [])
    if has_notice(tail):
        return TextCheck(True, "end", [])
    return TextCheck(True, "middle", [])


def font_path() -> Path:
    for candidate in FONT_PATHS:
        if Path(candidate).exists():
            return Path(candidate)
    raise ConfigError(
        "the CJK font WenQuanYi Micro Hei is missing (expected /usr/share/fonts/truetype/wqy/"
        "wqy-microhei.ttc); install the Debian package fonts-wqy-microhei (make test does)"
    )


@dataclass(frozen=True)
class ImagePlacement:
    """Where the notice was drawn: the text box and the glyph height, in pixels."""

    text: str
    position: str
    box: tuple[int, int, int, int]
    glyph_height: int
    image_size: tuple[int, int]
    fill: tuple[int, int, int]

    def problems(self) -> list[str]:
        out = []
        shortest = min(self.image_size)
        if self.glyph_height < MIN_HEIGHT_RATIO * shortest:
            out.append(f"text height {self.glyph_height}px is below 5% of the shortest side ({shortest}px)")
        x0, y0, x1, y1 = self.box
        width, height = self.image_size
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            out.append("the notice runs outside the image")
        if self.position not in IMAGE_POSITIONS:
            out.append(f"position {self.position!r} is not an edge or corner")
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "position": self.position,
            "box": list(self.box),
            "glyph_height": self.glyph_height,
            "image_size": list(self.image_size),
            "problems": self.problems(),
        }


def _fit_font(text: str, glyph_height: int, max_width: int) -> tuple[ImageFont.FreeTypeFont, int]:
    path = str(font_path())
    size = max(8, glyph_height)
    while True:
        font = ImageFont.truetype(path, size)
        box = font.getbbox(text)
        height = int(box[3] - box[1])
        if height >= glyph_height or size > 4 * glyph_height:
            break
        size += 1
    width = font.getbbox(text)[2] - font.getbbox(text)[0]
    if width > max_width:
        raise InputError(
            f"the notice {text!r} does not fit the image at the required height; "
            "use shorter wording or a wider image"
        )
    return font, height


def label_image(
    image: Image.Image,
    lang: Lang = "zh",
    wording: str | None = None,
    position: ImagePosition = "bottom-right",
    height_ratio: float = 0.06,
) -> tuple[Image.Image, ImagePlacement]:
    """A copy of the image with the notice drawn on an edge or corner."""
    if position not in IMAGE_POSITIONS:
        raise InputError(f"position {position!r} is not allowed; use one of {', '.join(IMAGE_POSITIONS)}")
    if height_ratio < MIN_HEIGHT_RATIO:
        raise InputError(f"height ratio {height_ratio} is below the 5% minimum of GB 45438")
    text = (
        wording if wording is not None else (NOTICE[lang] if min(image.size) >= 300 else SHORT_NOTICE[lang])
    )
    notice(lang, text)
    out = image.convert("RGBA") if image.mode in ("RGBA", "LA", "P") else image.convert("RGB")
    width, height = out.size
    target = max(1, round(height_ratio * min(width, height)))
    margin = max(2, target // 3)
    try:
        font, glyph = _fit_font(text, target, width - 2 * margin)
    except InputError:
        text = SHORT_NOTICE[lang] if wording is None else text
        font, glyph = _fit_font(text, target, width - 2 * margin)
    bbox = [int(v) for v in font.getbbox(text)]
    text_w, text_h = bbox[2] - bbox[0], bbox[3] - bbox[1]
    x = {"left": margin, "right": width - margin - text_w}.get(position.split("-")[-1], (width - text_w) // 2)
    y = margin if position.startswith("top") else height - margin - text_h
    box = (x, y, x + text_w, y + text_h)
    region = out.convert("L").crop(box)
    luminance = ImageStat.Stat(region).mean[0]
    fill, stroke = ((0, 0, 0), (255, 255, 255)) if luminance > 140 else ((255, 255, 255), (0, 0, 0))
    draw = ImageDraw.Draw(out)
    draw.text(
        (x - bbox[0], y - bbox[1]),
        text,
        font=font,
        fill=fill,
        stroke_width=max(1, glyph // 12),
        stroke_fill=stroke,
    )
    if image.mode not in ("RGBA", "LA", "P"):
        out = out.convert(image.mode) if image.mode in ("RGB", "L") else out
    return out, ImagePlacement(text, position, box, glyph, (width, height), fill)


@lru_cache(maxsize=64)
def _template(
    size: tuple[int, int], text: str, position: str
) -> tuple[np.ndarray, np.ndarray, ImagePlacement] | None:
    """Pixel indices of the glyph fill and outline for a notice drawn on a plain grey image of ``size``."""
    canvas = Image.new("RGB", size, (128, 128, 128))
    try:
        drawn, placement = label_image(canvas, "zh", text, position=position)  # type: ignore[arg-type]
    except InputError:
        return None
    pixels = np.asarray(drawn.convert("L"), np.int16)
    fill = np.flatnonzero(pixels.reshape(-1) >= 250)
    stroke = np.flatnonzero(pixels.reshape(-1) <= 5)
    if fill.size < 20 or stroke.size < 20:
        return None
    return fill, stroke, placement


def find_image_notice(image: Image.Image, threshold: float = 0.8) -> dict[str, object] | None:
    """Look for a notice in the standard wordings at every edge and corner; its placement and a score.

    The notice is drawn black on white outline or white on black outline, so the glyph pixels and the
    outline pixels of a template must both have the expected luminance (tolerance 80 of 255).
    """
    luma = np.asarray(image.convert("L"), np.int16).reshape(-1)
    size = (image.width, image.height)
    best: tuple[float, ImagePlacement] | None = None
    for text in (*NOTICE.values(), *SHORT_NOTICE.values()):
        for position in IMAGE_POSITIONS:
            template = _template(size, text, position)
            if template is None:
                continue
            fill, stroke, placement = template
            for glyph, outline in ((255, 0), (0, 255)):
                score = min(
                    float(np.mean(np.abs(luma[fill] - glyph) <= 80)),
                    float(np.mean(np.abs(luma[stroke] - outline) <= 80)),
                )
                if best is None or score > best[0]:
                    best = (score, placement)
    if best is None or best[0] < threshold:
        return None
    return {**best[1].to_dict(), "score": round(best[0], 3)}
