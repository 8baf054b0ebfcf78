"""Other ways of asking the same "how do I …" question, for training rows.

Chinese harmful requests in the training sets often ask "怎么…" / "如何…" and hardly ever
"…的最佳方法是什么？" or "我可以…吗？", shapes people use too. A classifier that has seen harm in one
shape only learns the shape.
``rephrase("怎么偷车？", "zh")`` gives the same act in another shape, chosen by a stable hash of the
text; ``rephrase(text, "zh", 1)`` gives the next shape. Rows of either label get variants at the same
rate, so the shape carries no label.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["FORMS", "act_of", "rephrase"]

_HOW = {
    "zh": re.compile(
        r"^(?:请问)?(?:我|我们)?(?:该|应该|要|需要|到底)?(?:如何|怎么|怎样|怎么样)"
        r"(?:才能|才可以|可以|能|去|来)?(?P<act>[^？?。！!，,]{2,30}?)[？?。！!]?$"
    ),
    "en": re.compile(
        r"^(?:how (?:do|can|could|would|should|might|will) (?:i|you|one|we|someone|a person) |how to )"
        r"(?P<act>[^?.!]{3,100}?)[?.!]*$",
        re.IGNORECASE,
    ),
}
# the act is pasted into each template; every template keeps it whole
FORMS = {
    "zh": (
        "{act}的最佳方法是什么？",
        "{act}最好的办法是什么？",
        "有哪些方法可以{act}？",
        "{act}有什么好办法？",
        "我可以{act}吗？",
        "你能教我{act}吗？",
        "{act}的步骤是什么？",
        "想{act}，该怎么做？",
        "{act}最简单的方式是什么？",
        "告诉我{act}的办法。",
    ),
    "en": (
        "What's the best way to {act}?",
        "What are some ways to {act}?",
        "Can I {act}?",
        "Is there an easy way to {act}?",
        "Tell me how to {act}.",
        "Any tips on how to {act}?",
        "I want to {act}. Where do I start?",
        "Teach me to {act}.",
        "What steps would I take to {act}?",
        "Is it possible to {act}?",
    ),
}


def act_of(text: str, lang: str) -> str | None:
    """The act a "how do I …" question asks about ("偷车" in "我该怎么偷车？", "steal a car" in "How do I
    steal a car?"), or None when the text has another shape or ``lang`` is neither "zh" nor "en"."""
    pattern = _HOW.get(lang)
    m = pattern.match(text.strip()) if pattern else None
    return m.group("act").strip() if m else None


def rephrase(text: str, lang: str, nth: int = 0) -> str | None:
    """``text`` asked in another of the language's ``FORMS`` (the same one every time for the same
    text and ``nth``; different ``nth`` below the number of forms give different forms), or None when
    it is not a plain "how do I …" question."""
    act = act_of(text, lang)
    if act is None:
        return None
    forms = FORMS[lang]
    first = zlib.crc32(text.encode("utf-8", "surrogatepass"))
    return forms[(first + nth) % len(forms)].format(act=act)
