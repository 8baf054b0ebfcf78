"""Word-by-word Chinese renderings of English training rows, for cross-lingual training.

Chinese conversational harmful requests are scarce in permissively licensed data, English ones are not.
``EnglishToChinese(reference).render("How can I steal my neighbor's car?")`` gives
"怎么能我偷我的邻居车?": bad Chinese, but with the content words a harm classifier reads. Benign
English rows are rendered the same way, so that the rendering's style carries no label. The
dictionary is CC-CEDICT (as shipped in the ``pinyin`` package, see :mod:`aigis.guard.gloss`), read
backwards: an English word or phrase maps to the Chinese headwords whose sense it is, and the most
frequent of them in a reference Chinese text wins.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from collections.abc import Iterable

from aigis.guard.gloss import _ENTRY, _PARENS, _SKIP_SENSE, _is_han, cedict_path, gloss_table, segment

__all__ = ["EnglishToChinese"]

_MAX_PHRASE = 3
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|[0-9]+|[?!.,]")
# English words whose CC-CEDICT reading would be a poor pick (articles, auxiliaries, pronouns):
# rendered by hand; "" drops the word
FUNCTION_WORDS = {
    "a": "", "an": "", "the": "", "to": "", "do": "", "does": "", "did": "", "be": "", "been": "",
    "am": "是", "is": "是", "are": "是", "was": "是", "were": "是", "i": "我", "me": "我", "my": "我 的",
    "mine": "我 的", "myself": "自己", "you": "你", "your": "你 的", "yourself": "自己", "he": "他",
    "him": "他", "his": "他 的", "she": "她", "her": "她", "it": "它", "its": "它 的", "we": "我们",
    "us": "我们", "our": "我们 的", "they": "他们", "them": "他们", "their": "他们 的", "this": "这",
    "that": "那", "these": "这些", "those": "那些", "what": "什么", "how": "怎么", "why": "为什么",
    "where": "哪里", "who": "谁", "when": "什么 时候", "which": "哪个", "can": "能", "could": "能",
    "will": "会", "would": "会", "should": "应该", "must": "必须", "may": "可以", "might": "可能",
    "not": "不", "no": "不", "don't": "不", "doesn't": "不", "didn't": "没", "can't": "不能",
    "won't": "不会", "isn't": "不是", "aren't": "不是", "of": "的", "and": "和", "or": "或", "but": "但是",
    "if": "如果", "because": "因为", "so": "所以", "in": "在", "on": "在", "at": "在", "with": "用",
    "for": "为", "from": "从", "about": "关于", "some": "一些", "any": "任何", "all": "所有",
    "very": "很", "really": "真的", "get": "得到", "make": "做", "want": "想", "need": "需要",
    "know": "知道", "think": "觉得", "tell": "告诉", "give": "给", "have": "有", "has": "有",
    "had": "有", "just": "只是", "way": "办法", "ways": "办法", "best": "最好", "good": "好",
    "people": "人", "person": "人", "someone": "某人", "something": "东西", "thing": "东西",
    "things": "东西", "there": "那里", "here": "这里", "like": "喜欢", "im": "我", "i'm": "我 是",
    "it's": "它 是", "what's": "什么 是", "you're": "你 是", "let": "让", "help": "帮",
}  # fmt: skip
_SUFFIXES = (
    ("ies", "y"),
    ("ing", ""),
    ("ing", "e"),
    ("ed", ""),
    ("ed", "e"),
    ("es", ""),
    ("s", ""),
    ("'s", ""),
)


def _normal_sense(sense: str) -> str | None:
    cleaned = " ".join(_PARENS.sub("", sense).lower().split())
    if not cleaned or _SKIP_SENSE.match(sense) or _SKIP_SENSE.match(cleaned):
        return None
    if cleaned.startswith("to "):
        cleaned = cleaned[3:]
    words = cleaned.split()
    if not 1 <= len(words) <= _MAX_PHRASE or not all(w.isalpha() for w in words):
        return None
    return cleaned


class EnglishToChinese:
    """An English → Chinese word table read backwards from CC-CEDICT; ``reference`` is Chinese text whose
    word frequencies choose between headwords that share a sense."""

    def __init__(self, reference: Iterable[str], lines: list[str] | None = None) -> None:
        if lines is None:
            with gzip.open(cedict_path(), "rt", encoding="utf-8") as fh:
                lines = fh.readlines()
        table = gloss_table()
        freq: Counter[str] = Counter()
        for text in reference:
            freq.update(w for w in segment(text, table) if _is_han(w[0]))
        best: dict[str, tuple[int, int, int, str]] = {}  # sense -> (first sense?, frequency, -length, word)
        for line in lines:
            m = _ENTRY.match(line.strip())
            if m is None or line.startswith("#"):
                continue
            word = m.group(2)
            for rank, sense in enumerate(m.group(3).split("/")):
                key = _normal_sense(sense)
                if key is None:
                    continue
                score = (int(rank == 0), freq[word], -len(word), word)
                if key not in best or score > best[key]:
                    best[key] = score
        self.words: dict[str, str] = {k: v[3] for k, v in best.items() if v[1] > 0 or v[0]}
        self.words.update(FUNCTION_WORDS)

    def _lookup(self, word: str) -> str | None:
        if word in self.words:
            return self.words[word]
        for suffix, repl in _SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                stem = word[: -len(suffix)] + repl
                if stem in self.words:
                    return self.words[stem]
        return None

    def render(self, text: str) -> str:
        """``text`` word by word in Chinese; words the table lacks are dropped."""
        tokens = _WORD.findall(text.lower())
        out: list[str] = []
        i = 0
        while i < len(tokens):
            longest = 1 if tokens[i] in FUNCTION_WORDS else min(_MAX_PHRASE, len(tokens) - i)
            for size in range(longest, 0, -1):
                phrase = " ".join(tokens[i : i + size])
                hit = self._lookup(phrase) if size == 1 else self.words.get(phrase)
                if hit is not None:
                    if hit:
                        out.append(hit)
                    i += size
                    break
            else:
                if not tokens[i].isalpha():
                    out.append(tokens[i])
                i += 1
        return "".join(out).replace(" ", "")
