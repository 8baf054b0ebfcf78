"""Keep canary tokens and system prompts out of what a run shows: reports, the target description,
examples and the REST answers. A canary is shown as ``[canary]`` and a system prompt (or any long line of
one) as ``[system prompt]``; the stored run keeps the real values so that it can be resumed."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

CANARY = "[canary]"
SYSTEM_PROMPT = "[system prompt]"
# Canaries made by aigis (AIGIS-CANARY-<12 hex>) and those written into suite items (AIGIS-<10 hex>).
CANARY_RE = re.compile(r"AIGIS-(?:CANARY-)?[0-9A-F]{8,}")
MIN_LINE = 12  # shorter lines of a system prompt are too common to hide


class Redactor:
    """Replaces the given system prompts (whole, and line by line) and canaries in any text."""

    def __init__(
        self, system_prompts: Iterable[str | None] = (), canaries: Iterable[str | None] = ()
    ) -> None:
        pieces: set[str] = set()
        for prompt in system_prompts:
            if not prompt or not prompt.strip():
                continue
            pieces.add(prompt.strip())
            pieces.update(line.strip() for line in prompt.splitlines() if len(line.strip()) >= MIN_LINE)
        self._prompts = _alternation(pieces)
        self._canaries = _alternation({c for c in canaries if c})

    def text(self, value: str | None) -> str | None:
        if not value:
            return value
        if self._prompts is not None:
            value = self._prompts.sub(SYSTEM_PROMPT, value)
        if self._canaries is not None:
            value = self._canaries.sub(CANARY, value)
        return CANARY_RE.sub(CANARY, value)

    def value(self, data: Any) -> Any:
        """A copy of a JSON-like value with every string redacted."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, list):
            return [self.value(v) for v in data]
        if isinstance(data, dict):
            return {k: self.value(v) for k, v in data.items()}
        return data


def _alternation(pieces: set[str]) -> re.Pattern[str] | None:
    if not pieces:
        return None
    return re.compile("|".join(re.escape(p) for p in sorted(pieces, key=len, reverse=True)))


def system_prompts_of(attempts: Iterable[dict[str, Any]]) -> set[str]:
    """The system messages sent in the given attempts (suite items may carry their own)."""
    found: set[str] = set()
    for attempt in attempts:
        for message in attempt.get("messages") or []:
            if message.get("role") == "system" and message.get("content"):
                found.add(str(message["content"]))
    return found


def run_prompt(config: dict[str, Any]) -> str | None:
    """The system prompt the run's target was given (with the canary line), rebuilt from its config."""
    from aigis.assess.runner import RunConfig, _system_prompt

    try:
        return _system_prompt(RunConfig.from_dict(config))
    except TypeError:
        return None


def _run_secrets(run: dict[str, Any]) -> tuple[set[str | None], list[str | None]]:
    config = run.get("config") or {}
    target = config.get("target") or {}
    return {run_prompt(config), target.get("system_prompt")}, [config.get("canary_token")]


def for_run(run: dict[str, Any], attempts: Iterable[dict[str, Any]] = ()) -> Redactor:
    """One redactor for everything about a run (its target, metrics and examples)."""
    prompts, canaries = _run_secrets(run)
    return Redactor(prompts | system_prompts_of(attempts), canaries)


def redact_attempts(run: dict[str, Any], attempts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the attempts, each redacted for the run's secrets and its own system messages (a
    reply can only leak what it was sent); attempts sharing system messages share a redactor."""
    prompts, canaries = _run_secrets(run)
    cache: dict[frozenset[str], Redactor] = {}
    out = []
    for attempt in attempts:
        own = frozenset(system_prompts_of([attempt]))
        redactor = cache.get(own)
        if redactor is None:
            redactor = cache[own] = Redactor(prompts | own, canaries)
        out.append(redactor.value(attempt))
    return out


def redact_run(run: dict[str, Any], redactor: Redactor | None = None) -> dict[str, Any]:
    """A copy of a run dict (see ``store.assess.run_dict``) safe to show."""
    redactor = redactor or for_run(run)
    out = copy.deepcopy(run)
    config = out.get("config") or {}
    if config.get("canary_token"):
        config["canary_token"] = CANARY
    target = config.get("target") or {}
    if target.get("system_prompt"):
        target["system_prompt"] = SYSTEM_PROMPT
    out["target"] = redactor.text(out.get("target"))
    if out.get("summary"):
        out["summary"] = redactor.value(out["summary"])
    return out


def describe_target(description: dict[str, Any]) -> dict[str, Any]:
    """A target's description with its system prompt hidden."""
    out = dict(description)
    if out.get("system_prompt"):
        out["system_prompt"] = SYSTEM_PROMPT
    return out
