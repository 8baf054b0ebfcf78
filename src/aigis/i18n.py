"""Language selection shared by the CLI, the server and the reports."""

from __future__ import annotations

import locale
import os
from typing import Literal

from aigis.errors import InputError

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


def parse_lang(value: str, source: str = "--lang") -> Lang:
    """Accept 'zh', 'en' and locale-style spellings such as 'zh_CN.UTF-8' or 'en-US'."""
    norm = value.strip().lower().replace("-", "_")
    if norm.startswith("zh"):
        return "zh"
    if norm.startswith("en"):
        return "en"
    raise InputError(f"{source}: language {value!r} is not supported; use one of: zh, en")


def _locale_lang() -> Lang:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        current = locale.getlocale()[0] or ""
    except ValueError:
        current = ""
    return "zh" if current.lower().startswith("zh") else "en"


def resolve_lang(explicit: str | None = None) -> Lang:
    """--lang first, then AIGIS_LANG, then the locale: zh for a zh locale, en otherwise."""
    if explicit:
        return parse_lang(explicit)
    env = os.environ.get("AIGIS_LANG")
    if env:
        return parse_lang(env, source="AIGIS_LANG")
    return _locale_lang()


def pick(lang: Lang, zh: str, en: str) -> str:
    """Return the text in the wanted language."""
    return zh if lang == "zh" else en
