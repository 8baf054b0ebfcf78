"""Output-side leakage: canary strings and long verbatim stretches of the system prompt in a response."""

from __future__ import annotations

from aigis.guard.detectors.base import Detector, Finding, ScanContext, Span, register_detector
from aigis.guard.normalize import written_and_folded

CLAUSES = ("3.1.2(d)", "4.2.2(b)", "LLM07:2025")
_GRAM = 12


def _grams(text: str) -> set[str]:
    flat = " ".join(text.lower().split())
    return {flat[i : i + _GRAM] for i in range(0, max(0, len(flat) - _GRAM + 1))}


@register_detector
class LeakageDetector(Detector):
    """Canaries anywhere in a response, and runs of at least ``min_chars`` characters copied from the
    system prompt (compared on lower-cased text with collapsed whitespace)."""

    name = "leakage"
    clauses = CLAUSES
    literal = True

    @classmethod
    def known_categories(cls) -> frozenset[str]:
        return frozenset({"system_prompt", "canary"})

    def __init__(
        self, system_prompt: str = "", canaries: list[str] | None = None, min_chars: int = 40
    ) -> None:
        # the Guard hands this detector folded text ("，" → ",", traditional → simplified Chinese), so the
        # canaries and the system prompt are matched as written and as folded
        self.canaries = written_and_folded(c for c in canaries or [] if c)
        self.min_chars = max(_GRAM, min_chars)
        prompts = written_and_folded([system_prompt] if system_prompt else [])
        self._grams = {gram for prompt in prompts for gram in _grams(prompt)}

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        found: list[Finding] = []
        if context.direction != "output":
            return found
        for canary in self.canaries:
            at = text.find(canary)
            if at >= 0:
                found.append(
                    Finding(
                        self.name,
                        "canary",
                        1.0,
                        Span(at, at + len(canary)),
                        CLAUSES,
                        "canary string from the system prompt appears in the response",
                        canary,
                    )
                )
        if not self._grams or len(text) < self.min_chars:
            return found
        # collapse whitespace but remember where each kept character came from
        kept: list[int] = []
        chars: list[str] = []
        prev_space = True
        for i, ch in enumerate(text.lower()):
            if ch.isspace():
                if prev_space:
                    continue
                ch, prev_space = " ", True
            else:
                prev_space = False
            kept.append(i)
            chars.append(ch)
        flat = "".join(chars)
        run_start = -1
        run_end = -1
        for i in range(0, len(flat) - _GRAM + 1):
            if flat[i : i + _GRAM] in self._grams:
                if run_start < 0 or i > run_end:
                    self._close(found, text, kept, run_start, run_end)
                    run_start = i
                run_end = i + _GRAM
        self._close(found, text, kept, run_start, run_end)
        return found

    def _close(self, found: list[Finding], text: str, kept: list[int], start: int, end: int) -> None:
        if start < 0 or end - start < self.min_chars:
            return
        a, b = kept[start], kept[end - 1] + 1
        found.append(
            Finding(
                self.name,
                "system_prompt",
                0.9,
                Span(a, b),
                LeakageDetector.clauses,
                f"{end - start} characters copied from the system prompt",
                text[a:b],
            )
        )
