from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aigis import __version__

AIGIS = str(Path(sys.executable).parent / "aigis")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([AIGIS, *args], capture_output=True, text=True, env=full_env, timeout=60)


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"aigis {__version__}"


def test_framework_list_risks_json_has_30_bilingual() -> None:
    r = run("framework", "list", "--kind", "risk", "--format", "json")
    assert r.returncode == 0, r.stderr
    risks = json.loads(r.stdout)
    assert len(risks) == 30
    assert all(x["title"]["zh"] and x["title"]["en"] and x["text"]["zh"] and x["text"]["en"] for x in risks)


def test_framework_map_shows_chinese_table_and_english_divergence() -> None:
    r = run("framework", "map", "3.2.1(a)", "--lang", "en")
    assert r.returncode == 0, r.stderr
    for measure in ("4.2.1(b)", "4.2.1(c)", "4.2.1(d)", "4.2.1(e)"):
        assert measure in r.stdout
    assert "English-text divergence" in r.stdout
    data = json.loads(run("framework", "map", "3.2.1(a)", "--format", "json").stdout)
    assert [m["id"] for m in data["technical"]] == ["4.2.1(b)", "4.2.1(c)", "4.2.1(d)", "4.2.1(e)"]
    assert data["divergence"]["technical"] == ["4.2.1(a)", "4.2.1(c)", "4.2.1(d)"]


def test_language_follows_flag_then_env() -> None:
    zh = run("framework", "show", "A3.15", "--lang", "zh")
    assert "安全护栏" in zh.stdout
    env_en = run("framework", "show", "A3.15", env={"AIGIS_LANG": "en"})
    assert "uardrail" in env_en.stdout


def test_unknown_id_is_clear_error_without_traceback() -> None:
    r = run("framework", "show", "3.2.1(q)")
    assert r.returncode == 3
    assert "unknown clause '3.2.1(q)'" in r.stderr and "did you mean" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    r = run("guard", "train", "--bogus")
    assert r.returncode == 2
    assert "No such option: --bogus" in r.stderr and "Traceback" not in r.stderr


def test_bad_lang_and_kind_are_clear_errors() -> None:
    r = run("framework", "list", "--lang", "fr")
    assert r.returncode == 2 and "use one of: zh, en" in r.stderr and "Traceback" not in r.stderr
    r = run("framework", "list", "--kind", "bogus")
    assert r.returncode == 2 and "bogus" in r.stderr


def test_search_yaml() -> None:
    r = run("framework", "search", "guardrail", "--format", "yaml")
    assert r.returncode == 0 and "A3.15" in r.stdout


def test_an_empty_table_says_it_is_empty() -> None:
    r = run("framework", "search", "zzqqxx-nothing")
    assert r.returncode == 0 and "(none / 无)" in r.stdout
    r = run("framework", "search", "guardrail")
    assert "A3.15" in r.stdout and "(none / 无)" not in r.stdout


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_config_show_hides_secrets(fmt: str) -> None:
    r = run("config", "show", "--format", fmt, env={"AIGIS_DATABASE_URL": "postgresql://u:topsecret@h/d"})
    assert r.returncode == 0 and "topsecret" not in r.stdout and "***" in r.stdout


def test_db_upgrade_creates_sqlite_in_home(_isolated_home: Path) -> None:
    r = run("db", "upgrade")
    assert r.returncode == 0, r.stderr
    assert (_isolated_home / "aigis.db").exists()
    status = run("db", "status")
    applied, newest = (line.split(":", 1)[1].strip() for line in status.stdout.splitlines()[:2])
    assert applied == newest and applied != "(none)"
    assert "pending" not in status.stdout


def test_token_create_list_revoke() -> None:
    created = run("auth", "token", "create", "ci", "--scope", "read")
    assert created.returncode == 0
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("aigis_")
    listed = run("auth", "token", "list")
    assert "ci" in listed.stdout and secret not in listed.stdout
    assert run("auth", "token", "revoke", "ci").returncode == 0
    bad = run("auth", "token", "create", "x", "--scope", "root")
    assert bad.returncode == 2 and "read, write, admin" in bad.stderr


def test_an_exit_code_a_command_asks_for_is_the_process_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """``typer.Exit(n)`` in a command (``assess diff`` with regressions exits 1) reaches the shell: click,
    run without standalone mode, returns the code instead of exiting with it."""
    import typer

    import aigis.cli as cli

    app = typer.Typer()

    @app.command()
    def regressed() -> None:
        raise typer.Exit(3)

    @app.command()
    def fine() -> None:
        pass

    monkeypatch.setattr(cli, "app", app)
    monkeypatch.setattr(sys, "argv", ["aigis", "regressed"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 3
    monkeypatch.setattr(sys, "argv", ["aigis", "fine"])
    cli.main()  # no exit at all when the command succeeds
