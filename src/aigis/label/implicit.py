"""Implicit labels in file metadata: read, write (producer and propagator), check signatures."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aigis.errors import InputError
from aigis.label import signing
from aigis.label.fields import AigcLabel, new_label
from aigis.label.formats import Format, FormatError, Found, detect, sidecar_path
from aigis.label.signing import KeyRing


@dataclass
class MetadataReport:
    """What the metadata of one file says."""

    format: str
    found: list[Found] = field(default_factory=list)
    label: AigcLabel | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    producer_signature: str = "absent"
    propagator_signature: str = "absent"

    def to_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            "label": self.label.to_dict() if self.label else None,
            "locations": [f.location for f in self.found],
            "problems": self.problems,
            "notes": self.notes,
            "producer_signature": self.producer_signature,
            "propagator_signature": self.propagator_signature,
        }


def read_labels(path: Path) -> list[Found]:
    """Every label found in the file's metadata (tolerant of variants)."""
    fmt, _ = detect(path)
    return fmt.read(path)


def inspect(path: Path, ring: KeyRing | None = None) -> MetadataReport:
    """Read the labels, check conformance (fields, character set, one label only) and signatures.
    Raises FormatError for truncated or corrupted files."""
    fmt, note = detect(path)
    report = MetadataReport(format=fmt.name, notes=[note] if note else [])
    report.found = fmt.read(path)
    if not report.found:
        return report
    unreadable = [f for f in report.found if f.label is None]
    for item in unreadable:
        report.problems.append(f"{item.location}: an AIGC value that is not a valid label: {item.raw[:80]!r}")
    labels = [f.label for f in report.found if f.label is not None]
    distinct = {lbl.to_json(): lbl for lbl in labels}
    if len(distinct) > 1:
        report.problems.append(
            f"{len(distinct)} different labels in one file "
            f"({', '.join(f.location for f in report.found)}); exactly one is allowed"
        )
    elif len(labels) > 1:
        report.notes.append(
            f"the same label is stored in {len(labels)} places: "
            + ", ".join(f.location for f in report.found)
        )
    if not labels:
        return report
    label = labels[0]
    report.label = label
    report.problems += label.problems()
    if label.ReservedCode1 or label.ReservedCode2:
        ring = ring or KeyRing.load()
        content = fmt.content_hash(path)
        first, second = signing.check_label(label, content, ring)
        report.producer_signature, report.propagator_signature = first, second
    return report


def _atomic_write(fmt: Format, src: Path, dst: Path, label: AigcLabel) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".aigis-", suffix=dst.suffix, dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        fmt.write(src, tmp, label)
        os.replace(tmp, dst)
        side = sidecar_path(tmp)
        if side.exists():
            os.replace(side, sidecar_path(dst))
    finally:
        tmp.unlink(missing_ok=True)
        sidecar_path(tmp).unlink(missing_ok=True)


def _prepare(src: Path, dst: Path | None, in_place: bool) -> tuple[Path, Path]:
    if not src.is_file():
        raise InputError(f"{src}: no such file; give an existing file")
    if dst is None:
        if not in_place:
            raise InputError(f"{src}: no output path; give OUT or ask for --in-place")
        dst = src
    elif dst.resolve() == src.resolve() and not in_place:
        raise InputError(f"{dst}: output is the input; use --in-place to change the input itself")
    return src, dst


def write_label(
    src: Path,
    dst: Path | None,
    producer: str,
    produce_id: str,
    *,
    label: str = "1",
    sign: bool = True,
    ring: KeyRing | None = None,
    in_place: bool = False,
) -> AigcLabel:
    """Write a producer's label (replacing any existing one) into a copy of ``src`` at ``dst``.
    The input is never changed unless ``in_place``; the output is written to a temporary file and renamed."""
    src, dst = _prepare(src, dst, in_place)
    fmt, _ = detect(src)
    value = new_label(producer, produce_id, label)
    if sign:
        ring = ring or KeyRing.load()
        value = signing.sign_producer(value, fmt.content_hash(src), ring)
    _atomic_write(fmt, src, dst, value)
    return value


def propagate(
    src: Path,
    dst: Path | None,
    propagator: str,
    propagate_id: str,
    *,
    sign: bool = True,
    ring: KeyRing | None = None,
    in_place: bool = False,
) -> AigcLabel:
    """Add ContentPropagator and PropagateID to the existing label, without re-encoding the content."""
    src, dst = _prepare(src, dst, in_place)
    report = inspect(src, ring)
    if report.label is None:
        raise InputError(f"{src}: no AIGC label to propagate; add one first with 'aigis label add'")
    if len({f.label.to_json() for f in report.found if f.label}) > 1:
        raise InputError(f"{src}: conflicting labels ({'; '.join(report.problems)}); fix the file first")
    value = report.label.with_(ContentPropagator=propagator, PropagateID=propagate_id, ReservedCode2="")
    value.validate("--propagator/--propagate-id")
    fmt, _ = detect(src)
    if sign:
        ring = ring or KeyRing.load()
        value = signing.sign_propagator(value, fmt.content_hash(src), ring)
    _atomic_write(fmt, src, dst, value)
    return value


def copy_file(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


__all__ = ["FormatError", "MetadataReport", "inspect", "propagate", "read_labels", "write_label"]
