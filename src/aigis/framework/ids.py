"""Clause ids as people type them: spacing, full-width characters, case and short forms."""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[\s()\[\]\-_:：]")
_DOT_LETTER = re.compile(r"(\d)\.([a-z])$")
_OWASP = re.compile(r"^LLM(\d{2}):(\d{4})$")


def id_key(value: str) -> str:
    """The form under which an id is looked up.

    ``3.2.1(a)``, ``3.2.1 (a)``, ``3.2.1a``, ``3.2.1.A`` and ``３.２.１（ａ）`` share one key, and so
    do ``LLM01:2025`` and ``llm01 2025``.
    """
    key = unicodedata.normalize("NFKC", value).strip().lower()
    key = _DROP.sub("", key)
    return _DOT_LETTER.sub(r"\1\2", key)


def id_aliases(clause_id: str) -> list[str]:
    """Extra keys an id answers to besides its own, e.g. ``LLM01`` and ``LLM1`` for ``LLM01:2025``."""
    match = _OWASP.match(clause_id)
    if not match:
        return []
    number = match.group(1)
    return [f"llm{number}", f"llm{int(number)}"]
