"""Optional steps of ``add`` and checks of ``verify`` that need more than metadata (image watermark)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from aigis.errors import InputError
from aigis.label import api, verify, watermark_image
from aigis.label.formats import FormatError, detect


def _watermark_step(produce_id: str, **_: Any) -> api.Step:
    def step(src: Path, dst: Path) -> dict[str, Any]:
        fmt, _ = detect(src)
        if fmt.modality != "image":
            raise InputError(f"{src}: --watermark is available for images; {fmt.name} is not an image format")
        payload = watermark_image.payload_for(produce_id)
        with Image.open(src) as original:
            original.load()
            marked = watermark_image.embed(original, payload)
            api._save_like(marked, original, dst, fmt.name)
        return {"payload": payload.hex(), "bits": watermark_image.PAYLOAD_BITS}

    return step


def _watermark_check() -> verify.Extra:
    def check(path: Path, result: verify.FileResult) -> None:
        try:
            fmt, _ = detect(path)
        except InputError:
            return
        if fmt.modality != "image":
            return
        try:
            with Image.open(path) as image:
                detection = watermark_image.detect(image)
        except (OSError, ValueError, FormatError) as exc:
            result.watermark = {"found": False, "error": str(exc)}
            return
        info = detection.to_dict()
        label = (result.metadata or {}).get("label")
        if label and detection.payload is not None:
            info["matches_label"] = watermark_image.payload_for(label["ProduceID"]) == detection.payload
            if not info["matches_label"]:
                result.reason(
                    "水印载荷与元数据标识的 ProduceID 不一致",
                    "the watermark payload does not match the metadata label's ProduceID",
                )
        result.watermark = info

    return check


api.STEPS["watermark"] = _watermark_step
verify.EXTRAS["watermark"] = _watermark_check
