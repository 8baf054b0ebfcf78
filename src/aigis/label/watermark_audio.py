"""Inaudible audio watermark: a 32-bit payload (derived from ProduceID) with a CRC-16, numpy and scipy only.

The mark is a phase-coded spread spectrum in the short-time spectrum at a 16 kHz working rate, 250-6250
Hz, so it survives MP3 encoding and resampling down to 16 kHz. Every bin of a 512-sample frame (hop 256)
gets a copy of the content's own magnitude, scaled by a small gain, with a key-derived phase that advances
like a steady tone, so the mark follows the content's spectrum and is silent where the content is. The
spectrum is split into cells of 4 frames by 8 bins; a tile of 16 x 24 cells (1.024 s) holds 48 sync cells
and the 48 coded bits (payload and CRC) seven times each, and repeats over the whole file. Each bit's gain
is set by informed embedding: the host's own projection on the bit is measured and the gain raised until
the bit clears a margin (or lowered where the host already agrees), which keeps speech readable.

The detector whitens the spectrum (phase only, loud frames only), folds it over the tiles, searches the
tile offset (frames) and the sub-frame delay (a linear phase over the bins) with the sync cells, which
undoes encoder delay and cuts, and sums each bit's cells before deciding (soft decisions); when the CRC
fails, the three least reliable bits are flipped in turn (Chase decoding). The CRC and the sync z-score
make the confidence.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
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
SYNC_GROUPS = 8
STRENGTH = 0.07
MIN_GAIN = 0.02
MAX_GAIN = 0.2
MARGIN = 0.055
ROUNDS = 3
SYNC_BOOST = 1.5
DEFAULT_KEY = "aigis-gb45438-audio-watermark-v2"
MIN_SECONDS = 2.0
SYNC_Z = 5.5
CHASE_BITS = 3
QUIET_DB = 50.0
MAX_DELAY = HOP
BINS = BANDS * BAND_BINS


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
    phase: np.ndarray  # (BINS, TILE_FRAMES) unit complex


def _layout(key: str) -> _Layout:
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    cells = TILE_CELLS * BANDS
    chips = rng.choice(np.array([-1.0, 1.0]), cells)
    order = rng.permutation(cells)
    # A steady tone at bin k advances by pi*k per hop; a fresh random start phase per cell.
    start = rng.uniform(0, 2 * np.pi, (BINS, TILE_CELLS))
    k = np.arange(LOW_BIN, LOW_BIN + BINS)[:, None]
    t = np.arange(TILE_FRAMES)[None, :]
    phase = np.exp(1j * (np.repeat(start, CELL_FRAMES, axis=1) + np.pi * k * t))
    bit_of = np.arange(cells - SYNC_CELLS) % CODED_BITS
    return _Layout(chips, order[:SYNC_CELLS], order[SYNC_CELLS:], bit_of, phase)


def _signs(layout: _Layout, bits: np.ndarray) -> np.ndarray:
    signs = np.zeros(TILE_CELLS * BANDS)
    signs[layout.sync] = layout.chips[layout.sync]
    signs[layout.data] = layout.chips[layout.data] * bits[layout.bit_of]
    return signs


def _expand(cells: np.ndarray) -> np.ndarray:
    """(TILE_CELLS * BANDS,) cell values (cell-major) as (BINS, TILE_FRAMES)."""
    grid = cells.reshape(TILE_CELLS, BANDS)
    return np.repeat(np.repeat(grid, CELL_FRAMES, axis=0), BAND_BINS, axis=1).T


def _spectrum(work: np.ndarray) -> np.ndarray:
    _, _, spec = stft(work, nperseg=NFFT, noverlap=NFFT - HOP, window="hann")
    return np.asarray(spec)


def _mark(spec: np.ndarray, layout: _Layout, gains: np.ndarray, length: int) -> np.ndarray:
    """The watermark at the working rate for signed per-cell gains (TILE_CELLS * BANDS,)."""
    frames = spec.shape[1]
    pattern = (_expand(gains) * layout.phase)[:, np.arange(frames) % TILE_FRAMES]
    full = np.zeros(spec.shape, complex)
    full[LOW_BIN : LOW_BIN + BINS] = np.abs(spec[LOW_BIN : LOW_BIN + BINS]) * pattern
    _, mark = istft(full, nperseg=NFFT, noverlap=NFFT - HOP, window="hann")
    mark = np.asarray(mark[:length], np.float64)
    return np.pad(mark, (0, length - len(mark)))


def _folded(spec: np.ndarray) -> np.ndarray:
    """Phase-only band spectrum of the loud frames, summed over tiles: (BINS, TILE_FRAMES) complex."""
    band = spec[LOW_BIN : LOW_BIN + BINS]
    power = np.mean(np.abs(band) ** 2, axis=0)
    level = 10 * np.log10(power + 1e-20)
    loud = level > np.percentile(level, 90) - QUIET_DB
    white = np.where(np.abs(band) > 1e-12, band / np.maximum(np.abs(band), 1e-12), 0) * loud
    tiles = -(-band.shape[1] // TILE_FRAMES)
    white = np.pad(white, ((0, 0), (0, tiles * TILE_FRAMES - band.shape[1])))
    folded = white.reshape(BINS, tiles, TILE_FRAMES).sum(axis=1)
    scale = max(float(np.sum(loud)), 1.0) / TILE_FRAMES
    return np.asarray(folded / scale)


def _cell_values(folded: np.ndarray, layout: _Layout, offset: int, delay: int) -> np.ndarray:
    """Per-cell correlation (TILE_CELLS * BANDS,) for a tile starting at frame ``offset`` and a delay."""
    ramp = np.exp(2j * np.pi * np.arange(LOW_BIN, LOW_BIN + BINS) * delay / NFFT)[:, None]
    corr = np.real(np.roll(folded, -offset, axis=1) * np.conj(layout.phase) * ramp)
    grid = corr.T.reshape(TILE_CELLS, CELL_FRAMES, BANDS, BAND_BINS).sum(axis=(1, 3))
    return np.asarray(grid.reshape(-1) / (CELL_FRAMES * BAND_BINS))


def _group_means(values: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    return np.bincount(groups, values, minlength=count) / np.maximum(np.bincount(groups, minlength=count), 1)


def embed(
    samples: np.ndarray, rate: int, payload: bytes, key: str = DEFAULT_KEY, strength: float = STRENGTH
) -> np.ndarray:
    """The samples (frames, channels) or (frames,) with the payload embedded; same shape and rate."""
    if len(payload) * 8 != PAYLOAD_BITS:
        raise InputError(f"the audio watermark payload is {PAYLOAD_BITS // 8} bytes; got {len(payload)}")
    data = np.asarray(samples, np.float32)
    if len(data) < MIN_SECONDS * rate:
        raise InputError(f"audio shorter than {MIN_SECONDS:.0f} s cannot carry the watermark")
    work = audio_io.resample(audio_io.mono(data), rate, RATE).astype(np.float64)
    spec = _spectrum(work)
    layout = _layout(key)
    signs = _signs(layout, _bits(payload))
    groups = np.zeros(len(signs), np.int64)
    groups[layout.data] = layout.bit_of
    groups[layout.sync] = CODED_BITS + np.arange(SYNC_CELLS) % SYNC_GROUPS
    count = CODED_BITS + SYNC_GROUPS
    host = _group_means(_cell_values(_folded(spec), layout, 0, 0) * signs, groups, count)
    target = np.full(count, MARGIN * strength / STRENGTH)
    target[CODED_BITS:] *= SYNC_BOOST
    amp = np.full(count, strength)
    for _ in range(ROUNDS):
        mark = _mark(spec, layout, signs * amp[groups], len(work))
        got = _group_means(_cell_values(_folded(_spectrum(work + mark)), layout, 0, 0) * signs, groups, count)
        response = np.maximum((got - host) / amp, 0.1)
        amp = np.clip((target - host) / response, MIN_GAIN, MAX_GAIN)
    mark = _mark(spec, layout, signs * amp[groups], len(work))
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
    corrected: int = 0

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
            "corrected_bits": self.corrected,
            "bits": PAYLOAD_BITS,
            "kind": "audio",
        }


def _sync_scores(folded: np.ndarray, layout: _Layout) -> np.ndarray:
    """Sync correlation for every tile offset (frames) and delay (samples): (TILE_FRAMES, 2*MAX_DELAY+1)."""
    mask = np.zeros(TILE_CELLS * BANDS)
    mask[layout.sync] = layout.chips[layout.sync]
    reference = _expand(mask) * np.conj(layout.phase)  # (BINS, TILE_FRAMES)
    rolled = np.stack([np.roll(folded, -o, axis=1) for o in range(TILE_FRAMES)])  # (O, BINS, T)
    per_bin = np.einsum("obt,bt->ob", rolled, reference)
    delays = np.arange(-MAX_DELAY, MAX_DELAY + 1)
    ramps = np.exp(2j * np.pi * np.arange(LOW_BIN, LOW_BIN + BINS)[:, None] * delays[None, :] / NFFT)
    return np.asarray(np.real(per_bin @ ramps))


def _decode(soft: np.ndarray) -> tuple[bytes, bool, int]:
    """Hard decisions checked by the CRC; when they fail, flips of the CHASE_BITS least reliable bits are
    tried (a small Chase decoder), each candidate still checked by the CRC.

    Returns (payload, crc_ok, bits flipped).
    """
    hard = (soft > 0).astype(np.uint8)
    weakest = np.argsort(np.abs(soft))[:CHASE_BITS]
    patterns = sorted(range(1 << CHASE_BITS), key=lambda m: (bin(m).count("1"), m))
    first = b""
    for mask in patterns:
        trial = hard.copy()
        flips = [int(weakest[i]) for i in range(CHASE_BITS) if mask >> i & 1]
        trial[flips] ^= 1
        coded = np.packbits(trial).tobytes()
        payload, check = coded[: PAYLOAD_BITS // 8], int.from_bytes(coded[PAYLOAD_BITS // 8 :], "big")
        first = first or payload
        if crc16(payload) == check:
            return payload, True, len(flips)
    return first, False, 0


def detect(samples: np.ndarray, rate: int, key: str = DEFAULT_KEY) -> AudioDetection:
    """Look for the watermark; ``found`` when the CRC matches and the sync correlation is strong."""
    work = audio_io.resample(audio_io.mono(np.asarray(samples, np.float32)), rate, RATE).astype(np.float64)
    if len(work) < (TILE_FRAMES + 1) * HOP or not np.any(work):
        return AudioDetection(False, None, 0.0, 0.0, False, 0.0, np.zeros(CODED_BITS))
    layout = _layout(key)
    folded = _folded(_spectrum(work))
    scores = _sync_scores(folded, layout)
    offset, column = np.unravel_index(int(np.argmax(scores)), scores.shape)
    delay = int(column) - MAX_DELAY
    spread = float(np.std(scores)) or 1e-9
    sync_z = float((scores[offset, column] - np.mean(scores)) / spread)
    cells = _cell_values(folded, layout, int(offset), delay)
    soft = np.bincount(layout.bit_of, cells[layout.data] * layout.chips[layout.data], minlength=CODED_BITS)
    payload, crc_ok, corrected = _decode(soft)
    # One-sided p-value of the sync peak over all offsets and delays searched; the CRC adds 2^-16 per
    # candidate tried.
    p_sync = min(1.0, scores.size * 0.5 * math.erfc(sync_z / math.sqrt(2)))
    confidence = (1.0 - p_sync) * (1.0 - 2.0**-16 * (1 << CHASE_BITS) if crc_ok else 0.0)
    found = crc_ok and sync_z >= SYNC_Z
    offset_s = (int(offset) * HOP - delay) / RATE
    return AudioDetection(
        found,
        payload if found else None,
        confidence,
        sync_z,
        crc_ok,
        offset_s,
        soft,
        corrected if found else 0,
    )


def bit_accuracy(detection: AudioDetection, payload: bytes) -> float:
    """Share of the coded bits (payload and CRC) read correctly."""
    return float(np.mean((detection.soft > 0) == (_bits(payload) > 0)))


def snr_db(original: np.ndarray, marked: np.ndarray) -> float:
    noise = np.asarray(marked, np.float64) - np.asarray(original, np.float64)
    return float(10 * np.log10(np.sum(np.asarray(original, np.float64) ** 2) / max(np.sum(noise**2), 1e-20)))


def segmental_snr_db(original: np.ndarray, marked: np.ndarray, rate: int, frame_s: float = 0.02) -> float:
    """Mean per-frame SNR over the active frames (within 50 dB of the loudest), each clamped to -10..35 dB.

    A simple perceptual proxy: unlike the global SNR, quiet passages weigh as much as loud ones.
    """
    x = audio_io.mono(np.asarray(original, np.float32)).astype(np.float64)
    noise = audio_io.mono(np.asarray(marked, np.float32)).astype(np.float64) - x
    n = max(1, int(frame_s * rate))
    count = len(x) // n
    if count == 0:
        return snr_db(original, marked)
    signal = np.sum(x[: count * n].reshape(count, n) ** 2, axis=1)
    error = np.sum(noise[: count * n].reshape(count, n) ** 2, axis=1)
    active = signal > signal.max() * 1e-5
    per_frame = 10 * np.log10(signal[active] / np.maximum(error[active], 1e-20))
    return float(np.mean(np.clip(per_frame, -10.0, 35.0)))
