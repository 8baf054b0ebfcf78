"""Reading and writing audio samples for the audio notice and watermark: soundfile, ffmpeg for the rest.

Samples are float32 arrays shaped (frames, channels). WAV, FLAC and Ogg go through soundfile (the same
subtype is written back); MP3 and anything else soundfile cannot read go through the ffmpeg program.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from math import gcd
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from aigis.errors import ConfigError, InputError

SOUNDFILE_SUFFIXES = {".wav": "WAV", ".wave": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".oga": "OGG"}


def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise ConfigError("the ffmpeg program is missing; install the Debian package ffmpeg (make test does)")
    return found


def _ffmpeg(args: list[str], data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            [ffmpeg_path(), "-v", "error", "-nostdin", "-y", *args],
            input=data,
            capture_output=True,
            check=False,
            timeout=600,
        )
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"ffmpeg took longer than {exc.timeout} s") from exc
    if done.returncode != 0:
        raise InputError(f"ffmpeg failed: {done.stderr.decode('utf-8', 'replace').strip()[-400:]}")
    return done.stdout


def read(path: Path) -> tuple[np.ndarray, int]:
    """(samples, rate) of an audio file; samples shaped (frames, channels), float32 in [-1, 1]."""
    if path.suffix.lower() in SOUNDFILE_SUFFIXES:
        try:
            data, rate = soundfile.read(path, dtype="float32", always_2d=True)
            return data, int(rate)
        except (RuntimeError, soundfile.LibsndfileError):
            pass
    wav = _ffmpeg(["-i", str(path), "-vn", "-f", "wav", "-c:a", "pcm_f32le", "-"])
    try:
        data, rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise InputError(f"{path}: cannot decode the audio: {exc}") from exc
    return data, int(rate)


def write(path: Path, samples: np.ndarray, rate: int, like: Path | None = None) -> None:
    """Write samples in the format the suffix names; the subtype (or bitrate) of ``like`` when given."""
    samples = np.clip(np.asarray(samples, np.float32), -1.0, 1.0)
    kind = SOUNDFILE_SUFFIXES.get(path.suffix.lower())
    if kind is not None:
        subtype = None
        if like is not None and like.suffix.lower() == path.suffix.lower():
            try:
                subtype = soundfile.info(like).subtype
            except (RuntimeError, soundfile.LibsndfileError):
                subtype = None
        soundfile.write(path, samples, rate, format=kind, subtype=subtype)
        return
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format="WAV", subtype="FLOAT")
    codec = {".mp3": ["-c:a", "libmp3lame", "-b:a", "192k"], ".m4a": ["-c:a", "aac", "-b:a", "192k"]}
    extra = codec.get(path.suffix.lower(), [])
    _ffmpeg(["-f", "wav", "-i", "-", *extra, str(path)], buffer.getvalue())


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Polyphase resampling along the first axis (zero delay)."""
    if src_rate == dst_rate:
        return np.asarray(samples, np.float32)
    g = gcd(src_rate, dst_rate)
    return np.asarray(resample_poly(samples, dst_rate // g, src_rate // g, axis=0), np.float32)


def mono(samples: np.ndarray) -> np.ndarray:
    return np.asarray(samples if samples.ndim == 1 else samples.mean(axis=1), np.float32)
