"""Audio labels: rhythm and spoken notices with their check, and the watermark through MP3 and resampling."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from aigis.errors import InputError
from aigis.label import audio_io, explicit_audio, watermark_audio
from aigis.label.api import add_labels
from aigis.label.signing import KeyRing
from aigis.label.verify import default_extras, verify_file

try:
    from tests.test_label_samples import needs_ffmpeg
except ImportError:  # tests/ is not a package
    from test_label_samples import needs_ffmpeg  # type: ignore[no-redef]

RATE = 44100


def music(seconds: float, seed: int = 1, channels: int = 2) -> np.ndarray:
    """Plucked harmonic notes, four a second, with a little noise: music-like content."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(RATE * seconds)) / RATE
    out = np.zeros_like(t)
    for i, f in enumerate(rng.choice([220, 247, 262, 294, 330, 349, 392, 440], size=int(seconds * 4))):
        start = int(i * RATE / 4)
        end = min(len(t), start + int(RATE * 0.375))
        tt = t[start:end] - t[start]
        for h in range(1, 6):
            out[start:end] += np.exp(-3 * tt) * np.sin(2 * np.pi * f * h * tt) / h * 0.15
    out += 0.01 * rng.normal(size=t.size)
    return np.stack([np.roll(out, 40 * c) for c in range(channels)], 1).astype(np.float32)


def _ffmpeg_roundtrip(samples: np.ndarray, rate: int, *args: str) -> tuple[np.ndarray, int]:
    ffmpeg = audio_io.ffmpeg_path()
    wav = io.BytesIO()
    soundfile.write(wav, samples, rate, format="WAV", subtype="FLOAT")
    data = wav.getvalue()
    if "mp3" in args:
        data = subprocess.run(
            [
                ffmpeg,
                "-v",
                "error",
                "-f",
                "wav",
                "-i",
                "-",
                "-c:a",
                "libmp3lame",
                "-b:a",
                "128k",
                "-f",
                "mp3",
                "-",
            ],
            input=data,
            capture_output=True,
            check=True,
        ).stdout
    out = subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-i",
            "-",
            *[a for a in args if a != "mp3"],
            "-f",
            "wav",
            "-c:a",
            "pcm_s16le",
            "-",
        ],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    back, back_rate = soundfile.read(io.BytesIO(out), dtype="float32", always_2d=True)
    return back, int(back_rate)


@pytest.mark.parametrize("position", ["start", "middle", "end"])
def test_rhythm_notice_is_found_where_it_was_put_at_content_level(position: str) -> None:
    content = music(4.0)
    out, placement = explicit_audio.label_audio(content, RATE, "rhythm", position)  # type: ignore[arg-type]
    assert out.shape[1] == 2 and len(out) > len(content)
    assert abs(placement.level_db) < 1.0
    check = explicit_audio.check_rhythm(out, RATE)
    assert check.ok, check.problems
    [found] = check.found
    assert found.position == position
    assert abs(found.start_s - placement.start_s) < 0.03
    short, long_, *_ = found.tones_ms
    assert 100 <= short <= 150 and 340 <= long_ <= 400
    assert abs(found.frequency_hz - explicit_audio.TONE_HZ) < 50
    assert abs(found.level_db) < 2.0


def test_rhythm_check_rejects_plain_content_quiet_notices_and_wrong_rhythms() -> None:
    content = music(3.0)
    assert not explicit_audio.check_rhythm(content, RATE).found
    out, _ = explicit_audio.label_audio(content, RATE)
    quiet = out.copy()
    quiet[: int(1.1 * RATE)] *= 0.15  # the notice, now far below the content
    check = explicit_audio.check_rhythm(quiet, RATE)
    assert check.found and not check.ok and "quieter" in check.problems[0]
    # long-short-short-short is not "AI"
    tones = explicit_audio.rhythm(RATE)
    swapped = np.concatenate(
        [tones[int(0.24 * RATE) : int(0.72 * RATE)], tones[: int(0.24 * RATE)], tones[int(0.72 * RATE) :]]
    )
    assert not explicit_audio.check_rhythm(np.concatenate([swapped, content[:, 0]]), RATE).found


def test_voice_turns_each_get_a_notice() -> None:
    turns = [music(1.0, seed=s, channels=1)[:, 0] for s in range(3)]
    labeled = [explicit_audio.label_turn(turn, RATE) for turn in turns]
    assert all(t.ndim == 1 for t in labeled)
    assert all(explicit_audio.check_rhythm(t, RATE).ok for t in labeled)


@pytest.mark.skipif(explicit_audio.espeak_path() is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_spoken_notice_is_speech_of_content_level(lang: str) -> None:
    content = music(2.0)
    out, placement = explicit_audio.label_audio(content, RATE, "spoken", "end", lang)  # type: ignore[arg-type]
    assert placement.duration_s > 1.0
    assert abs(placement.level_db) < 3.0
    tail = out[int(placement.start_s * RATE) :, 0]
    assert explicit_audio.rms(tail, RATE) > 0.3 * explicit_audio.rms(content, RATE)


def test_audio_file_add_explicit_and_verify_reports_the_rhythm(tmp_path: Path) -> None:
    src = tmp_path / "song.flac"
    soundfile.write(src, music(3.0), RATE, format="FLAC")
    dst = tmp_path / "out.flac"
    ring = KeyRing.load(tmp_path / "keys")
    result = add_labels(src, dst, "ORG-1", "job-1", explicit=True, position="end", ring=ring)
    assert result.steps["explicit"]["position"] == "end"
    report = verify_file(dst, ring, default_extras(explicit=True))
    assert report.verdict == "compliant", report.to_dict()
    assert report.explicit and report.explicit["ok"] and report.explicit["found"][0]["position"] == "end"
    plain = verify_file(src, ring, default_extras(explicit=True))
    assert plain.explicit and not plain.explicit["ok"]


SPEECH_TEXT = {
    "zh": "人工智能生成的内容需要添加标识。服务提供者应当在文件元数据中添加隐式标识，"
    "音频可以在开头、结尾或者中间加入语音提示。这段话用来检验水印能否经受压缩和重新采样。",
    "en": "Content generated by artificial intelligence must carry a label. Providers add an implicit "
    "label to the file metadata, and audio may carry a spoken notice at the start or the end.",
}


def speech(lang: str, seconds: float) -> np.ndarray:
    """Several sentences spoken by espeak-ng at 44.1 kHz, mono (frames, 1), cut to ``seconds``."""
    program = explicit_audio.espeak_path()
    if program is None:
        pytest.skip("espeak-ng is not installed")
    voice = {"zh": "cmn", "en": "en"}[lang]
    done = subprocess.run(
        [program, "-v", voice, "-s", "160", "--stdout", SPEECH_TEXT[lang]], capture_output=True, check=True
    )
    samples, rate = soundfile.read(io.BytesIO(done.stdout), dtype="float32", always_2d=True)
    out = audio_io.resample(samples[:, 0], rate, RATE)
    out = 0.3 * out / np.max(np.abs(out))
    assert len(out) >= seconds * RATE, len(out) / RATE
    return out[: int(seconds * RATE), None].astype(np.float32)


CONTENT = {
    "music-10s": lambda: music(10.0),
    "speech-zh-10s": lambda: speech("zh", 10.0),
    "speech-en-7s": lambda: speech("en", 7.0),
}


@needs_ffmpeg
@pytest.mark.parametrize("kind", sorted(CONTENT))
def test_watermark_survives_mp3_128k_and_resampling_to_16k(kind: str) -> None:
    content = CONTENT[kind]()
    payload = watermark_audio.payload_for(f"task-2025-{kind}")
    marked = watermark_audio.embed(content, RATE, payload)
    assert marked.shape == content.shape
    assert watermark_audio.snr_db(content, marked) > 19
    assert watermark_audio.segmental_snr_db(content, marked, RATE) > 17
    for args in (("mp3",), ("-ar", "16000"), ("mp3", "-ar", "16000")):
        back, rate = _ffmpeg_roundtrip(marked, RATE, *args)
        detection = watermark_audio.detect(back, rate)
        assert watermark_audio.bit_accuracy(detection, payload) >= 0.99, args
        assert detection.found and detection.payload == payload and detection.confidence > 0.99, args
        assert detection.sync_z > 2 * watermark_audio.SYNC_Z / 1.5, args
    clean = watermark_audio.detect(content, RATE)
    assert not clean.found and clean.payload is None
    assert clean.sync_z < watermark_audio.SYNC_Z
    # another key reads nothing
    assert not watermark_audio.detect(marked, RATE, key="another key").found


@pytest.mark.parametrize("kind", sorted(CONTENT))
def test_watermark_survives_a_cut_at_the_start(kind: str) -> None:
    content = CONTENT[kind]()[:, 0]
    payload = watermark_audio.payload_for("cut")
    marked = watermark_audio.embed(content, RATE, payload)
    assert marked.ndim == 1
    for cut_s in (0.7, 1.337):
        detection = watermark_audio.detect(marked[int(cut_s * RATE) :], RATE)
        assert detection.found and detection.payload == payload, cut_s


def test_watermark_decoder_repairs_a_weak_bit_and_rejects_a_wrong_word() -> None:
    payload = watermark_audio.payload_for("chase")
    soft = watermark_audio._bits(payload) * np.linspace(1.0, 2.0, watermark_audio.CODED_BITS)
    soft[5] = -0.01 * np.sign(soft[5])  # the least reliable bit read wrong
    decoded, crc_ok, flips = watermark_audio._decode(soft)
    assert crc_ok and decoded == payload and flips == 1
    soft[[10, 20, 30, 40]] *= -1  # four confident errors: no candidate passes the CRC
    assert not watermark_audio._decode(soft)[1]


def test_watermark_refuses_too_short_audio_and_bad_payloads() -> None:
    with pytest.raises(InputError, match="shorter"):
        watermark_audio.embed(music(1.0), RATE, b"abcd")
    with pytest.raises(InputError, match="bytes"):
        watermark_audio.embed(music(3.0), RATE, b"abcdef")
    assert not watermark_audio.detect(np.zeros(1000, np.float32), RATE).found


@needs_ffmpeg
def test_mp3_add_watermark_then_verify_matches_the_label(tmp_path: Path) -> None:
    wav = tmp_path / "in.wav"
    soundfile.write(wav, music(10.0, seed=2), RATE)
    src = tmp_path / "in.mp3"
    subprocess.run(
        [audio_io.ffmpeg_path(), "-v", "error", "-i", str(wav), "-b:a", "192k", str(src)], check=True
    )
    dst = tmp_path / "out.mp3"
    ring = KeyRing.load(tmp_path / "keys")
    result = add_labels(src, dst, "ORG-1", "job-42", watermark=True, ring=ring)
    assert result.steps["watermark"]["payload"] == watermark_audio.payload_for("job-42").hex()
    report = verify_file(dst, ring, default_extras(watermark=True))
    assert report.watermark and report.watermark["found"] and report.watermark["matches_label"], (
        report.to_dict()
    )
    assert report.verdict == "compliant"
    assert json.dumps(report.to_dict())
    # a copy re-encoded at 128 kbit/s without its metadata still carries the watermark: noncompliant
    stripped = tmp_path / "stripped.mp3"
    subprocess.run(
        [
            audio_io.ffmpeg_path(),
            "-v",
            "error",
            "-i",
            str(dst),
            "-map_metadata",
            "-1",
            "-b:a",
            "128k",
            str(stripped),
        ],
        check=True,
    )
    again = verify_file(stripped, ring, default_extras(watermark=True))
    assert again.watermark and again.watermark["found"]
    assert again.verdict == "noncompliant"
    assert shutil.which("ffmpeg")
