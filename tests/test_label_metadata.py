"""Implicit labels: write -> read -> verify across every format, with real files from real encoders."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aigis.errors import InputError
from aigis.label import AigcLabel, KeyRing, inspect, parse_label, propagate, read_labels, write_label
from aigis.label.formats import FORMATS, detect, sidecar_path
from aigis.label.verify import exit_code, html_report, json_report, verify_file, verify_paths

try:
    from tests.test_label_samples import FFMPEG_KINDS, KINDS, make, needs_ffmpeg, photo
except ImportError:  # tests/ is not a package
    from test_label_samples import FFMPEG_KINDS, KINDS, make, needs_ffmpeg, photo  # type: ignore[no-redef]

RING = KeyRing.generate()


def _kind_param(kind: str) -> object:
    return pytest.param(kind, marks=needs_ffmpeg) if kind in FFMPEG_KINDS else kind


@pytest.mark.parametrize("kind", [_kind_param(k) for k in KINDS])
def test_round_trip_every_format(kind: str, tmp_path: Path) -> None:
    src = make(kind, tmp_path)
    before = src.read_bytes()
    assert verify_file(src, RING).verdict == "not_found"
    out = tmp_path / f"labeled.{kind}"
    written = write_label(src, out, "ORG-91310000", "task-0001", ring=RING)
    assert src.read_bytes() == before, "add must not change the input"
    report = inspect(out, RING)
    assert report.label is not None
    assert report.label.ContentProducer == "ORG-91310000" and report.label.ProduceID == "task-0001"
    assert report.label == written and report.problems == []
    assert report.producer_signature == "valid"
    assert verify_file(out, RING).verdict == "compliant"
    # The label is replaced, never duplicated, when written twice.
    again = tmp_path / f"again.{kind}"
    write_label(out, again, "ORG-2", "task-0002", ring=RING)
    labels = {f.label.to_json() for f in read_labels(again) if f.label}
    assert len(labels) == 1 and '"ORG-2"' in labels.pop()
    # Propagator mode keeps the producer's signature valid and adds its own.
    shared = tmp_path / f"shared.{kind}"
    propagate(out, shared, "PLATFORM-7", "post-42", ring=RING)
    second = inspect(shared, RING)
    assert second.label is not None and second.label.ContentPropagator == "PLATFORM-7"
    assert (second.producer_signature, second.propagator_signature) == ("valid", "valid")
    assert verify_file(shared, RING).verdict == "compliant"


def test_signature_detects_changed_fields_and_content(tmp_path: Path) -> None:
    out = tmp_path / "labeled.png"
    write_label(make("png", tmp_path), out, "ORG", "id-1", ring=RING)
    from aigis.label.formats.png import Png

    png = Png()
    label = inspect(out, RING).label
    assert label is not None
    forged = tmp_path / "forged.png"
    forged.write_bytes(png.write_bytes(out.read_bytes(), label.with_(ContentProducer="OTHER")))
    result = verify_file(forged, RING)
    assert result.verdict == "noncompliant" and "invalid" in result.reasons[0].en
    # Same label moved onto other content.
    other = tmp_path / "other.png"
    photo(seed=5).save(other)
    moved = tmp_path / "moved.png"
    moved.write_bytes(png.write_bytes(other.read_bytes(), label))
    assert verify_file(moved, RING).verdict == "noncompliant"
    # A key nobody trusts: inconclusive; trusting its public key makes it compliant.
    stranger = KeyRing.generate()
    foreign = tmp_path / "foreign.png"
    write_label(make("png", tmp_path, "f"), foreign, "ORG", "id-2", ring=stranger)
    assert verify_file(foreign, RING).verdict == "inconclusive"
    ring = KeyRing.generate()
    ring.trust_pem(stranger.public_pem())
    assert verify_file(foreign, ring).verdict == "compliant"


def test_keys_generated_on_first_use_with_private_mode(settings: object, _isolated_home: Path) -> None:
    ring = KeyRing.load()
    key = _isolated_home / "keys" / "label-ed25519.key"
    assert key.exists() and stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert KeyRing.load().key_id == ring.key_id


def test_conformance_problems_and_conflicts(tmp_path: Path) -> None:
    from aigis.label.formats.wav import Wav

    wav = make("wav", tmp_path)
    data = Wav().write_bytes(wav.read_bytes(), AigcLabel(Label="1", ContentProducer="甲", ProduceID="x"))
    bad = tmp_path / "bad.wav"
    bad.write_bytes(data)
    result = verify_file(bad, RING)
    assert result.verdict == "noncompliant"
    assert any("printable ASCII" in r.en for r in result.reasons)
    # Two different labels in one file.
    first = Wav().write_bytes(wav.read_bytes(), AigcLabel(Label="1", ContentProducer="A", ProduceID="1"))
    body = first.replace(b'"ContentProducer":"A"', b'"ContentProducer":"B"', 1)
    conflict = tmp_path / "conflict.wav"
    conflict.write_bytes(body)
    result = verify_file(conflict, RING)
    assert result.verdict == "noncompliant" and any("exactly one" in r.en for r in result.reasons)
    with pytest.raises(InputError, match="printable ASCII"):
        write_label(wav, tmp_path / "x.wav", "生产者", "id", ring=RING)
    with pytest.raises(InputError, match="Label"):
        write_label(wav, tmp_path / "x.wav", "ORG", "id", label="4", ring=RING)


def test_tolerant_reader_variants(tmp_path: Path) -> None:
    assert parse_label('{"AIGC":{"Label":1,"ContentProducer":"a","ProduceID":"b"}}') == AigcLabel(
        "1", "a", "b"
    )
    assert parse_label(' {"label":"2","contentproducer":"a","produceid":"b"}\x00') == AigcLabel("2", "a", "b")
    assert parse_label("not json") is None and parse_label("[1]") is None
    # PNG tEXt chunk written by Pillow, and XMP in the alternative namespace as an attribute.
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("AIGC", '{"AIGC":{"Label":"1","ContentProducer":"P","ProduceID":"Q"}}')
    path = tmp_path / "text.png"
    photo().save(path, pnginfo=info)
    found = read_labels(path)
    assert [f.location for f in found] == ["tEXt:AIGC"] and found[0].label == AigcLabel("1", "P", "Q")
    xmp_packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:AIGC2="http://ns.aigc.org.cn/AIGC/1.0/" '
        'AIGC2:AIGC="{&quot;Label&quot;:&quot;3&quot;,&quot;ContentProducer&quot;:&quot;P&quot;,'
        '&quot;ProduceID&quot;:&quot;Q&quot;}"/></rdf:RDF></x:xmpmeta>'
    )
    jpg = tmp_path / "alt.jpg"
    photo().save(jpg, xmp=xmp_packet.encode())
    assert [f.label for f in read_labels(jpg)] == [AigcLabel("3", "P", "Q")]
    assert verify_file(jpg, RING).verdict == "compliant"


def test_mislabeled_truncated_and_unsupported(tmp_path: Path) -> None:
    png = make("png", tmp_path)
    wrong = tmp_path / "photo.jpg"
    shutil.copyfile(png, wrong)
    fmt, note = detect(wrong)
    assert fmt.name == "png" and note and "png" in note
    labeled = tmp_path / "labeled.mp4"
    for kind in ("png", "jpg", "webp", "gif", "wav", "flac", "ogg", "pdf", "docx"):
        src = make(kind, tmp_path, "t")
        out = tmp_path / f"full.{kind}"
        write_label(src, out, "ORG", "id", ring=RING)
        cut = tmp_path / f"cut.{kind}"
        cut.write_bytes(out.read_bytes()[: len(out.read_bytes()) // 2])
        result = verify_file(cut, RING)
        assert result.verdict in ("inconclusive", "noncompliant"), (kind, result.to_dict())
    odd = tmp_path / "data.xyz"
    odd.write_bytes(b"\x00\x01binary")
    result = verify_file(odd, RING)
    assert result.verdict == "inconclusive" and "unsupported" in result.reasons[0].en
    with pytest.raises(InputError, match="unsupported"):
        write_label(odd, tmp_path / "o.xyz", "ORG", "id", ring=RING)
    with pytest.raises(InputError, match="in-place"):
        write_label(png, png, "ORG", "id", ring=RING)
    assert not labeled.exists()


def test_in_place_and_sidecar(tmp_path: Path) -> None:
    txt = make("txt", tmp_path)
    write_label(txt, None, "ORG", "id", ring=RING, in_place=True)
    assert json.loads(sidecar_path(txt).read_text())["AIGC"]["ProduceID"] == "id"
    txt.write_text("changed", encoding="utf-8")
    assert verify_file(txt, RING).verdict == "noncompliant"


def test_batch_verify_reports_and_exit_codes(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    good = write_label(make("png", tmp_path), folder / "a.png", "ORG", "1", ring=RING)
    assert good.ReservedCode1
    make("md", folder / "sub")
    results = verify_paths([folder], jobs=1, ring=RING)
    verdicts = {Path(r.path).name: r.verdict for r in results}
    assert verdicts == {"a.png": "compliant", "sample.md": "not_found"}
    assert exit_code(results) == 1
    assert json.loads(json_report(results))["summary"]["not_found"] == 1
    assert "未发现标识" in html_report(results, "zh") and "not_found" in html_report(results, "en")


@needs_ffmpeg
def test_interop_exiftool_ffprobe_mutagen(tmp_path: Path) -> None:
    label = None
    for kind in ("png", "jpg", "webp", "tiff", "pdf"):
        out = tmp_path / f"x.{kind}"
        label = write_label(make(kind, tmp_path), out, "ORG", "id-9", ring=RING)
        if shutil.which("exiftool"):
            text = subprocess.run(
                ["exiftool", "-j", "-XMP:all", str(out)], capture_output=True, text=True, check=True
            ).stdout
            assert parse_label(json.loads(text)[0]["Aigc"]) == label, kind
    mp4 = tmp_path / "x.mp4"
    label = write_label(make("mp4", tmp_path), mp4, "ORG", "id-9", ring=RING)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", str(mp4)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert parse_label(json.loads(probe)["format"]["tags"]["AIGC"]) == label
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(mp4), "-f", "null", "-"], capture_output=True, text=True
    )
    assert decoded.returncode == 0 and decoded.stderr == ""
    from mutagen.id3 import ID3

    mp3 = tmp_path / "x.mp3"
    label = write_label(make("mp3", tmp_path), mp3, "ORG", "id-9", ring=RING)
    assert parse_label(str(ID3(mp3).getall("TXXX:AIGC")[0].text[0])) == label


def _seeds(tmp_path: Path) -> list[tuple[object, bytes, str]]:
    out = []
    for kind in ("png", "jpg", "webp", "gif", "wav", "flac", "ogg", "md", "html"):
        src = make(kind, tmp_path, "seed")
        labeled = tmp_path / f"seedl.{kind}"
        write_label(src, labeled, "ORG", "id", ring=RING)
        fmt, _ = detect(labeled)
        out.append((fmt, labeled.read_bytes(), str(labeled)))
    return out


def test_fuzz_parsers_never_crash(tmp_path: Path) -> None:
    seeds = _seeds(tmp_path)
    paths = [s[2] for s in seeds]
    allowed = (InputError,)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.integers(0, len(seeds) - 1),
        st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
        st.integers(0, 10**6),
    )
    def run(index: int, flips: list[tuple[int, int]], cut: int) -> None:
        fmt, data, _ = seeds[index]
        buf = bytearray(data)
        for pos, value in flips:
            buf[pos % len(buf)] = value
        target = tmp_path / f"fuzz{Path(paths[index]).suffix}"
        target.write_bytes(bytes(buf[: max(1, len(buf) - cut % len(buf))]))
        for call in (fmt.read, fmt.content_hash):  # type: ignore[attr-defined]
            with contextlib.suppress(allowed):
                call(target)
        assert verify_file(target, RING).verdict in ("compliant", "noncompliant", "not_found", "inconclusive")

    run()


def test_every_format_registered_once() -> None:
    extensions = [e for f in FORMATS for e in f.extensions]
    assert len(extensions) == len(set(extensions))
