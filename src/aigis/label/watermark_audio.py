"""Inaudible audio watermark: a 32-bit payload (derived from ProduceID) with a CRC-16, numpy and scipy only.

The watermark lives at a working rate of 16 kHz in the 500-3500 Hz band, so it survives resampling down
to 16 kHz and MP3 encoding. The short-time spectrum (512-sample frames, hop 256) is split into cells of
4 frames by 8 bins (12 bands); a tile of 16 x 12 cells (1.024 s) holds 48 key-derived sync cells and the
48 coded bits three times each, repeated over the whole file. Embedding scales each cell's magnitudes by
(1 +/- strength), so the mark follows the content's own spectrum. The detector resamples to 16 kHz,
takes the high-passed log-magnitude per cell, folds it over all tiles, finds the tile offset from the
sync cells (which undoes encoder delay and cuts) and reads the bits with soft decisions; the CRC and
the sync z-score make the confidence.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.ndimage import uniform_filter1d
from scipy.signal import istft, stft

from aigis.errors import InputError
from aigis.label import audio_io
from aigis.label.watermark_image import crc16

RATE = 16000
NFFT = 512
HOP = 256
LOW_BIN = 8
BAND_BINS = 8
BANDS = 24
CELL_FRAMES = 4
TILE_CELLS = 16
TILE_FRAMES = TILE_CELLS * CELL_FRAMES
PAYLOAD_BITS = 32
CODED_BITS = 48
SYNC_CELLS = 48
STRENGTH = 0.1
MARGIN = 0.04
MAX_GAIN = 0.35
ROUNDS = 3
DEFAULT_KEY = "aigis-gb45438-audio-watermark-v1"
MIN_SECONDS = 2.0
SYNC_Z = 3.0
QUIET_DB = 40.0


def payload_for(produce_id: str) -> bytes:
    """The 32-bit payload for a ProduceID: the first 4 bytes of its SHA-256."""
    return hashlib.sha256(produce_id.encode("utf-8")).digest()[:4]


def _bits(payload: bytes) -> np.ndarray:
    coded = payload + crc16(payload).to_bytes(2, "big")
    return np.unpackbits(np.frombuffer(coded, np.uint8)).astype(np.float64) * 2 - 1


@dataclass(frozen=True)
class _Layout:
    chips: np.ndarray  # (TILE_CELLS * BANDS,) +/-1
    sync: np.ndarray
    data: np.ndarray
    bit_of: np.ndarray


def _layout(key: str) -> _Layout:
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    cells = TILE_CELLS * BANDS
    chips = rng.choice(np.array([-1.0, 1.0]), cells)
    order = rng.permutation(cells)
    return _Layout(chips, order[:SYNC_CELLS], order[SYNC_CELLS:], np.arange(cells - SYNC_CELLS) % CODED_BITS)


def _cell_pattern(layout: _Layout, bits: np.ndarray) -> np.ndarray:
    """(TILE_CELLS, BANDS) of +/-1."""
    cells = np.zeros(TILE_CELLS * BANDS)
    cells[layout.sync] = layout.chips[layout.sync]
    cells[layout.data] = layout.chips[layout.data] * bits[layout.bit_of]
    return cells.reshape(TILE_CELLS, BANDS)


def _mark(spec: np.ndarray, gains: np.ndarray, length: int) -> np.ndarray:
    """The watermark signal at the working rate for per-cell gains (TILE_CELLS, BANDS)."""
    frames = spec.shape[1]
    per_frame = np.repeat(gains, CELL_FRAMES, axis=0)[np.arange(frames) % TILE_FRAMES]
    gain = np.zeros(spec.shape)
    gain[LOW_BIN : LOW_BIN + BANDS * BAND_BINS, :] = np.repeat(per_frame.T, BAND_BINS, axis=0)
    _, mark = istft(gain * spec, nperseg=NFFT, noverlap=NFFT - HOP, window="hann")
    mark = np.asarray(mark[:length], np.float64)
    return np.pad(mark, (0, length - len(mark)))


def embed(
    samples: np.ndarray, rate: int, payload: bytes, key: str = DEFAULT_KEY, strength: float = STRENGTH
) -> np.ndarray:
    """The samples (frames, channels) or (frames,) with the payload embedded; same shape and rate.

    Informed embedding: after a first pass the detector's own statistic is measured on the marked
    signal, and bits whose margin is below target get more gain (at most MAX_GAIN), so the content's
    own spectral structure does not flip them.
    """
    if len(payload) * 8 != PAYLOAD_BITS:
        raise InputError(f"the audio watermark payload is {PAYLOAD_BITS // 8} bytes; got {len(payload)}")
    data = np.asarray(samples, np.float32)
    if len(data) < MIN_SECONDS * rate:
        raise InputError(f"audio shorter than {MIN_SECONDS:.0f} s cannot carry the watermark")
    work = audio_io.resample(audio_io.mono(data), rate, RATE).astype(np.float64)
    _, _, spec = stft(work, nperseg=NFFT, noverlap=NFFT - HOP, window="hann")
    layout = _layout(key)
    bits = _bits(payload)
    signs = np.zeros(TILE_CELLS * BANDS)
    signs[layout.sync] = layout.chips[layout.sync]
    signs[layout.data] = layout.chips[layout.data] * bits[layout.bit_of]
    amp = np.full(TILE_CELLS * BANDS, strength)
    for _ in range(ROUNDS):
        mark = _mark(spec, (signs * amp).reshape(TILE_CELLS, BANDS), len(work))
        margin = _cells(_residual_work(work + mark), 0) * signs
        short = margin < MARGIN
        if not short.any():
            break
        amp = np.where(short, np.minimum(amp + 2 * (MARGIN - margin), MAX_GAIN), amp)
    native = audio_io.resample(mark.astype(np.float32), RATE, rate)
    native = np.pad(native, (0, max(0, len(data) - len(native))))[: len(data)]
    if data.ndim == 1:
        return np.asarray(data + native, np.float32)
    return np.asarray(data + native[:, None], np.float32)


@dataclass(frozen=True)
class AudioDetection:
    found: bool
    payload: bytes | None
    confidence: float
    sync_z: float
    crc_ok: bool
    offset_s: float
    soft: np.ndarray

    def bits(self) -> np.ndarray:
        return (self.soft > 0).astype(np.uint8)

    def to_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "payload": self.payload.hex() if self.payload is not None else None,
            "confidence": round(self.confidence, 4),
            "sync_z": round(self.sync_z, 2),
            "crc_ok": self.crc_ok,
            "offset_s": round(self.offset_s, 3),
            "bits": PAYLOAD_BITS,
            "kind": "audio",
        }


def _residual_work(work: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """High-passed log-magnitude per (frame, band) at the working rate, and which frames are not quiet."""
    _, _, spec = stft(work, nperseg=NFFT, noverlap=NFFT - HOP, window="hann")
    band = np.abs(spec[LOW_BIN : LOW_BIN + BANDS * BAND_BINS, :]) + 1e-9
    logs = np.log(band).reshape(BANDS, BAND_BINS, -1).mean(axis=1).T  # (frames, BANDS)
    level = logs.mean(axis=1)
    loud = level > np.percentile(level, 90) - QUIET_DB / 20 * np.log(10)
    logs -= logs.mean(axis=1, keepdims=True)
    logs -= uniform_filter1d(logs, 3 * CELL_FRAMES + 1, axis=0, mode="nearest")
    logs[~loud] = 0.0
    return np.asarray(logs), loud


def _fold(residual: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Mean residual per tile frame (TILE_FRAMES, BANDS) over the loud frames of all tiles."""
    logs, loud = residual
    index = np.arange(logs.shape[0]) % TILE_FRAMES
    folded = np.zeros((TILE_FRAMES, BANDS))
    np.add.at(folded, index, logs)
    counts = np.bincount(index, weights=loud.astype(np.float64), minlength=TILE_FRAMES)
    return folded / np.maximum(counts, 1.0)[:, None]


def _cells(residual: tuple[np.ndarray, np.ndarray], offset: int) -> np.ndarray:
    """Per-cell mean residual (TILE_CELLS * BANDS,) for a tile starting at frame ``offset``."""
    folded = np.roll(_fold(residual), -offset, axis=0)
    return np.asarray(folded.reshape(TILE_CELLS, CELL_FRAMES, BANDS).mean(axis=1).reshape(-1))


def detect(samples: np.ndarray, rate: int, key: str = DEFAULT_KEY) -> AudioDetection:
    """Look for the watermark; ``found`` when the CRC matches and the sync correlation is strong."""
    work = audio_io.resample(audio_io.mono(np.asarray(samples, np.float32)), rate, RATE).astype(np.float64)
    if len(work) < (TILE_FRAMES + 1) * HOP:
        return AudioDetection(False, None, 0.0, 0.0, False, 0.0, np.zeros(CODED_BITS))
    residual = _residual_work(work)
    layout = _layout(key)
    folded = _fold(residual)
    shifts = np.stack([np.roll(folded, -o, axis=0) for o in range(TILE_FRAMES)])
    cells = shifts.reshape(TILE_FRAMES, TILE_CELLS, CELL_FRAMES, BANDS).mean(axis=2).reshape(TILE_FRAMES, -1)
    sync = cells[:, layout.sync] @ layout.chips[layout.sync]
    best = int(np.argmax(sync))
    others = np.delete(sync, [(best + d) % TILE_FRAMES for d in range(-2, 3)])
    spread = float(np.std(others)) or 1e-9
    sync_z = float((sync[best] - np.mean(others)) / spread)
    chosen = cells[best]
    soft = np.bincount(layout.bit_of, chosen[layout.data] * layout.chips[layout.data], minlength=CODED_BITS)
    coded = np.packbits((soft > 0).astype(np.uint8)).tobytes()
    payload, check = coded[: PAYLOAD_BITS // 8], int.from_bytes(coded[PAYLOAD_BITS // 8 :], "big")
    crc_ok = crc16(payload) == check
    # One-sided p-value of the sync peak over TILE_FRAMES offsets; the CRC adds 2^-16.
    p_sync = min(1.0, TILE_FRAMES * 0.5 * math.erfc(sync_z / math.sqrt(2)))
    confidence = (1.0 - p_sync) * (1.0 - 2.0**-16 if crc_ok else 0.0)
    found = crc_ok and sync_z >= SYNC_Z
    return AudioDetection(
        found, payload if found else None, confidence, sync_z, crc_ok, best * HOP / RATE, soft
    )


def bit_accuracy(detection: AudioDetection, payload: bytes) -> float:
    """Share of the coded bits (payload and CRC) read correctly."""
    return float(np.mean((detection.soft > 0) == (_bits(payload) > 0)))


def snr_db(original: np.ndarray, marked: np.ndarray) -> float:
    noise = np.asarray(marked, np.float64) - np.asarray(original, np.float64)
    return float(10 * np.log10(np.sum(np.asarray(original, np.float64) ** 2) / max(np.sum(noise**2), 1e-20)))
