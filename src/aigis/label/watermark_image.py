"""Invisible image watermark: a 48-bit payload (derived from ProduceID) with a CRC-16, numpy only.

The luma channel carries a periodic tile (64x64 pixels at a working resolution whose shorter side is 512)
of 4x4-pixel cells with key-derived +/- chips: 64 sync cells and 192 data cells (each of the 64 coded
bits three times per tile, repeated in every tile). The detector estimates the tile period from the
autocorrelation of a high-pass residual (which undoes resizing and crops), folds the residual onto one
tile, finds the tile offset by correlating with the sync cells, and reads the bits with soft decisions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from aigis.errors import InputError

WORK = 512
TILE = 64
CELL = 4
GRID = TILE // CELL
PAYLOAD_BITS = 48
CODED_BITS = 64
SYNC_CELLS = 64
DEFAULT_KEY = "aigis-gb45438-watermark-v1"
STRENGTH = 2.0
MIN_SIDE = 128


def payload_for(produce_id: str) -> bytes:
    """The 48-bit payload for a ProduceID: the first 6 bytes of its SHA-256."""
    return hashlib.sha256(produce_id.encode("utf-8")).digest()[:6]


def crc16(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _bits(payload: bytes) -> np.ndarray:
    coded = payload + crc16(payload).to_bytes(2, "big")
    return np.unpackbits(np.frombuffer(coded, np.uint8)).astype(np.float32) * 2 - 1


@dataclass(frozen=True)
class _Layout:
    chips: np.ndarray  # (256,) +/-1
    sync: np.ndarray  # cell indices
    data: np.ndarray  # cell indices, 192
    bit_of: np.ndarray  # bit index of each data cell


def _layout(key: str) -> _Layout:
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    chips = rng.choice(np.array([-1.0, 1.0], np.float32), GRID * GRID)
    order = rng.permutation(GRID * GRID)
    return _Layout(
        chips, order[:SYNC_CELLS], order[SYNC_CELLS:], np.arange(GRID * GRID - SYNC_CELLS) % CODED_BITS
    )


def _tile(layout: _Layout, bits: np.ndarray) -> np.ndarray:
    cells = np.zeros(GRID * GRID, np.float32)
    cells[layout.sync] = layout.chips[layout.sync]
    cells[layout.data] = layout.chips[layout.data] * bits[layout.bit_of]
    return np.kron(cells.reshape(GRID, GRID), np.ones((CELL, CELL), np.float32))


def _work_size(width: int, height: int) -> tuple[int, int]:
    scale = WORK / min(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _luma(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def _resize(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.array(
        Image.fromarray(array, mode="F").resize(size, Image.Resampling.BILINEAR), dtype=np.float32
    )


def embed(
    image: Image.Image, payload: bytes, key: str = DEFAULT_KEY, strength: float = STRENGTH
) -> Image.Image:
    """A copy of ``image`` carrying the 48-bit payload."""
    if len(payload) * 8 != PAYLOAD_BITS:
        raise InputError(f"watermark payload is {len(payload) * 8} bits; exactly {PAYLOAD_BITS} are allowed")
    width, height = image.size
    if min(width, height) < MIN_SIDE:
        raise InputError(
            f"image {width}x{height} is too small for a watermark; the shorter side must be >= {MIN_SIDE} px"
        )
    work_w, work_h = _work_size(width, height)
    tile = _tile(_layout(key), _bits(payload))
    pattern = np.tile(tile, (work_h // TILE + 1, work_w // TILE + 1))[:work_h, :work_w]
    if (work_w, work_h) != (width, height):
        pattern = _resize(pattern, (width, height))
    # Peak amplitude in grey levels; an integer keeps the plateaus free of rounding error.
    pattern *= strength / max(float(np.abs(pattern).max()), 1e-6)
    mode = image.mode
    rgb = image.convert("RGBA" if mode in ("RGBA", "LA", "P") else "RGB")
    array = np.asarray(rgb, dtype=np.float32).copy()
    array[..., :3] += pattern[..., None]
    out = Image.fromarray(np.clip(np.rint(array), 0, 255).astype(np.uint8), rgb.mode)
    return out.convert(mode) if mode in ("L", "RGB", "RGBA") else out


def _box_blur(array: np.ndarray, radius: int) -> np.ndarray:
    padded = np.pad(array, radius + 1, mode="reflect")
    summed = padded.cumsum(0).cumsum(1)
    size = 2 * radius + 1
    h, w = array.shape
    s = summed
    total = s[size : size + h, size : size + w] - s[:h, size : size + w] - s[size : size + h, :w] + s[:h, :w]
    out: np.ndarray = (total / (size * size)).astype(np.float32)
    return out


def _peak(values: np.ndarray, lo: int, hi: int) -> float:
    hi = min(hi, len(values) - 2)
    if hi <= lo:
        return float(TILE)
    index = lo + int(np.argmax(values[lo : hi + 1]))
    a, b, c = values[index - 1], values[index], values[index + 1]
    denom = a - 2 * b + c
    return index + (0.5 * (a - c) / denom if denom < 0 else 0.0)


def _period(profile: np.ndarray) -> float:
    first = _peak(profile, int(TILE * 0.75), int(TILE * 1.5))
    best = first
    for k in (2, 3, 4, 6, 8):
        lag = first * k
        if lag + 4 >= len(profile) // 2:
            break
        refined = _peak(profile, int(lag) - 3, int(lag) + 3) / k
        if abs(refined - first) < 1.5:
            best = refined
    return best


@dataclass(frozen=True)
class Detection:
    found: bool
    payload: bytes | None
    confidence: float
    bits: np.ndarray
    sync_z: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "payload": self.payload.hex() if self.payload else None,
            "confidence": round(self.confidence, 4),
            "sync_z": round(self.sync_z, 2),
        }


def detect(image: Image.Image, key: str = DEFAULT_KEY) -> Detection:
    """Look for the watermark; report the payload when its CRC checks, and a confidence in [0, 1]."""
    layout = _layout(key)
    luma = _luma(image)
    height, width = luma.shape
    work_w, work_h = _work_size(width, height)
    if (work_w, work_h) != (width, height):
        luma = _resize(luma, (work_w, work_h))
    residual = luma - _box_blur(luma, 3)
    residual -= residual.mean()
    # Clip strong edges (text, borders) so a few tiles cannot outvote the rest.
    limit = 3.0 * float(np.median(np.abs(residual))) + 1.0
    np.clip(residual, -limit, limit, out=residual)
    spectrum = np.fft.rfft2(residual)
    # Whitened spectrum: the periodic tile is a lattice of many lines, image content only a few.
    auto = np.fft.irfft2(np.abs(spectrum) ** 0.5, s=residual.shape)
    period_x = _period(auto[0, :] + auto[1, :] + auto[-1, :])
    period_y = _period(auto[:, 0] + auto[:, 1] + auto[:, -1])
    sync_cells = np.zeros(GRID * GRID, np.float32)
    sync_cells[layout.sync] = layout.chips[layout.sync]
    template_f = np.conj(
        np.fft.fft2(np.kron(sync_cells.reshape(GRID, GRID), np.ones((CELL, CELL), np.float32)))
    )
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    estimated = (max(TILE, round(work_w * TILE / period_x)), max(TILE, round(work_h * TILE / period_y)))
    # The estimated period, and the nominal one (no resize, no crop) in case content fooled the estimate.
    for size in dict.fromkeys([estimated, (work_w, work_h)]):
        scaled = residual if size == (work_w, work_h) else _resize(residual, size)
        rows, cols = scaled.shape[0] // TILE, scaled.shape[1] // TILE
        folded = scaled[: rows * TILE, : cols * TILE].reshape(rows, TILE, cols, TILE).sum(axis=(0, 2))
        corr = np.real(np.fft.ifft2(np.fft.fft2(folded) * template_f))
        flat = np.abs(corr).ravel()
        index = int(np.argmax(flat))
        z = float((flat[index] - flat.mean()) / (flat.std() + 1e-9))
        if best is None or z > best[0]:
            best = (z, index, corr, folded)
    assert best is not None
    sync_z, index, corr, folded = best
    dy, dx = divmod(index, TILE)
    sign = 1.0 if corr.ravel()[index] >= 0 else -1.0
    aligned = np.roll(folded, (-dy, -dx), axis=(0, 1)) * sign
    cells = aligned.reshape(GRID, CELL, GRID, CELL).mean(axis=(1, 3)).ravel()
    soft = np.zeros(CODED_BITS, np.float64)
    np.add.at(soft, layout.bit_of, cells[layout.data] * layout.chips[layout.data])
    bits = (soft > 0).astype(np.uint8)
    coded = np.packbits(bits).tobytes()
    payload, check = coded[:6], int.from_bytes(coded[6:8], "big")
    crc_ok = crc16(payload) == check
    confidence = float(min(1.0, max(0.0, (sync_z - 4.0) / 6.0))) if crc_ok else float(min(0.5, sync_z / 40))
    found = crc_ok and sync_z > 5.0
    return Detection(found, payload if found else None, confidence, bits, sync_z)
