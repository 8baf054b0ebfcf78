"""Image watermark: payload survives JPEG, resize, crop and brightness; add and verify integration."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from aigis.errors import InputError
from aigis.label.api import add_labels
from aigis.label.signing import KeyRing
from aigis.label.verify import default_extras, verify_file
from aigis.label.watermark_image import _bits, detect, embed, payload_for

try:
    from tests.test_label_samples import photo
except ImportError:  # tests/ is not a package
    from test_label_samples import photo  # type: ignore[no-redef]


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _psnr(a: Image.Image, b: Image.Image) -> float:
    diff = np.asarray(a, float) - np.asarray(b, float)
    return float(10 * np.log10(255**2 / np.mean(diff**2)))


@pytest.fixture(scope="module")
def marked() -> tuple[Image.Image, Image.Image, bytes]:
    original = photo(640, 480, seed=11)
    payload = payload_for("task-2025-0001")
    return original, embed(original, payload), payload


def test_quality_and_clean_detection(marked: tuple[Image.Image, Image.Image, bytes]) -> None:
    original, image, payload = marked
    assert _psnr(original, image) >= 40
    found = detect(image)
    assert found.found and found.payload == payload and found.confidence > 0.9
    clean = detect(original)
    assert not clean.found and clean.payload is None and clean.confidence < 0.5


@pytest.mark.parametrize("attack", ["jpeg50", "jpeg75", "resize", "crop", "bright+", "bright-"])
def test_survives_attacks(marked: tuple[Image.Image, Image.Image, bytes], attack: str) -> None:
    _, image, payload = marked
    w, h = image.size
    attacked = {
        "jpeg50": lambda: _jpeg(image, 50),
        "jpeg75": lambda: _jpeg(image, 75),
        "resize": lambda: image.resize((w // 2, h // 2), Image.Resampling.BILINEAR),
        "crop": lambda: image.crop((w // 20, h // 20, w - w // 20, h - h // 20)),
        "bright+": lambda: ImageEnhance.Brightness(image).enhance(1.2),
        "bright-": lambda: ImageEnhance.Brightness(image).enhance(0.8),
    }[attack]()
    result = detect(attacked)
    expected = (_bits(payload) > 0).astype(np.uint8)
    assert (result.bits == expected).mean() >= 0.99
    assert result.found and result.payload == payload


def test_rejects_small_images_and_wrong_payloads() -> None:
    with pytest.raises(InputError, match="too small"):
        embed(Image.new("RGB", (64, 64)), payload_for("x"))
    with pytest.raises(InputError, match="48"):
        embed(photo(256, 256), b"\x01\x02")


def test_add_and_verify_with_watermark(tmp_path: Path) -> None:
    src = tmp_path / "in.jpg"
    photo(512, 384, seed=2).save(src, quality=92)
    out = tmp_path / "out.jpg"
    ring = KeyRing.generate()
    result = add_labels(src, out, "ORG", "job-42", watermark=True, explicit=True, ring=ring)
    assert result.steps["watermark"]["payload"] == payload_for("job-42").hex()
    checked = verify_file(out, ring, default_extras(watermark=True))
    assert checked.verdict == "compliant"
    assert checked.watermark and checked.watermark["found"] and checked.watermark["matches_label"]
    # Metadata stripped by re-encoding: the watermark still says AI-generated, so the file is noncompliant.
    stripped = tmp_path / "stripped.jpg"
    Image.open(out).save(stripped, quality=75)
    checked = verify_file(stripped, ring, default_extras(watermark=True))
    assert checked.verdict == "noncompliant" and checked.watermark and checked.watermark["found"]
