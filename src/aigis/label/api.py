"""One call that labels a file the way ``aigis label add`` does: explicit, watermark, metadata, C2PA."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from aigis.errors import InputError
from aigis.i18n import Lang
from aigis.label import explicit as explicit_mod
from aigis.label.fields import AigcLabel
from aigis.label.formats import SUFFIX, detect
from aigis.label.implicit import write_label
from aigis.label.signing import KeyRing

Step = Callable[[Path, Path], dict[str, Any]]
# Optional steps registered by the watermark and C2PA modules: name -> step factory.
STEPS: dict[str, Callable[..., Step]] = {}


@dataclass
class AddResult:
    src: str
    dst: str
    label: AigcLabel | None = None
    steps: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "src": self.src,
            "dst": self.dst,
            "label": self.label.to_dict() if self.label else None,
            "steps": self.steps,
        }


def _save_like(image: Image.Image, original: Image.Image, path: Path, fmt_name: str) -> None:
    params: dict[str, Any] = {}
    if fmt_name == "jpeg":
        params = {"quality": 95}
        image = image.convert("RGB")
    elif fmt_name == "webp":
        params = {"quality": 95}
    elif fmt_name == "gif":
        image = image.convert("P")
    image.save(path, format=original.format or None, **params)


def _explicit(
    src: Path, dst: Path, lang: Lang, position: str | None, wording: str | None, audio_notice: str = "rhythm"
) -> dict[str, Any]:
    fmt, _ = detect(src)
    if fmt.modality == "image":
        with Image.open(src) as original:
            original.load()
            where: Any = position or "bottom-right"
            labeled, placement = explicit_mod.label_image(original, lang, wording, position=where)
            _save_like(labeled, original, dst, fmt.name)
        return placement.to_dict()
    if fmt.name in ("sidecar", "markdown") and src.suffix.lower() in (".txt", ".text", ".md", ".markdown"):
        text = src.read_text(encoding="utf-8")
        dst.write_text(
            explicit_mod.label_text(text, (position or "start"), lang, wording),  # type: ignore[arg-type]
            encoding="utf-8",
        )
        return {"text": explicit_mod.notice(lang, wording), "position": position or "start"}
    step = STEPS.get(f"explicit-{fmt.modality}")
    if step is None:
        raise InputError(
            f"{src}: --explicit is not available for {fmt.name} files; it is for images, text, "
            "audio and video"
        )
    return step(lang=lang, position=position, wording=wording, audio_notice=audio_notice)(src, dst)


def add_labels(
    src: Path,
    dst: Path | None,
    producer: str,
    produce_id: str,
    *,
    explicit: bool = False,
    implicit: bool = True,
    watermark: bool = False,
    c2pa: bool = False,
    label: str = "1",
    lang: Lang = "zh",
    position: str | None = None,
    wording: str | None = None,
    in_place: bool = False,
    ring: KeyRing | None = None,
    audio_notice: str = "rhythm",
    c2pa_cert: Path | None = None,
    c2pa_key: Path | None = None,
) -> AddResult:
    """Label ``src`` into ``dst``; the input is untouched unless ``in_place`` (work is in temporary files)."""
    if not src.is_file():
        raise InputError(f"{src}: no such file; give an existing file")
    if dst is None:
        if not in_place:
            raise InputError(f"{src}: no output path; give OUT or ask for --in-place")
        dst = src
    elif dst.resolve() == src.resolve() and not in_place:
        raise InputError(f"{dst}: output is the input; use --in-place to change the input itself")
    if not (explicit or implicit or watermark or c2pa):
        raise InputError("nothing to do: choose at least one of --explicit, --implicit, --watermark, --c2pa")
    detect(src)
    if c2pa:  # fail before any work when C2PA cannot go into this file or the credentials are wrong
        _optional(
            "c2pa",
            producer=producer,
            produce_id=produce_id,
            label_value=label,
            source=src,
            c2pa_cert=c2pa_cert,
            c2pa_key=c2pa_key,
        )
    result = AddResult(str(src), str(dst))
    with tempfile.TemporaryDirectory(prefix="aigis-label-") as tmp:
        current = src
        stages: list[tuple[str, Step]] = []
        if explicit:
            stages.append(("explicit", lambda a, b: _explicit(a, b, lang, position, wording, audio_notice)))
        if watermark:
            stages.append(("watermark", _optional("watermark", produce_id=produce_id)))
        for index, (name, step) in enumerate(stages):
            nxt = Path(tmp) / f"{index}-{name}{src.suffix}"
            result.steps[name] = step(current, nxt)
            current = nxt
        if implicit:
            nxt = Path(tmp) / f"meta{src.suffix}"
            result.label = write_label(current, nxt, producer, produce_id, label=label, ring=ring)
            current = nxt
        if c2pa:
            nxt = Path(tmp) / f"c2pa{src.suffix}"
            result.steps["c2pa"] = _optional(
                "c2pa",
                producer=producer,
                produce_id=produce_id,
                label=result.label,
                label_value=label,
                source=src,
                c2pa_cert=c2pa_cert,
                c2pa_key=c2pa_key,
            )(current, nxt)
            current = nxt
        dst.parent.mkdir(parents=True, exist_ok=True)
        final = dst.with_name(f".aigis-{os.getpid()}-{dst.name}")
        shutil.copyfile(current, final)
        os.replace(final, dst)
        side = current.with_name(current.name + SUFFIX)
        if side.exists():
            shutil.copyfile(side, dst.with_name(dst.name + SUFFIX))
    return result


def _optional(name: str, **kwargs: Any) -> Step:
    factory = STEPS.get(name)
    if factory is None:
        raise InputError(f"--{name} is not available in this installation")
    return factory(**kwargs)


def iter_pairs(src: Path, dst: Path) -> Iterator[tuple[Path, Path]]:
    """(input, output) pairs for batch mode: a folder mirrored into another folder."""
    if src.is_dir():
        if dst.exists() and not dst.is_dir():
            raise InputError(f"{dst}: is a file; batch mode over a folder needs an output folder")
        for root, dirs, files in os.walk(src):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or name.endswith(SUFFIX):
                    continue
                path = Path(root) / name
                yield path, dst / path.relative_to(src)
    else:
        yield src, dst
