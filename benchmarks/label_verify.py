"""Metadata verification throughput on small files (one process, one core).

Makes N small labeled files (PNG, JPEG, WAV, Markdown, HTML in turn), then times ``verify_paths`` on them:
format detection, label reading, conformance checks, content hashing and the Ed25519 signature check.

    .venv/bin/python benchmarks/label_verify.py [N]
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
from PIL import Image

from aigis.label.fields import new_label
from aigis.label.formats import BY_NAME
from aigis.label.signing import KeyRing, sign_producer
from aigis.label.verify import summary, verify_paths


def samples() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    png, jpg, wav = io.BytesIO(), io.BytesIO(), io.BytesIO()
    image.save(png, "PNG")
    image.save(jpg, "JPEG")
    with wave.open(wav, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(rng.integers(-2000, 2000, 1600, dtype=np.int16).tobytes())
    return {
        "png": png.getvalue(),
        "jpeg": jpg.getvalue(),
        "wav": wav.getvalue(),
        "markdown": b"# title\n\nbody\n",
        "html": b"<!DOCTYPE html><html><head></head><body>x</body></html>",
    }


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    ring = KeyRing.generate()
    suffix = {"png": ".png", "jpeg": ".jpg", "wav": ".wav", "markdown": ".md", "html": ".html"}
    raw = samples()
    with tempfile.TemporaryDirectory() as tmp:
        kinds = list(raw)
        for i in range(count):
            kind = kinds[i % len(kinds)]
            fmt = BY_NAME[kind]
            label = sign_producer(new_label("ORG-1", f"job-{i}"), fmt.hash_bytes(raw[kind]), ring)
            (Path(tmp) / f"f{i:05d}{suffix[kind]}").write_bytes(fmt.write_bytes(raw[kind], label))
        start = time.perf_counter()
        results = verify_paths([Path(tmp)], jobs=1, ring=ring)
        elapsed = time.perf_counter() - start
    print(f"files: {len(results)}  verdicts: {summary(results)}")
    print(f"one process: {elapsed:.2f} s, {len(results) / elapsed:.0f} files/s")


if __name__ == "__main__":
    main()
