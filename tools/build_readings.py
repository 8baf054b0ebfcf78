"""Build the guard's table of Chinese readings (src/aigis/guard/lexicon/readings.tsv.gz).

The table lets the guard read back Chinese that was written by its sound: in pinyin, or with characters
swapped for others that read the same (谐音). Sources:
  * word frequencies from jieba's dictionary (MIT), words seen at least ``MIN_COUNT`` times;
  * readings from pypinyin (MIT): each word's toneless reading, each character's default reading;
  * the short Chinese terms of the guard's own keyword library, so that a term that reads the same as a
    commoner word can be preferred where text was written to dodge a filter;
  * English words that can also be read as pinyin ("simulate" is si mu la te), from the English rows that
    train the guard's classifiers (seen at least ``MIN_ENGLISH`` times, or ``MIN_ENGLISH_SYLLABLE`` for a
    single syllable such as "can"), so English is not taken for pinyin;
  * which characters follow one another in the Chinese rows that train the classifiers, so that a word
    is chosen for its neighbour too (我想 over 我向).

Lines (tab-separated):
  W  reading  word  count   every word, likeliest first for each reading ("bing du", "病毒", 2340)
  K  reading  term          a keyword library term
  C  char     reading       a character's default reading
  E  word                   an English word that is also valid pinyin
  B  pair     pmi           how much likelier two neighbouring characters are together than apart in the
                            Chinese training rows (log, clipped), for the pairs seen at least twice

Run:  .venv/bin/python tools/build_readings.py [--check]   (jieba comes with the dev extra)
"""

from __future__ import annotations

import gzip
import io
import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import jieba
from _table_cli import ROOT, run
from pypinyin import Style, lazy_pinyin, pinyin

from aigis.guard.reading import split_syllables
from aigis.guard.training import default_data_dir, is_injection_only, load_splits

OUT = ROOT / "src" / "aigis" / "guard" / "lexicon" / "readings.tsv.gz"
KEYWORDS = ROOT / "src" / "aigis" / "guard" / "lexicon" / "keywords_zh.txt"
MIN_COUNT = 5
MAX_WORD = 6
MAX_TERM = 4
MIN_ENGLISH = 3
MIN_ENGLISH_SYLLABLE = 50
MIN_PAIR = 2
PMI_CLIP = (-2.0, 4.0)


def _han(text: str) -> bool:
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" for ch in text)


def reading(word: str) -> str:
    return " ".join(lazy_pinyin(word, style=Style.NORMAL, v_to_u=False, errors="ignore"))


def english_pinyin_words(syllables: frozenset[str]) -> list[str]:
    counts: Counter[str] = Counter()
    for text in _training_rows():
        if sum(ch.isascii() for ch in text) >= 0.9 * len(text):
            counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", text))
    words = []
    for word, n in counts.items():
        split = split_syllables(word, syllables)
        # one syllable ("yang", "ma") is as likely a name or pinyin: only the commonest count
        if split is not None and n >= (MIN_ENGLISH if len(split) > 1 else MIN_ENGLISH_SYLLABLE):
            words.append(word)
    return sorted(words)


@lru_cache(maxsize=1)
def _training_rows() -> tuple[str, ...]:
    # the rows that train the content models: the injection model's own role-play rows (round 29) are
    # left out, so that adding them did not change this table and, through the Guard's reading of every
    # training row, every other model
    rows = load_splits(default_data_dir())["train"]
    return tuple(sample.text for sample in rows if not is_injection_only(sample))


def character_pairs() -> list[tuple[str, float]]:
    """Pointwise mutual information of neighbouring characters in the Chinese training rows, for the
    pairs seen at least ``MIN_PAIR`` times, clipped and rounded."""
    chars: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for text in _training_rows():
        for chinese in re.findall(r"[\u4e00-\u9fff]+", text):
            chars.update(chinese)
            pairs.update(chinese[i : i + 2] for i in range(len(chinese) - 1))
    total = sum(chars.values())
    out = []
    for pair, n in sorted(pairs.items()):
        if n >= MIN_PAIR:
            pmi = math.log(n * total / (chars[pair[0]] * chars[pair[1]]))
            out.append((pair, round(min(PMI_CLIP[1], max(PMI_CLIP[0], pmi)), 1)))
    return out


def build() -> bytes:
    dictionary = Path(jieba.__file__).with_name("dict.txt")
    by_reading: dict[str, list[tuple[int, str]]] = defaultdict(list)
    chars: set[str] = set()
    with dictionary.open(encoding="utf-8") as fh:
        for line in fh:
            word, count_text = line.split()[:2]
            count = int(count_text)
            if count < MIN_COUNT or not _han(word) or len(word) > MAX_WORD:
                continue
            by_reading[reading(word)].append((count, word))
            chars.update(word)
    terms: list[tuple[str, str]] = []
    for line in KEYWORDS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        term = line.split("\t", 1)[0]
        if _han(term) and 2 <= len(term) <= MAX_TERM:
            terms.append((reading(term), term))
            chars.update(term)
    out = io.StringIO()
    out.write(f"# generated by tools/build_readings.py from jieba dict.txt (MIT, count >= {MIN_COUNT}), ")
    out.write("pypinyin readings (MIT) and keywords_zh.txt\n")
    for key in sorted(by_reading):
        for count, word in sorted(by_reading[key], key=lambda cw: (-cw[0], cw[1])):
            out.write(f"W\t{key}\t{word}\t{count}\n")
    for key, term in sorted(set(terms)):
        out.write(f"K\t{key}\t{term}\n")
    for ch in sorted(chars):
        default = pinyin(ch, style=Style.NORMAL, heteronym=False, v_to_u=False)[0][0]
        if default.isascii() and default.isalpha():
            out.write(f"C\t{ch}\t{default}\n")
    syllables = frozenset(key for key in by_reading if " " not in key)
    for word in english_pinyin_words(syllables):
        out.write(f"E\t{word}\n")
    for pair, pmi in character_pairs():
        out.write(f"B\t{pair}\t{pmi}\n")
    # mtime 0: the same inputs give the same bytes
    return gzip.compress(out.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


if __name__ == "__main__":
    run(__doc__ or "", OUT, build)
