"""C2PA sign and verify time per file with aigis (c2pa-python underneath), development CA, ES256.

For JPEG and PNG at 512x512 and 1920x1080, a 10 s WAV and (when ffmpeg is installed) a 5 s 720p MP4:
the time to sign a manifest (c2pa.actions with trainedAlgorithmicMedia + the cn.gb45438.aigc assertion)
and the time to read and validate it (``c2pa_manifest.read_file``: validation, trust check against the
development root). Every signed file is also validated by c2pa-python directly (interop).

    .venv/bin/python benchmarks/label_c2pa.py [REPEATS]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
from PIL import Image


def photo(width: int, height: int) -> Image.Image:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height)], axis=-1)
    noise = rng.normal(0, 12, (height, width, 3))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))


def samples(folder: Path) -> list[tuple[str, Path, str]]:
    out = []
    for width, height, size in ((512, 512, "512"), (1920, 1080, "1080p")):
        image = photo(width, height)
        for ext, mime in (("jpg", "image/jpeg"), ("png", "image/png")):
            path = folder / f"{size}.{ext}"
            image.save(path, **({"quality": 90} if ext == "jpg" else {}))
            out.append((f"{'JPEG' if ext == 'jpg' else 'PNG'} {size}", path, mime))
    wav = folder / "10s.wav"
    rng = np.random.default_rng(1)
    with wave.open(str(wav), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(44100)
        handle.writeframes(rng.integers(-3000, 3000, 44100 * 10 * 2, dtype=np.int16).tobytes())
    out.append(("WAV 10 s stereo", wav, "audio/wav"))
    if shutil.which("ffmpeg"):
        mp4 = folder / "5s.mp4"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=1280x720:rate=25:duration=5",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                str(mp4),
            ],
            check=True,
        )
        out.append(("MP4 5 s 720p", mp4, "video/mp4"))
    return out


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory(prefix="aigis-c2pa-bench-") as tmp:
        os.environ["AIGIS_HOME"] = str(Path(tmp) / "home")
        import c2pa

        from aigis.label import c2pa_ca, c2pa_manifest
        from aigis.label.fields import new_label

        credentials = c2pa_ca.dev_credentials()
        root = c2pa_ca.dev_root_pem()
        label = new_label("ORG-BENCH", "bench-1")
        print(f"c2pa-python {c2pa.__version__}, c2pa-rs {c2pa.sdk_version()}, {repeats} repeats, medians")
        print("| file | size KiB | manifest KiB | sign ms | verify ms | aigis status | c2pa-python state |")
        print("|---|---:|---:|---:|---:|---|---|")
        for name, path, mime in samples(Path(tmp)):
            signed = path.with_name("signed-" + path.name)
            sign_ms, verify_ms = [], []
            status = ""
            for _ in range(repeats):
                start = time.perf_counter()
                c2pa_manifest.sign_file(path, signed, label, credentials)
                sign_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                status = c2pa_manifest.read_file(signed, None, root).status
                verify_ms.append((time.perf_counter() - start) * 1000)
            settings = c2pa.Settings.from_dict({"trust": {"trust_anchors": (root or b"").decode()}})
            with open(signed, "rb") as stream, c2pa.Reader(mime, stream, None, c2pa.Context(settings)) as r:
                state = json.loads(r.json())["validation_state"]
            extra = (signed.stat().st_size - path.stat().st_size) / 1024
            sign, check = statistics.median(sign_ms), statistics.median(verify_ms)
            size = path.stat().st_size / 1024
            print(f"| {name} | {size:.0f} | {extra:.1f} | {sign:.1f} | {check:.1f} | {status} | {state} |")


if __name__ == "__main__":
    main()
