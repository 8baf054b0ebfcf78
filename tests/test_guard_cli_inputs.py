"""`aigis guard` on awkward inputs: error text that looks like Rich markup, output paths that cannot be
written, JSONL values of the wrong type, bytes that are not UTF-8, and directories given as files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_aigis

BAD_YAML = "name: [unclosed\n  foo: : bar\n"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_aigis(*args, columns=300)


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(text.split())


def test_policy_error_quoting_brackets_is_printed_whole(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_YAML, encoding="utf-8")
    r = cli("guard", "policy", "validate", str(bad))  # the entry point prints errors for every command
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "name: [unclosed" in r.stderr and "expected ',' or ']', but got ':'" in r.stderr


def test_file_and_policy_names_that_look_like_markup_are_printed_as_is(tmp_path: Path) -> None:
    rows = tmp_path / "[red]rows.jsonl"
    rows.write_text('{"text": "hello"}\nnot json [b]x[/b]\n', encoding="utf-8")
    r = cli("guard", "scan", str(rows))
    assert r.returncode == 2
    assert f"error: {rows}:2: not valid JSON (Expecting value)" in flat(r.stdout)
    policy = tmp_path / "p.yaml"
    policy.write_text('name: "[red]strict[/red]"\ndetectors: [pii]\n', encoding="utf-8")
    r = cli("guard", "policy", "validate", str(policy))
    assert r.returncode == 0 and f"ok {policy}: policy '[red]strict[/red]', detectors: pii" in flat(r.stdout)
    r = cli("guard", "policy", "show", str(policy), "--format", "table")
    assert r.returncode == 0 and "[red]strict[/red]: input" in r.stdout


def test_output_paths_are_checked_before_any_work(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text('{"text": "hello", "label": "safe"}\n', encoding="utf-8")
    # a broken policy shows the check comes first: the policy is never read
    bad_policy = tmp_path / "bad.yaml"
    bad_policy.write_text(BAD_YAML, encoding="utf-8")
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    missing = tmp_path / "missing" / "v.jsonl"
    scan = ("guard", "scan", str(data), "-p", str(bad_policy), "--out")
    cases = [
        (
            (*scan, str(missing)),
            f"error: --out '{missing}': the folder '{missing.parent}' does not exist; "
            "give a file in an existing folder",
        ),
        (
            (*scan, str(tmp_path)),
            f"error: --out '{tmp_path}' is a directory; give the path of a file to write",
        ),
        (
            (*scan, str(a_file / "v.jsonl")),
            f"error: --out '{a_file / 'v.jsonl'}': '{a_file}' is not a folder; "
            "give a file in an existing folder",
        ),
        (
            (
                "guard",
                "eval",
                str(data),
                "--label-column",
                "label",
                "-p",
                str(bad_policy),
                "--html",
                str(missing),
            ),
            f"error: --html '{missing}': the folder '{missing.parent}' does not exist; "
            "give a file in an existing folder",
        ),
        (
            ("guard", "train", "--embedding-cache", str(missing)),
            f"error: --embedding-cache '{missing}': the folder '{missing.parent}' does not exist; "
            "give a file in an existing folder",
        ),
        (
            ("guard", "train", "--output-dir", str(a_file)),
            f"error: --output-dir '{a_file}' is a file; give a folder (it is created if missing)",
        ),
    ]
    for args, message in cases:
        r = cli(*args)
        assert r.returncode == 2, (args, r.stdout + r.stderr)
        assert flat(r.stderr) == message
    assert not missing.parent.exists()


def test_values_that_are_not_strings_are_row_errors(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        '{"text": 123}\n{"text": null}\n{"text": ["a"]}\n[1,2]\n{"text": "hello"}\n"a bare string"\n',
        encoding="utf-8",
    )
    out = tmp_path / "v.jsonl"
    r = cli("guard", "scan", str(corpus), "--out", str(out), "--format", "json")
    assert r.returncode == 2 and "4 row(s) could not be read" in r.stderr
    summary = json.loads(r.stdout)
    assert summary["rows"] == 2 and summary["errors"] == 4
    assert summary["first_errors"] == [
        f"{corpus}:1: column 'text' holds a number (123); a string is expected",
        f"{corpus}:2: column 'text' holds null; a string is expected",
        f"{corpus}:3: column 'text' holds an array ([\"a\"]); a string is expected",
        f"{corpus}:4: the row is an array ([1, 2]); a row must be a JSON object (with a 'text' column) "
        "or a string",
    ]
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [sorted(x) for x in lines[:4]] == [["error", "file", "row"]] * 4
    assert [x.get("action") for x in lines[4:]] == ["allow", "allow"]

    listed = tmp_path / "list.json"
    listed.write_text('["hello", 7]', encoding="utf-8")
    r = cli("guard", "scan", str(listed), "--format", "json")
    assert r.returncode == 2 and json.loads(r.stdout)["first_errors"] == [
        f"{listed}:2: the row is a number (7); a row must be a JSON object (with a 'text' column) or a string"
    ]

    # eval stops at the first such row, as it does at a row that is not JSON
    for row, message in [
        ({"text": 5, "label": "safe"}, "column 'text' holds a number (5); a string is expected"),
        (
            {"text": "hi", "label": None},
            "label column 'label' holds null; a string, an integer or a boolean is expected",
        ),
        (
            {"text": "hi", "label": 0.0},
            "label column 'label' holds a number (0.0); a string, an integer or a boolean is expected",
        ),
        (
            {"text": "hi", "label": "safe", "lang": ["zh"]},
            "language column 'lang' holds an array ([\"zh\"]); a string is expected",
        ),
    ]:
        data = tmp_path / "labelled.jsonl"
        data.write_text('\n{"text": "hello", "label": 0}\n' + json.dumps(row) + "\n", encoding="utf-8")
        r = cli("guard", "eval", str(data), "--label-column", "label", "--lang-column", "lang")
        assert r.returncode == 2 and flat(r.stderr) == f"error: {data}:3: {message}", r.stdout + r.stderr


def test_bytes_that_are_not_utf8_are_read_as_replacement_characters_and_counted(tmp_path: Path) -> None:
    files = {
        "rows.jsonl": b'{"text": "ok \xff there"}\n{"text": "clean \xef\xbf\xbd"}\n',
        "rows.txt": b"line \xe4\xb8 one\nline two\n",
        "rows.csv": b'text\n"multi\nline \xfe"\nplain\n',
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    out = tmp_path / "v.jsonl"
    r = cli("guard", "scan", *(str(tmp_path / n) for n in files), "--out", str(out), "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    summary = json.loads(r.stdout)
    assert summary["rows"] == 6 and summary["errors"] == 0 and summary["replaced_invalid_utf8"] == 3
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    flagged = [(Path(x["file"]).name, x["row"], x["text"]) for x in lines if x.get("replaced_invalid_utf8")]
    assert flagged == [
        ("rows.jsonl", 1, "ok \ufffd there"),
        ("rows.txt", 1, "line \ufffd one"),
        ("rows.csv", 3, "multi\nline \ufffd"),
    ]
    # a U+FFFD that the file holds as valid UTF-8 is text like any other
    assert "replaced_invalid_utf8" not in lines[1] and lines[1]["text"] == "clean \ufffd"
    r = cli("guard", "scan", str(tmp_path / "rows.jsonl"))
    assert r.returncode == 0 and "note: 1 row(s) had bytes that are not UTF-8, read as U+FFFD" in r.stdout

    data = tmp_path / "labelled.csv"
    data.write_bytes(b"text,label\nhello \xff,safe\nworld,safe\n")
    r = cli("guard", "eval", str(data), "--label-column", "label", "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    result = json.loads(r.stdout)
    assert result["replaced_invalid_utf8"] == 1 and result["overall"]["n"] == 2


def test_a_directory_given_as_a_file_is_named_as_one(tmp_path: Path) -> None:
    r = cli("guard", "scan", str(tmp_path))
    assert r.returncode == 2 and flat(r.stderr) == (
        f"error: data file '{tmp_path}' is a directory, not a file; give JSONL, JSON, CSV/TSV or text files"
    )
    r = cli("guard", "eval", str(tmp_path), "--label-column", "label")
    assert r.returncode == 2 and "is a directory, not a file" in r.stderr
    r = cli("guard", "check", "-f", str(tmp_path))
    assert r.returncode == 2 and flat(r.stderr) == (
        f"error: --file '{tmp_path}' is a directory, not a file; give a text file"
    )


def test_check_says_when_its_text_had_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"hello \xff world")
    r = cli("guard", "check", "-f", str(bad), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["text"] == "hello \ufffd world"
    assert "has bytes that are not UTF-8; they were read as U+FFFD" in flat(r.stderr)
    good = tmp_path / "good.txt"
    good.write_text("你好", encoding="utf-8")
    r = cli("guard", "check", "-f", str(good))
    assert r.returncode == 0 and "not UTF-8" not in r.stderr
