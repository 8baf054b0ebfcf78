"""Sample files made by real encoders (Pillow, soundfile, ffmpeg, python-docx), shared by the label tests."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg is not installed (Debian package ffmpeg)")


def photo(width: int = 96, height: int = 64, seed: int = 0) -> Image.Image:
    """A smooth, photo-like RGB image with some texture."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack(
        [128 + 80 * np.sin(x / 17 + seed), 120 + 60 * np.cos(y / 13), 100 + 50 * np.sin((x + y) / 23)], -1
    )
    noise = rng.normal(0, 6, (height, width, 3))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")


def tone(seconds: float = 0.5, rate: int = 44100) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def ffmpeg(*args: str) -> None:
    assert FFMPEG is not None
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True)


def _minimal_ooxml(path: Path, kind: str) -> None:
    main = {
        "xlsx": (
            "xl/workbook.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        ),
        "pptx": (
            "ppt/presentation.xml",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        ),
    }[kind]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main[0]}" ContentType="{main[1]}"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/officeDocument" Target="{main[0]}"/></Relationships>',
        )
        z.writestr(main[0], "<root/>")


def make(kind: str, folder: Path, name: str = "sample") -> Path:
    """A real file of one kind (by extension)."""
    path = folder / f"{name}.{kind}"
    if kind in ("png", "jpg", "webp", "gif", "tiff", "pdf"):
        image = photo()
        if kind == "gif":
            image = image.convert("P")
        image.save(path, **({"quality": 90} if kind == "jpg" else {}))
    elif kind in ("wav", "flac", "ogg"):
        import soundfile

        soundfile.write(path, tone(), 44100, format={"wav": "WAV", "flac": "FLAC", "ogg": "OGG"}[kind])
    elif kind == "mp3":
        ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=0.5",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            str(path),
        )
    elif kind in ("mp4", "mov"):
        ffmpeg(
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=10:duration=0.5",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=0.5",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            *(["-movflags", "+faststart"] if kind == "mov" else []),
            str(path),
        )
    elif kind == "docx":
        import docx

        document = docx.Document()
        document.add_paragraph("人工智能生成的报告 / a generated report")
        document.save(str(path))
    elif kind in ("xlsx", "pptx"):
        _minimal_ooxml(path, kind)
    elif kind == "md":
        path.write_text("---\ntitle: 示例\n---\n# 标题\n\n正文 body text.\n", encoding="utf-8")
    elif kind == "html":
        path.write_text(
            "<!DOCTYPE html><html><head><title>t</title></head><body><p>你好 hello</p></body></html>",
            encoding="utf-8",
        )
    elif kind == "txt":
        path.write_text("生成的文本 generated text\n", encoding="utf-8")
    else:
        raise ValueError(kind)
    return path


KINDS = [
    "png",
    "jpg",
    "webp",
    "gif",
    "tiff",
    "wav",
    "flac",
    "ogg",
    "mp3",
    "mp4",
    "mov",
    "pdf",
    "docx",
    "xlsx",
    "pptx",
    "md",
    "html",
    "txt",
]
FFMPEG_KINDS = {"mp3", "mp4", "mov"}
