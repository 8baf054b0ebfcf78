"""Video notice (opening frames, 5% rule, audio kept) and the explicit-label checks in verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigis.label import explicit, explicit_video
from aigis.label.api import add_labels
from aigis.label.signing import KeyRing
from aigis.label.verify import default_extras, verify_file

try:
    from tests.test_label_samples import ffmpeg, needs_ffmpeg, photo
except ImportError:  # tests/ is not a package
    from test_label_samples import ffmpeg, needs_ffmpeg, photo  # type: ignore[no-redef]


def _video(path: Path, seconds: int = 5) -> Path:
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=10:duration={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path


@needs_ffmpeg
def test_video_notice_opening_seconds_height_rule_audio_kept(tmp_path: Path) -> None:
    src = _video(tmp_path / "clip.mp4")
    dst = tmp_path / "labeled.mp4"
    placement = explicit_video.label_video(src, dst, "zh", corner="top-left", end=True)
    assert placement.windows[0] == (0.0, 3.0)
    assert placement.notice.glyph_height >= 0.05 * 240 and not placement.notice.problems()
    check = explicit_video.check_video(dst)
    assert check["ok"], check
    assert check["visible_s"] >= 2.0 and check["audio"] is True
    assert check["notice"]["position"] == "top-left"
    info = explicit_video.probe(dst)
    assert abs(info["duration"] - 5.0) < 0.3
    plain = explicit_video.check_video(src)
    assert not plain["found"] and not plain["ok"]


@needs_ffmpeg
def test_short_notice_is_reported(tmp_path: Path) -> None:
    src = _video(tmp_path / "clip.mp4", 4)
    with pytest.raises(Exception, match="at least 2"):
        explicit_video.label_video(src, tmp_path / "x.mp4", seconds=1.0)
    # a notice over only the first second does not meet the rule
    labeled = tmp_path / "one.mp4"
    explicit_video.label_video(src, labeled, "en")
    short = tmp_path / "short.mp4"
    ffmpeg("-i", str(labeled), "-ss", "2", "-c:v", "libx264", "-c:a", "copy", str(short))
    check = explicit_video.check_video(short)
    assert check["found"] and check["visible_s"] < 2.0
    assert any("at least 2" in p for p in check["problems"])


@needs_ffmpeg
def test_add_explicit_video_then_verify(tmp_path: Path) -> None:
    src = _video(tmp_path / "clip.mp4")
    dst = tmp_path / "out.mp4"
    ring = KeyRing.load(tmp_path / "keys")
    add_labels(src, dst, "ORG-1", "v-1", explicit=True, implicit=True, lang="en", ring=ring)
    report = verify_file(dst, ring, default_extras(explicit=True))
    assert report.verdict == "compliant", report.to_dict()
    assert report.explicit and report.explicit["ok"]


def test_image_notice_is_found_by_detection_in_both_languages(tmp_path: Path) -> None:
    for lang, position in (("zh", "bottom-right"), ("en", "top")):
        labeled, placement = explicit.label_image(photo(640, 480, seed=5), lang, position=position)  # type: ignore[arg-type]
        found = explicit.find_image_notice(labeled)
        assert found is not None and found["position"] == position and found["text"] == placement.text
    assert explicit.find_image_notice(photo(640, 480, seed=5)) is None


def test_verify_explicit_reports_text_and_image_per_file(tmp_path: Path) -> None:
    ring = KeyRing.load(tmp_path / "keys")
    text = tmp_path / "a.txt"
    text.write_text("今天天气晴。", encoding="utf-8")
    image = tmp_path / "p.png"
    photo(400, 300).save(image)
    for path in (text, image):
        add_labels(path, path.with_name("x-" + path.name), "ORG", "t-1", explicit=True, ring=ring)
        add_labels(path, path.with_name("y-" + path.name), "ORG", "t-1", ring=ring)
    extras = default_extras(explicit=True)
    for name in ("x-a.txt", "x-p.png"):
        report = verify_file(tmp_path / name, ring, extras)
        assert report.verdict == "compliant" and report.explicit and report.explicit["found"], (
            report.to_dict()
        )
    for name in ("y-a.txt", "y-p.png"):
        report = verify_file(tmp_path / name, ring, extras)
        assert report.verdict == "noncompliant" and report.explicit and not report.explicit["found"]
        assert any("explicit" in r.en for r in report.reasons)
