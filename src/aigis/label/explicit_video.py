"""Explicit video labels: the image notice over the opening frames (at least 2 s), optionally the middle
and the end, drawn with ffmpeg's overlay filter; the audio track is copied, not re-encoded.

The notice is the image notice of :mod:`aigis.label.explicit` (edge or corner, glyph height at least 5%
of the shortest side, contrast chosen from the first frame). The check reads frames back and reports for
how long from the start the notice is visible.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops

from aigis.errors import ConfigError, InputError
from aigis.i18n import Lang
from aigis.label import explicit
from aigis.label.audio_io import ffmpeg_path

MIN_SECONDS = 2.0
DEFAULT_SECONDS = 3.0


def _ffprobe() -> str:
    found = shutil.which("ffprobe")
    if found is None:
        raise ConfigError("the ffprobe program is missing; install the Debian package ffmpeg")
    return found


def probe(path: Path) -> dict[str, Any]:
    """Width, height, duration (s), frame rate and whether there is an audio stream."""
    done = subprocess.run(
        [_ffprobe(), "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise InputError(f"{path}: not a readable video: {done.stderr.decode('utf-8', 'replace')[-300:]}")
    info = json.loads(done.stdout or b"{}")
    video = next((s for s in info.get("streams", []) if s.get("codec_type") == "video"), None)
    if video is None:
        raise InputError(f"{path}: no video stream")
    num, _, den = str(video.get("r_frame_rate", "25/1")).partition("/")
    return {
        "width": int(video["width"]),
        "height": int(video["height"]),
        "duration": float(info.get("format", {}).get("duration") or video.get("duration") or 0.0),
        "fps": float(num) / float(den or 1) if float(den or 1) else 25.0,
        "audio": any(s.get("codec_type") == "audio" for s in info.get("streams", [])),
    }


def _run(args: list[str]) -> bytes:
    done = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-nostdin", "-y", *args], capture_output=True, check=False, timeout=600
    )
    if done.returncode != 0:
        raise InputError(f"ffmpeg failed: {done.stderr.decode('utf-8', 'replace').strip()[-400:]}")
    return done.stdout


def frames(path: Path, size: tuple[int, int], times: list[float]) -> list[Image.Image]:
    """RGB frames at the given times (seconds)."""
    out = []
    width, height = size
    for t in times:
        raw = _run(
            ["-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        )
        if len(raw) < width * height * 3:
            break
        out.append(Image.frombytes("RGB", size, raw[: width * height * 3]))
    return out


@dataclass(frozen=True)
class VideoPlacement:
    notice: explicit.ImagePlacement
    windows: list[tuple[float, float]]

    def to_dict(self) -> dict[str, Any]:
        return {**self.notice.to_dict(), "windows": [[round(a, 3), round(b, 3)] for a, b in self.windows]}


def label_video(
    src: Path,
    dst: Path,
    lang: Lang = "zh",
    wording: str | None = None,
    corner: explicit.ImagePosition = "bottom-right",
    seconds: float = DEFAULT_SECONDS,
    middle: bool = False,
    end: bool = False,
) -> VideoPlacement:
    """Write ``dst``: ``src`` with the notice over its first ``seconds`` (and optionally middle and end)."""
    if seconds < MIN_SECONDS:
        raise InputError(f"--seconds {seconds}: the opening notice must last at least {MIN_SECONDS:.0f} s")
    info = probe(src)
    size = (info["width"], info["height"])
    first = frames(src, size, [0.0])
    if not first:
        raise InputError(f"{src}: cannot read the first frame")
    labeled, placement = explicit.label_image(first[0], lang, wording, position=corner)
    diff = ImageChops.difference(labeled.convert("RGB"), first[0]).convert("L")
    mask = diff.point(lambda v: 255 if v > 0 else 0)
    overlay = labeled.convert("RGBA")
    overlay.putalpha(mask)
    duration = info["duration"] or seconds
    windows = [(0.0, min(seconds, duration) if duration >= MIN_SECONDS else seconds)]
    if middle:
        windows.append((max(0.0, duration / 2 - seconds / 2), duration / 2 + seconds / 2))
    if end:
        windows.append((max(0.0, duration - seconds), duration + 1.0))
    enable = "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in windows)
    with tempfile.TemporaryDirectory(prefix="aigis-video-") as tmp:
        png = Path(tmp) / "notice.png"
        overlay.save(png)
        out = Path(tmp) / f"out{dst.suffix or '.mp4'}"
        _run(
            [
                "-i", str(src), "-i", str(png),
                "-filter_complex", f"[0:v][1:v]overlay=0:0:enable='{enable}'[v]",
                "-map", "[v]", "-map", "0:a?",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
                "-c:a", "copy", "-movflags", "+faststart", str(out),
            ]
        )  # fmt: skip
        shutil.copyfile(out, dst)
    return VideoPlacement(placement, windows)


def check_video(path: Path, step: float = 0.25, horizon: float = 4.0) -> dict[str, Any]:
    """How long from the start a notice is visible (frames every ``step`` s), and rule problems."""
    info = probe(path)
    size = (info["width"], info["height"])
    width, height = size
    raw = _run(
        [
            "-t",
            f"{horizon:.3f}",
            "-i",
            str(path),
            "-vf",
            f"fps={1 / step:.6f}",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ]
    )
    count = len(raw) // (width * height * 3)
    shots = [
        Image.frombytes("RGB", size, raw[i * width * height * 3 : (i + 1) * width * height * 3])
        for i in range(count)
    ]
    times = [i * step for i in range(count)]
    found = [explicit.find_image_notice(shot) for shot in shots]
    visible = 0.0
    for t, hit in zip(times, found, strict=False):
        if hit is None:
            break
        visible = t + step
    first = found[0] if found else None
    problems: list[str] = [] if first is None else [str(x) for x in first.get("problems", [])]  # type: ignore[attr-defined]
    if first is None:
        problems.append("no notice found on the opening frame")
    elif visible < MIN_SECONDS:
        problems.append(
            f"the opening notice is visible for {visible:.2f} s; at least {MIN_SECONDS:.0f} s is required"
        )
    return {
        "kind": "video",
        "found": first is not None,
        "notice": first,
        "visible_s": round(visible, 3),
        "audio": info["audio"],
        "problems": problems,
        "ok": not problems,
    }


def has_audio(path: Path) -> bool:
    return bool(probe(path)["audio"])
