"""Optional steps of ``add`` and checks of ``verify`` that need more than metadata: watermarks (image,
audio), audio and video notices, and the explicit-label check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from aigis.errors import InputError
from aigis.i18n import Lang
from aigis.label import (
    api,
    audio_io,
    explicit,
    explicit_audio,
    explicit_video,
    verify,
    watermark_audio,
    watermark_image,
)
from aigis.label.fields import AigcLabel, new_label
from aigis.label.formats import FormatError, detect


def _watermark_step(produce_id: str, **_: Any) -> api.Step:
    def step(src: Path, dst: Path) -> dict[str, Any]:
        fmt, _ = detect(src)
        if fmt.modality == "audio":
            samples, rate = audio_io.read(src)
            audio_payload = watermark_audio.payload_for(produce_id)
            marked_audio = watermark_audio.embed(samples, rate, audio_payload)
            audio_io.write(dst, marked_audio, rate, like=src)
            return {
                "payload": audio_payload.hex(),
                "bits": watermark_audio.PAYLOAD_BITS,
                "snr_db": round(watermark_audio.snr_db(samples, marked_audio), 2),
            }
        if fmt.modality != "image":
            raise InputError(f"{src}: --watermark is available for images and audio; {fmt.name} is neither")
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
        if fmt.modality not in ("image", "audio"):
            return
        detection: watermark_image.Detection | watermark_audio.AudioDetection
        try:
            if fmt.modality == "audio":
                samples, rate = audio_io.read(path)
                detection = watermark_audio.detect(samples, rate)
                payload_for = watermark_audio.payload_for
            else:
                with Image.open(path) as image:
                    detection = watermark_image.detect(image)
                payload_for = watermark_image.payload_for
        except (OSError, ValueError, FormatError, InputError) as exc:
            result.watermark = {"found": False, "error": str(exc)}
            return
        info = detection.to_dict()
        label = (result.metadata or {}).get("label")
        if label and detection.payload is not None:
            info["matches_label"] = payload_for(label["ProduceID"]) == detection.payload
            if not info["matches_label"]:
                result.reason(
                    "水印载荷与元数据标识的 ProduceID 不一致",
                    "the watermark payload does not match the metadata label's ProduceID",
                )
        result.watermark = info

    return check


def _audio_notice_step(
    lang: Lang = "zh", position: str | None = None, audio_notice: str = "rhythm", **_: Any
) -> api.Step:
    def step(src: Path, dst: Path) -> dict[str, Any]:
        where = position or "start"
        if where not in explicit_audio.POSITIONS:
            raise InputError(f"--position {where}: for audio use start, end or middle")
        if audio_notice not in explicit_audio.KINDS:
            raise InputError(f"--audio-notice {audio_notice}: use rhythm or spoken")
        placement = explicit_audio.label_file(src, dst, audio_notice, where, lang)  # type: ignore[arg-type]
        return placement.to_dict()

    return step


def _video_notice_step(
    lang: Lang = "zh", position: str | None = None, wording: str | None = None, **_: Any
) -> api.Step:
    def step(src: Path, dst: Path) -> dict[str, Any]:
        corner = position or "bottom-right"
        if corner not in explicit.IMAGE_POSITIONS:
            raise InputError(
                f"--position {corner}: for video use one of {', '.join(explicit.IMAGE_POSITIONS)}"
            )
        return explicit_video.label_video(src, dst, lang, wording, corner=corner).to_dict()  # type: ignore[arg-type]

    return step


def _explicit_check() -> verify.Extra:
    def check(path: Path, result: verify.FileResult) -> None:
        try:
            fmt, _ = detect(path)
        except InputError:
            return
        info: dict[str, Any]
        try:
            if fmt.modality == "image":
                with Image.open(path) as image:
                    image.load()
                    hit = explicit.find_image_notice(image)
                info = {"kind": "image", "found": hit is not None, "notice": hit}
                info["problems"] = (
                    list(hit.get("problems", [])) if hit else ["no notice found at an edge or corner"]  # type: ignore[call-overload]
                )
            elif fmt.modality == "audio":
                info = explicit_audio.check_file(path).to_dict()
            elif fmt.modality == "video":
                info = explicit_video.check_video(path)
            elif path.suffix.lower() in (".txt", ".text", ".md", ".markdown", ".html", ".htm"):
                text = path.read_text(encoding="utf-8", errors="replace")
                found = explicit.check_text(text)
                info = {
                    "kind": "text",
                    "found": found.ok,
                    "position": found.position,
                    "problems": found.problems,
                }
            else:
                info = {"kind": fmt.modality, "found": None, "problems": [], "checkable": False}
        except (OSError, ValueError, FormatError, InputError) as exc:
            info = {"found": None, "error": str(exc), "problems": []}
        result.explicit = info

    return check


def _c2pa_step(
    producer: str,
    produce_id: str,
    label: AigcLabel | None = None,
    label_value: str = "1",
    c2pa_cert: Path | None = None,
    c2pa_key: Path | None = None,
    source: Path | None = None,
    **_: Any,
) -> api.Step:
    from aigis.label import c2pa_ca, c2pa_manifest

    if source is not None:
        c2pa_manifest.require_support(source)
    credentials = c2pa_ca.load_credentials(c2pa_cert, c2pa_key)
    fields = label or new_label(producer, produce_id, label_value)

    def step(src: Path, dst: Path) -> dict[str, Any]:
        return c2pa_manifest.sign_file(src, dst, fields, credentials)

    return step


def _c2pa_check() -> verify.Extra:
    from aigis.label import c2pa_ca, c2pa_manifest

    anchors = c2pa_ca.trust_anchors()
    dev_root = c2pa_ca.dev_root_pem()

    def check(path: Path, result: verify.FileResult) -> None:
        report = c2pa_manifest.read_file(path, anchors, dev_root)
        info = report.to_dict()
        label = (result.metadata or {}).get("label")
        if label and report.gb_label:
            keys = ("Label", "ContentProducer", "ProduceID")
            info["matches_label"] = all(report.gb_label.get(k) == label.get(k) for k in keys)
        result.c2pa = info

    return check


api.STEPS["c2pa"] = _c2pa_step
verify.EXTRAS["c2pa"] = _c2pa_check
api.STEPS["watermark"] = _watermark_step
api.STEPS["explicit-audio"] = _audio_notice_step
api.STEPS["explicit-video"] = _video_notice_step
verify.EXTRAS["watermark"] = _watermark_check
verify.EXTRAS["explicit"] = _explicit_check
