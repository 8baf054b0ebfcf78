"""Checking a response while it streams.

Text is released sentence by sentence (Chinese and English sentence ends: 。！？；… and . ! ? before a
space), never before it has been checked. When no sentence end arrives, at most ``max_hold`` characters
are held; then everything but the last ``overlap`` characters is checked and released, so a word split
across chunks is still seen whole. If the policy blocks, the stream stops and yields the reply instead.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aigis.errors import InputError
from aigis.guard.detectors.base import Span
from aigis.guard.detectors.harmful import LONG_REQUEST, OWN_WORDS
from aigis.guard.policy import BLOCKING, SEVERITY

if TYPE_CHECKING:
    from aigis.guard.guard import Guard, Hit, Verdict

_HARD_ENDS = frozenset("。！？；…\n!?;")
_CLOSERS = frozenset("”’」』）)】\"'》")
# a response judged on its own words is read whole when it is at most LONG_REQUEST characters long, and in
# windows with the answer around each sentence when it is longer (HarmfulDetector.answer_probability); a
# stream that such a reading blocks is read again over this many characters before it is stopped
_LONG_READ = LONG_REQUEST + 1


def sentence_cut(text: str, start: int = 0) -> int:
    """Index just after the last complete sentence in ``text`` (0 when there is none)."""
    i = len(text) - 1
    while i >= start:
        ch = text[i]
        if ch in _HARD_ENDS or (ch == "." and i + 1 < len(text) and text[i + 1] in " \t\n"):
            end = i + 1
            while end < len(text) and text[end] in _CLOSERS:
                end += 1
            return end
        i -= 1
    return 0


@dataclass
class StreamStats:
    """What streaming cost: characters held back and time spent checking."""

    chunks: int = 0
    releases: int = 0
    max_held_chars: int = 0
    check_ms: list[float] = field(default_factory=list)


class _Core:
    def __init__(self, guard: Guard, prompt: str | None, lang: str | None) -> None:
        self.guard = guard
        self.prompt = prompt
        self.lang = lang
        self.max_hold = guard.policy.streaming.max_hold
        self.overlap = guard.policy.streaming.overlap
        self.context = guard.policy.streaming.context
        self.buffer = ""
        self.released: list[str] = []
        self.released_len = 0  # characters of the original stream already released
        # the end of the released text that a check reads before the held text (joining all of it for
        # every release would make a long stream quadratic)
        self.tail = ""
        # while a segment waits for a long reading, the buffer length at which one is possible
        self.hold_until = 0
        self.hits: list[Hit] = []
        self.blocked_verdict: Verdict | None = None
        self.stats = StreamStats()
        self.verdict: Verdict | None = None

    def feed(self, chunk: str) -> list[str]:
        if not isinstance(chunk, str):
            raise InputError(
                f"stream chunk {self.stats.chunks + 1} must be a string, got {type(chunk).__name__}"
            )
        self.stats.chunks += 1
        self.buffer += chunk
        out: list[str] = []
        while self.blocked_verdict is None and len(self.buffer) >= self.hold_until:
            cut = sentence_cut(self.buffer)
            if cut == 0 and len(self.buffer) >= self.max_hold:
                cut = max(1, len(self.buffer) - self.overlap)
            if cut == 0:
                break
            piece = self._release(cut, final=False)
            if piece is None:
                break
            if piece:
                out.append(piece)
            if self.blocked_verdict is not None:
                break
            if sentence_cut(self.buffer) == 0 and len(self.buffer) < self.max_hold:
                break
        self.stats.max_held_chars = max(self.stats.max_held_chars, len(self.buffer))
        return out

    def finish(self) -> list[str]:
        out: list[str] = []
        if self.blocked_verdict is None and self.buffer:
            piece = self._release(len(self.buffer), final=True)
            if piece:
                out.append(piece)
        self.verdict = self._final()
        return out

    def _release(self, cut: int, final: bool) -> str | None:
        from aigis.guard.guard import Hit

        keep = max(self.overlap, self.context - len(self.buffer))
        context = self.tail[-keep:] if keep else ""
        segment = context + self.buffer
        v = self._check(segment)
        base = len(context)
        lo, hi = base, base + cut
        if v.blocked and not final and cut < len(self.buffer):
            # the unfinished sentence after the cut may be what blocks: a fragment ("你的身份证号110") reads
            # unlike the sentence it becomes. Judged on the finished sentences alone, they may pass; the
            # fragment is then held and judged once its sentence is complete
            finished = self._check(segment[:hi])
            if not finished.blocked:
                segment, v = segment[:hi], finished
        if v.blocked and len(segment) < _LONG_READ and _own_words_only(v):
            # near an answer's start the segment is shorter than the answer a whole check would read; hold
            # it until the stream is long enough to read it as a long answer is read, or ends
            need = _LONG_READ - len(self.buffer)
            if len(self.tail) >= need:
                longer_segment = self.tail[-need:] + self.buffer
                longer = self._check(longer_segment)
                if not longer.blocked:
                    segment, v, base = longer_segment, longer, need
                    lo, hi = base, base + cut
            elif not final:
                self.hold_until = _LONG_READ - len(self.tail)
                return None
        self.hold_until = 0
        if v.blocked:
            self.blocked_verdict = v
            self._keep(v.findings, base)
            self.buffer = ""
            self.stats.releases += 1
            return v.text
        # a finding that straddles the cut is held back whole, unless this is the end of the stream
        if not final:
            for h in v.findings:
                if h.span is not None and h.action != "allow" and h.span.start < hi < h.span.end:
                    hi = max(lo, h.span.start)
            if hi == lo:
                return None if len(self.buffer) < self.max_hold * 4 else self._release(cut, final=True)
        new_hits = [h for h in v.findings if h.span is None or (h.span.end > lo and h.span.start < hi)]
        self._keep([h for h in new_hits if h.span is None or h.span.start >= lo], base)
        piece = self.guard.mask(segment, v.findings, "output", lo, hi)
        self.buffer = self.buffer[hi - base :]
        self.released.append(segment[lo:hi])
        self.released_len += hi - lo
        self.tail = (self.tail + segment[lo:hi])[-max(self.overlap, self.context, _LONG_READ) :]
        self.stats.releases += 1
        _ = Hit  # imported for typing at run time
        return piece

    def _check(self, segment: str) -> Verdict:
        started = time.perf_counter()
        v = self.guard.check_output(segment, prompt=self.prompt, lang=self.lang)
        self.stats.check_ms.append((time.perf_counter() - started) * 1000)
        return v

    def _keep(self, hits: list[Hit], base: int) -> None:
        from aigis.guard.guard import Hit

        shift = self.released_len - base
        for h in hits:
            if any(
                k.detector == h.detector and k.category == h.category and k.span is None and h.span is None
                for k in self.hits
            ):
                continue
            span = Span(h.span.start + shift, h.span.end + shift) if h.span else None
            self.hits.append(
                Hit(
                    h.detector,
                    h.category,
                    h.score,
                    span,
                    h.clauses,
                    h.rationale,
                    h.text,
                    h.action,
                    h.rule,
                    h.view,
                    h.extra,
                )
            )

    def _final(self) -> Verdict:
        from aigis.guard.guard import Verdict

        if self.blocked_verdict is not None:
            bv = self.blocked_verdict
            return Verdict(
                bv.action,
                True,
                bv.text,
                self.hits,
                "output",
                bv.lang,
                bv.reply,
                bv.policy,
                sum(self.stats.check_ms),
            )
        action = "allow"
        for h in self.hits:
            if SEVERITY[h.action] > SEVERITY[action] and h.action not in BLOCKING:
                action = h.action
        text = "".join(self.released)
        return Verdict(
            action,
            False,
            text,
            self.hits,
            "output",
            self.lang or "en",
            None,
            self.guard.policy.name,
            sum(self.stats.check_ms),
        )


def _own_words_only(v: Verdict) -> bool:
    """Whether every finding that blocks ``v`` is a response judged on its own words."""
    blocking = [h for h in v.findings if h.action in BLOCKING]
    return bool(blocking) and all(h.extra.get(OWN_WORDS) == "yes" for h in blocking)


class _StreamResult:
    """What a finished (or stopped) stream tells: its verdict, whether it was blocked, its timing."""

    _core: _Core

    @property
    def verdict(self) -> Verdict | None:
        return self._core.verdict

    @property
    def blocked(self) -> bool:
        return self._core.blocked_verdict is not None

    @property
    def stats(self) -> StreamStats:
        return self._core.stats


class OutputStream(_StreamResult):
    """Iterate to get the checked text; afterwards ``verdict`` and ``stats`` describe the whole stream."""

    def __init__(
        self, guard: Guard, chunks: Iterable[str], prompt: str | None = None, lang: str | None = None
    ) -> None:
        self._core = _Core(guard, prompt, lang)
        self._chunks = chunks

    def __iter__(self) -> Iterator[str]:
        core = self._core
        for chunk in self._chunks:
            yield from core.feed(chunk)
            if core.blocked_verdict is not None:
                break
        yield from core.finish()


class AsyncOutputStream(_StreamResult):
    """The async twin of :class:`OutputStream`: ``async for piece in guard.astream_output(chunks)``."""

    def __init__(
        self, guard: Guard, chunks: AsyncIterable[str], prompt: str | None = None, lang: str | None = None
    ) -> None:
        self._core = _Core(guard, prompt, lang)
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[str]:
        core = self._core
        async for chunk in self._chunks:
            for piece in core.feed(chunk):
                yield piece
            if core.blocked_verdict is not None:
                break
        for piece in core.finish():
            yield piece
