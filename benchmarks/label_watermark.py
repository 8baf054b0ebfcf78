"""Image watermark benchmark: aigis versus invisible-watermark (dwtDct, dwtDctSvd), same photos, same run.

Photos: scikit-image's bundled samples (astronaut, chelsea, coffee) when scikit-image is installed,
else locally generated photo-like images; scaled to 512x512 and 1920x1080. Payload: 48 bits.
Attacks: JPEG quality 50 and 75, resize to 0.5x, 10% crop (5% off each side), brightness +/-20%.
Peer install for this benchmark only: pip install invisible-watermark scikit-image
(invisible-watermark imports torch for its RivaGAN mode only; a stand-in module is used when torch is absent).

    .venv/bin/python benchmarks/label_watermark.py
"""

from __future__ import annotations

import io
import sys
import time
import types
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageEnhance

from aigis.label import watermark_image as wm

Method = tuple[Callable[[Image.Image, list[int]], Image.Image], Callable[[Image.Image], list[int]]]


def photos() -> dict[str, Image.Image]:
    try:
        from skimage import data

        return {
            "astronaut": Image.fromarray(data.astronaut()),
            "chelsea": Image.fromarray(data.chelsea()),
            "coffee": Image.fromarray(data.coffee()),
        }
    except ImportError:
        rng = np.random.default_rng(0)
        y, x = np.mgrid[0:600, 0:800].astype(np.float32)
        out = {}
        for i in range(3):
            base = np.stack(
                [
                    128 + 70 * np.sin(x / (20 + 7 * i)),
                    120 + 60 * np.cos(y / (15 + 5 * i)),
                    110 + 50 * np.sin((x + y) / 31),
                ],
                -1,
            ) + rng.normal(0, 8, (600, 800, 3))
            out[f"generated-{i}"] = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
        return out


def _bits_to_bytes(bits: list[int]) -> bytes:
    return np.packbits(np.array(bits, np.uint8)).tobytes()


def aigis_method() -> Method:
    def embed(image: Image.Image, bits: list[int]) -> Image.Image:
        return wm.embed(image, _bits_to_bytes(bits))

    def detect(image: Image.Image) -> list[int]:
        return [int(b) for b in wm.detect(image).bits[: wm.PAYLOAD_BITS]]

    return embed, detect


def peer_method(name: str) -> Method | None:
    if "torch" not in sys.modules:
        try:
            import torch  # noqa: F401
        except ImportError:
            sys.modules["torch"] = types.ModuleType("torch")
    try:
        import cv2
        from imwatermark import WatermarkDecoder, WatermarkEncoder
    except ImportError:
        return None

    def embed(image: Image.Image, bits: list[int]) -> Image.Image:
        encoder = WatermarkEncoder()
        encoder.set_watermark("bits", bits)
        bgr = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
        return Image.fromarray(cv2.cvtColor(encoder.encode(bgr, name), cv2.COLOR_BGR2RGB))

    def detect(image: Image.Image) -> list[int]:
        decoder = WatermarkDecoder("bits", 48)
        bgr = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
        return [int(b) for b in decoder.decode(bgr, name)]

    return embed, detect


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


ATTACKS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "none": lambda im: im,
    "jpeg50": lambda im: jpeg(im, 50),
    "jpeg75": lambda im: jpeg(im, 75),
    "resize0.5": lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.BILINEAR),
    "crop10%": lambda im: im.crop(
        (im.width // 20, im.height // 20, im.width - im.width // 20, im.height - im.height // 20)
    ),
    "bright+20%": lambda im: ImageEnhance.Brightness(im).enhance(1.2),
    "bright-20%": lambda im: ImageEnhance.Brightness(im).enhance(0.8),
}


def psnr(a: Image.Image, b: Image.Image) -> float:
    diff = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    return float(10 * np.log10(255**2 / max(np.mean(diff**2), 1e-12)))


def main() -> None:
    methods: dict[str, Method] = {"aigis": aigis_method()}
    for name in ("dwtDct", "dwtDctSvd"):
        peer = peer_method(name)
        if peer is not None:
            methods[f"invisible-watermark {name}"] = peer
    if len(methods) == 1:
        print("invisible-watermark is not installed; showing aigis only (pip install invisible-watermark)")
    rng = np.random.default_rng(1)
    bits = [int(b) for b in rng.integers(0, 2, 48)]
    sizes = {"512": (512, 512), "1080p": (1920, 1080)}
    print(
        f"{'method':28} {'size':6} {'embed ms':>9} {'detect ms':>9} {'PSNR dB':>8} "
        + " ".join(f"{a:>10}" for a in ATTACKS)
    )
    for method, (embed, detect) in methods.items():
        for size_name, size in sizes.items():
            times_e, times_d, psnrs = [], [], []
            acc: dict[str, list[float]] = {a: [] for a in ATTACKS}
            for photo in photos().values():
                image = photo.convert("RGB").resize(size, Image.Resampling.LANCZOS)
                start = time.perf_counter()
                marked = embed(image, bits)
                times_e.append(time.perf_counter() - start)
                psnrs.append(psnr(image, marked))
                for attack, fn in ATTACKS.items():
                    attacked = fn(marked)
                    start = time.perf_counter()
                    found = detect(attacked)
                    if attack == "none":
                        times_d.append(time.perf_counter() - start)
                    acc[attack].append(float(np.mean(np.array(found[:48]) == np.array(bits))))
            print(
                f"{method:28} {size_name:6} {1000 * np.mean(times_e):9.1f} {1000 * np.mean(times_d):9.1f} "
                f"{np.mean(psnrs):8.2f} " + " ".join(f"{100 * np.mean(v):9.1f}%" for v in acc.values())
            )


if __name__ == "__main__":
    main()
