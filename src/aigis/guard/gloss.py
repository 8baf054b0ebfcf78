"""Word-by-word English gloss of Chinese text, so that an English sentence model can read it.

"我想偷一辆车" becomes "I want to steal one car". The gloss is crude (no grammar, one sense per word)
but keeps what a harm classifier needs: the verbs and nouns. Words come from CC-CEDICT (CC BY-SA,
by Denisowski, Peterson, Brelsford and others) as shipped in the ``pinyin`` package's
``cedict.txt.gz``; Chinese is segmented by forward maximum matching on its headwords, and common
function words get fixed glosses (the dictionary's first sense of 被 is "quilt").
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from aigis.errors import ConfigError

_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/$")
_SKIP_SENSE = re.compile(
    r"^(surname |variant of|old variant|used in |see |classifier for|CL:|abbr\. for|Japanese variant|"
    r"erhua variant|also written|also pr\.|archaic variant|pr\. )"
)
_PARENS = re.compile(r"\([^)]*\)")
_MAX_WORD = 8
FUNCTION_WORDS = {
    "的": "of", "了": "", "吗": "?", "呢": "", "吧": "", "啊": "", "呀": "", "么": "", "着": "", "过": "",
    "得": "", "地": "", "被": "by", "把": "", "让": "let", "给": "give", "在": "at", "是": "is",
    "有": "have", "和": "and", "与": "and", "或": "or", "能": "can", "会": "will", "要": "want",
    "想": "want", "我": "I", "你": "you", "您": "you", "他": "he", "她": "she", "它": "it", "我们": "we",
    "你们": "you", "他们": "they", "她们": "they", "这": "this", "那": "that", "这个": "this",
    "那个": "that", "什么": "what", "怎么": "how", "怎样": "how", "如何": "how", "为什么": "why",
    "哪里": "where", "哪儿": "where", "谁": "who", "多少": "how much", "几": "how many", "不": "not",
    "没有": "not have", "没": "not", "很": "very", "都": "all", "也": "also", "就": "then", "还": "still",
    "才能": "can", "可以": "can", "应该": "should", "一个": "a", "个": "", "一": "one", "些": "some",
    "一些": "some", "对": "to", "从": "from", "到": "to", "用": "use", "自己": "oneself",
    "别人": "others", "人": "person", "东西": "thing", "办法": "method", "方法": "method",
    "最好": "best", "帮": "help", "帮我": "help me", "告诉": "tell", "知道": "know", "觉得": "think",
    "认为": "think", "如果": "if", "但是": "but", "因为": "because", "所以": "so", "然后": "then",
    "就是": "is", "不要": "don't", "不能": "cannot", "需要": "need", "使用": "use", "偷偷": "secretly",
}  # fmt: skip


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def cedict_path() -> Path:
    """The CC-CEDICT file of the ``pinyin`` package, or a ConfigError saying how to install it."""
    spec = importlib.util.find_spec("pinyin")
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "cedict.txt.gz"
        if path.is_file():
            return path
    raise ConfigError("the Chinese gloss needs CC-CEDICT from the pinyin package: pip install 'aigis[embed]'")


def parse_cedict(lines: list[str]) -> dict[str, str]:
    """Simplified headword → first usable English sense (parenthesised notes dropped)."""
    table: dict[str, str] = {}
    for line in lines:
        if line.startswith("#"):
            continue
        m = _ENTRY.match(line.strip())
        if m is None or m.group(2) in table:
            continue
        for sense in m.group(3).split("/"):
            cleaned = " ".join(_PARENS.sub("", sense).split())
            if cleaned and not _SKIP_SENSE.match(sense) and not _SKIP_SENSE.match(cleaned):
                table[m.group(2)] = cleaned
                break
    return table


@lru_cache(maxsize=1)
def gloss_table() -> dict[str, str]:
    with gzip.open(cedict_path(), "rt", encoding="utf-8") as fh:
        table = parse_cedict(fh.readlines())
    table.update(FUNCTION_WORDS)
    return table


def segment(text: str, words: dict[str, str]) -> Iterator[str]:
    """Forward maximum matching on ``words``' headwords: Chinese words (a character the dictionary lacks
    stands alone) and, between them, the runs of other characters. Linear in ``len(text)`` (at most
    eight lookups per character)."""
    i, n = 0, len(text)
    while i < n:
        if not _is_han(text[i]):
            j = i
            while j < n and not _is_han(text[j]):
                j += 1
            yield text[i:j]
            i = j
            continue
        size = next((k for k in range(min(_MAX_WORD, n - i), 1, -1) if text[i : i + k] in words), 1)
        yield text[i : i + size]
        i += size


def gloss(text: str, table: dict[str, str] | None = None) -> str:
    """English gloss of ``text``: Chinese words replaced by their first sense, everything else kept;
    a character the dictionary lacks carries no gloss."""
    words = gloss_table() if table is None else table
    out = [words.get(piece, "") if _is_han(piece[0]) else piece.strip() for piece in segment(text, words)]
    return " ".join(w for w in out if w)
