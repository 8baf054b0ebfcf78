"""Chinese written by its sound, read back into characters: pinyin and homophones (谐音).

"ru he zhi zuo bing du", "如何制作bing毒" and "如盒制做冰读" all keep the sound of 如何制作冰毒, so its words
can be recovered. Each run of such text is turned into syllables and decoded into the likeliest words
(word counts from jieba's dictionary, readings from pypinyin, and which characters go together in the
Chinese training rows, in ``lexicon/readings.tsv.gz`` built by ``tools/build_readings.py``). A character
kept as written counts strongly for itself, and where a term of the keyword library reads the same as a
commoner word (冰毒 and 病毒 are both "bing du") the term wins: text spelled by sound is spelled that way
to get past exactly those terms.

Only three kinds of run are decoded, so ordinary text costs a scan and nothing more: pinyin of four or
more syllables, pinyin next to Chinese characters, and Chinese whose neighbouring characters seldom form
words (six characters in ten swapped for homophones leave few of a text's character pairs inside a word).
A decoding becomes a view only if it reads as Chinese: pinyin mostly decoded into words of two or more
characters (English that happens to spell pinyin, "simulate" = si mu la te, does not), swapped characters
decoded into text far likelier than the text as written (names and terse titles are not).
"""

from __future__ import annotations

import bisect
import gzip
import math
import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MATCH_BONUS = 10.0  # log-odds for a character kept as written beside pinyin: it is what it says
SWAPPED_MATCH_BONUS = 1.0  # in a run of swapped characters, a written one is less likely to be the right one
TERM_BONUS = 1.0  # a keyword term over the commonest word that reads the same
CONTEXT_WEIGHT = 0.5  # of the PMI of the characters across a word boundary
BEAM = 4
MIN_PINYIN_SYLLABLES = 4
MIN_PINYIN_TOKEN_SYLLABLES = 6
MIN_SWAPPED_CHARS = 6
SWAPPED_PAIR_SHARE = 0.3  # below this share of character pairs inside words, a run reads as swapped
SWAPPED_GAIN = 2.2  # ... and is read back only if its decoding is this much likelier, in nats per character
SWAPPED_REACH = 64  # characters: a short clause this close to a swapped run is read as swapped too
MAX_RUN = 512  # syllables: a longer run without a clause mark is not a request spelled by sound
_MAX_SYLLABLES = 6  # of one syllable token without spaces: "ruhezhizuo"
_MAX_TOKEN = 40
_CANDIDATES = 2  # words per reading tried when decoding
_UNKNOWN = -16.0  # log p of a character the table does not know
RARE_FLOOR = -13.0  # the least a character as written is taken to be worth, in log p

# letters of pinyin: ASCII, the vowels with tone marks (precomposed or combining) and ü
_PINYIN_LETTERS = "A-Za-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙǕǗǙǛÜÊ\u0300-\u036f"
_ITEM_RE = re.compile(rf"[\u4e00-\u9fff]+|[{_PINYIN_LETTERS}]+[1-5]?")
_GAP_RE = re.compile(r"[\s'’]{0,3}")
# between two pinyin tokens neither a clause mark nor junk ends the run: "wo xiang tou ... , zen me zuo ?",
# "ru-he-zhi-zuo", "ru he \ufffd\ufffd zha dan" (up to four of anything but pinyin, digits and characters)
_PINYIN_GAP_RE = re.compile(rf"\s{{0,2}}[^\s0-9\u4e00-\u9fff{_PINYIN_LETTERS}]{{0,4}}\s{{0,2}}")
_CLAUSE_MARKS = frozenset(",，.。?？!！、;；:：")


@dataclass(frozen=True)
class Readings:
    """The decoding table: likeliest words per reading, keyword terms, default character readings."""

    words: dict[str, list[tuple[str, float]]]  # the likeliest few per reading
    logp: dict[str, float]  # every word
    terms: dict[str, str]
    char_reading: dict[str, str]
    english: frozenset[str]  # English words that are also valid pinyin
    pmi: dict[str, float]  # neighbouring characters: how much likelier together than apart (log)
    pairs: frozenset[str]
    syllables: frozenset[str]
    longest: int
    reading_prefixes: frozenset[str]  # of the readings of words and terms: where a decoder may go on
    word_prefixes: frozenset[str]  # of the words


@lru_cache(maxsize=1)
def readings() -> Readings:
    raw = resources.files("aigis.guard.lexicon").joinpath("readings.tsv.gz").read_bytes()
    words: dict[str, list[tuple[str, float]]] = {}
    terms: dict[str, str] = {}
    chars: dict[str, str] = {}
    english: set[str] = set()
    pmi: dict[str, float] = {}
    counts: list[tuple[str, str, int]] = []
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        kind, key, *rest = line.split("\t") if not line.startswith("#") else ("#", "")
        value = rest[0] if rest else ""
        if kind == "W":
            counts.append((key, value, int(rest[1])))
        elif kind == "K":
            terms[key] = value
        elif kind == "C":
            chars[key] = value
        elif kind == "E":
            english.add(key)
        elif kind == "B":
            pmi[key] = float(value)
    total = sum(c for _, _, c in counts)
    pairs: set[str] = set()
    logp: dict[str, float] = {}
    for key, word, count in counts:
        logp[word] = math.log(count / total)
        same = words.setdefault(key, [])
        if len(same) < _CANDIDATES:
            same.append((word, logp[word]))
        pairs.update(word[i : i + 2] for i in range(len(word) - 1))
    longest = max(key.count(" ") + 1 for key in words)
    syllables = frozenset(key for key in words if " " not in key)
    reading_prefixes = {
        " ".join(parts[:i])
        for key in (*words, *terms)
        for parts in [key.split(" ")]
        for i in range(1, len(parts))
    }
    word_prefixes = {word[:i] for word in logp for i in range(1, len(word))}
    return Readings(
        words,
        logp,
        terms,
        chars,
        frozenset(english),
        pmi,
        frozenset(pairs),
        syllables,
        longest,
        frozenset(reading_prefixes),
        frozenset(word_prefixes),
    )


def plain_syllable(token: str) -> str:
    """ "Zhì", "zhi4", "lǜ" → "zhi", "zhi", "lv": toneless, lower case, ü as v."""
    token = token.rstrip("12345")
    decomposed = unicodedata.normalize("NFD", token.lower()).replace("u\u0308", "v")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def split_syllables(token: str, known: frozenset[str] | None = None) -> tuple[str, ...] | None:
    """A Latin token as pinyin syllables ("ruhezhizuo" → ru he zhi zuo), fewest first; None if it is
    not pinyin. ``known``: the valid syllables (default: the table's)."""
    plain = plain_syllable(token)
    if not plain.isascii() or not plain.isalpha() or len(plain) > _MAX_TOKEN:
        return None
    if known is None:
        known = readings().syllables
    if plain in known:
        return (plain,)
    if len(plain) < 4:
        return None
    best: list[tuple[str, ...] | None] = [()] + [None] * len(plain)
    for end in range(1, len(plain) + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            piece = plain[start:end]
            # a bare vowel or nasal ("e", "n") inside a longer token is far likelier English: "sentence"
            if head is not None and len(piece) > 1 and piece in known and len(head) < _MAX_SYLLABLES:
                cand = (*head, piece)
                current = best[end]
                if current is None or len(cand) < len(current):
                    best[end] = cand
    return best[-1]


@dataclass(slots=True)
class _Item:
    start: int
    end: int
    written: str  # the characters as written, "" for pinyin
    sounds: tuple[str, ...] = ()  # the syllables of pinyin; of characters, filled in only to decode
    weak: bool = False  # a pinyin token that is also an English word or a single letter

    @property
    def size(self) -> int:
        return len(self.written) or len(self.sounds)


def _runs(text: str, english: frozenset[str]) -> list[list[_Item]]:
    """Maximal runs of Chinese characters and pinyin tokens joined by nothing, spaces or apostrophes
    (two pinyin tokens also by a clause mark)."""
    table = readings()
    runs: list[list[_Item]] = []
    run: list[_Item] = []
    for m in _ITEM_RE.finditer(text):
        token = m.group()
        han = "\u4e00" <= token[0] <= "\u9fff"
        if run:
            gap = _GAP_RE if han or run[-1].written else _PINYIN_GAP_RE
            if not gap.fullmatch(text, run[-1].end, m.start()):
                runs.append(run)
                run = []
        if han:
            run.append(_Item(m.start(), m.end(), token))
            continue
        # an acronym ("AI", "CEO") or a name in camel case ("LaLa", "iPhone") is not pinyin
        split = None if len(token) > 1 and not token[1:].islower() else split_syllables(token)
        if split is None:
            if run:
                runs.append(run)
                run = []
            continue
        lower = token.lower()
        weak = len(token) == 1 or lower in english or lower in table.english
        run.append(_Item(m.start(), m.end(), "", split, weak))
    if run:
        runs.append(run)
    return runs


def _char_reading(ch: str) -> str:
    return readings().char_reading.get(ch, "")


def _pair_share(chars: str, pairs: frozenset[str]) -> float:
    # map over the adjacent pairs: this runs on every Chinese run of every message
    return sum(map(pairs.__contains__, map(operator.add, chars, chars[1:]))) / max(1, len(chars) - 1)


def _touches(run: list[_Item], i: int) -> bool:
    """A pinyin token of two or more letters written right against a character: "bing毒", "买dama"."""
    item = run[i]
    if item.end - item.start < 2:
        return False
    before = i > 0 and run[i - 1].written and run[i - 1].end == item.start
    after = i + 1 < len(run) and run[i + 1].written and run[i + 1].start == item.end
    return bool(before or after)


def _kind(run: list[_Item], pairs: frozenset[str]) -> str | None:
    """How the run may be spelled by sound ("pinyin", "mixed", "swapped"), or None for ordinary text."""
    if len(run) == 1 and run[0].written:  # one stretch of characters: most runs, decided at once
        chars = run[0].written
        if not MIN_SWAPPED_CHARS <= len(chars) <= MAX_RUN:
            return None
        return "swapped" if _pair_share(chars, pairs) < SWAPPED_PAIR_SHARE else None
    if sum(item.size for item in run) > MAX_RUN:
        return None
    pinyin = [item for item in run if not item.written]
    if not pinyin:
        chars = "".join(item.written for item in run)
        swapped = len(chars) >= MIN_SWAPPED_CHARS and _pair_share(chars, pairs) < SWAPPED_PAIR_SHARE
        return "swapped" if swapped else None
    strong = sum(not item.weak for item in pinyin)
    if len(pinyin) < len(run):  # pinyin beside characters: "bing毒"
        return (
            "mixed" if strong or any(_touches(run, i) for i, item in enumerate(run) if item.sounds) else None
        )
    syllables = sum(len(item.sounds) for item in pinyin)
    # one unspaced token needs more: an English word ("memorize") can spell four syllables
    enough = MIN_PINYIN_SYLLABLES if len(pinyin) > 1 else MIN_PINYIN_TOKEN_SYLLABLES
    return "pinyin" if syllables >= enough and strong * 2 >= len(pinyin) else None


def _candidates(
    syllables: list[str], written: list[str], start: int, end: int, key: str | None = None
) -> list[tuple[str, float]]:
    """The words that can spell syllables[start:end] (whose reading is ``key``), with their log p."""
    table = readings()
    if key is None:
        key = " ".join(syllables[start:end])
    candidates = table.words.get(key, [])
    term = table.terms.get(key)
    if term is not None:
        top = candidates[0][1] if candidates else -20.0
        candidates = [*candidates, (term, top + TERM_BONUS)]
    if not candidates and end - start == 1:
        candidates = [(written[start] or syllables[start], -30.0)]
    return candidates


def decode(syllables: list[str], written: list[str], bonus: float = MATCH_BONUS) -> list[str]:
    """The likeliest words for ``syllables``, each word on its own (unigram); ``written[i]`` is the
    character written for syllable i ("" where it was written in pinyin), worth ``bonus`` in log-odds
    when a word keeps it."""
    n = len(syllables)
    table = readings()
    best = [0.0] + [-math.inf] * n
    back: list[tuple[int, str]] = [(0, "")] * (n + 1)
    # forward: from each start, on while the syllables so far begin some word's reading (the same updates
    # in the same order for each end as trying every start before it, so the same ties win)
    for start in range(n):
        base = best[start]
        if base == -math.inf:
            continue
        key = ""  # the reading of syllables[start:end], one syllable longer each step
        for end in range(start + 1, min(n, start + table.longest) + 1):
            key = f"{key} {syllables[end - 1]}" if end > start + 1 else syllables[start]
            for word, logp in _candidates(syllables, written, start, end, key):
                # without a bonus the characters kept do not count: not counting them is the same sum
                score = base + logp
                if bonus:
                    score += bonus * sum(a == b for a, b in zip(word, written[start:end], strict=False))
                if score > best[end]:
                    best[end], back[end] = score, (start, word)
            if key not in table.reading_prefixes:
                break
    out: list[str] = []
    pos = n
    while pos > 0:
        start, word = back[pos]
        out.append(word)
        pos = start
    return out[::-1]


def decode_in_context(syllables: list[str], written: list[str], bonus: float = MATCH_BONUS) -> list[str]:
    """Like :func:`decode`, and each word is also scored by how well it follows the word before (the
    characters on either side of the boundary, ``CONTEXT_WEIGHT`` × their PMI): 我想 over 我向. A beam
    of ``BEAM`` last characters per position keeps it linear."""
    table = readings()
    n = len(syllables)
    # per position: last character → (score, (start, previous last character, word))
    states: list[dict[str, tuple[float, tuple[int, str, str]]]] = [{} for _ in range(n + 1)]
    states[0] = {"": (0.0, (0, "", ""))}
    for end in range(1, n + 1):
        here: dict[str, tuple[float, tuple[int, str, str]]] = {}
        for start in range(max(0, end - table.longest), end):
            if not states[start]:
                continue
            for word, logp in _candidates(syllables, written, start, end):
                kept = sum(a == b for a, b in zip(word, written[start:end], strict=False))
                gain = logp + bonus * kept
                for last, (score, _) in states[start].items():
                    total = (
                        score + gain + (CONTEXT_WEIGHT * table.pmi.get(last + word[0], 0.0) if last else 0.0)
                    )
                    if word[-1] not in here or total > here[word[-1]][0]:
                        here[word[-1]] = (total, (start, last, word))
        states[end] = dict(sorted(here.items(), key=lambda kv: -kv[1][0])[:BEAM])
    out: list[str] = []
    last, pos = max(states[n].items(), key=lambda kv: kv[1][0])[0], n
    while pos > 0:
        _, (start, previous, word) = states[pos][last]
        out.append(word)
        pos, last = start, previous
    return out[::-1]


def sound_runs(text: str, english: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Each run of ``text`` spelled by sound, as (start, end, the run read back into characters).
    A pinyin token that is also a common ``english`` word ("you", "he") counts for less."""
    if len(text) < 2:
        return []
    table = readings()
    out: list[tuple[int, int, str]] = []
    runs = _runs(text, english)
    kinds = [_kind(run, table.pairs) for run in runs]
    swapped_text = False
    for run, kind in zip(runs, kinds, strict=True):
        if kind is None:
            continue
        decoded = _read_swapped(text, run) if kind == "swapped" else _decode_run(text, run, kind)
        if decoded is not None:
            out.append((run[0].start, run[-1].end, decoded))
            swapped_text = swapped_text or kind == "swapped"
    if swapped_text:
        # text swapped throughout has short clauses too ("如果逆狙绝，"): read those near a swapped run on the
        # same test (not every clause of a long text that has one: classical Chinese reads as swapped)
        near = [(start - SWAPPED_REACH, end + SWAPPED_REACH) for start, end, _ in out]
        for run, kind in zip(runs, kinds, strict=True):
            if kind is None and all(item.written for item in run) and sum(item.size for item in run) > 1:
                if not _within(near, run[0].start, run[-1].end):
                    continue
                decoded = _read_swapped(text, run)
                if decoded is not None:
                    out.append((run[0].start, run[-1].end, decoded))
        out.sort()
    return out


_SWAPPED_READS: dict[str, str | None] = {}  # a run's text → its reading as swapped characters, or None
_SWAPPED_READS_KEPT = 8192
_NOT_KEPT = "\x00"  # no reading is this: a reading is made of characters read from syllables


def _read_swapped(text: str, run: list[_Item]) -> str | None:
    """``_decode_run`` of a run of characters taken for swapped, kept by the run's text: long input repeats
    its clauses, and each is tested once."""
    piece = text[run[0].start : run[-1].end]
    kept = _SWAPPED_READS.get(piece, _NOT_KEPT)  # one lookup: another thread may clear the dict between two
    if kept != _NOT_KEPT:
        return kept
    decoded = _decode_run(text, run, "swapped")
    if len(_SWAPPED_READS) >= _SWAPPED_READS_KEPT:
        _SWAPPED_READS.clear()
    _SWAPPED_READS[piece] = decoded
    return decoded


def _within(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of ``spans``, whose starts and ends both ascend."""
    before = bisect.bisect_left(spans, (end,))  # the spans that start before ``end``; the last ends last
    return before > 0 and spans[before - 1][1] > start


def _decode_run(text: str, run: list[_Item], kind: str) -> str | None:
    syllables = [s for item in run for s in (item.sounds or map(_char_reading, item.written))]
    written = [ch for item in run for ch in (item.written or [""] * len(item.sounds))]
    if kind == "swapped" and not _much_likelier(syllables, written):
        return None
    words = decode_in_context(syllables, written, SWAPPED_MATCH_BONUS if kind == "swapped" else MATCH_BONUS)
    decoded = "".join(words)
    if len(decoded) != len(syllables) or (kind != "swapped" and not _mostly_words(words, written)):
        return None
    pieces: list[str] = []
    pos = 0
    for i, item in enumerate(run):
        pieces.append(decoded[pos : pos + item.size])
        pos += item.size
        if i + 1 < len(run):
            gap = text[item.end : run[i + 1].start]
            pieces.append(_between_syllables(gap) if not item.written and not run[i + 1].written else gap)
    return "".join(pieces)


def _between_syllables(gap: str) -> str:
    """What stays of the gap between two pinyin tokens: "bing du" → "冰毒", "ru-he" and "ru.he" → "如何"
    (a separator), "zuo, zha" → "做,炸" (a clause mark, set off by a space or written full width)."""
    marks = "".join(ch for ch in gap if ch in _CLAUSE_MARKS)
    if not marks or (gap == gap.strip() and marks.isascii()):
        return ""
    return marks


def written_score(chars: str) -> float:
    """Log-likelihood of characters as written, segmented into the likeliest words."""
    table = readings()
    n = len(chars)
    best = [0.0] + [-math.inf] * n
    for start in range(n):  # forward, on while the characters so far begin some word (as in ``decode``)
        for end in range(start + 1, min(n, start + table.longest) + 1):
            word = chars[start:end]
            logp = table.logp.get(word)
            if end - start == 1:
                # a rare character (a name's, a place's) is not evidence of a swap
                logp = max(logp if logp is not None else _UNKNOWN, RARE_FLOOR)
            if logp is not None and best[start] + logp > best[end]:
                best[end] = best[start] + logp
            if word not in table.word_prefixes:
                break
    return best[n]


def _words_score(words: list[str]) -> float:
    logp = readings().logp
    return sum(logp.get(word, _UNKNOWN) for word in words)


def _much_likelier(syllables: list[str], written: list[str]) -> bool:
    """Characters taken for swapped: decoded from their sound, they read far likelier than as written
    (ordinary Chinese with few dictionary pairs is already about as likely as its sound allows)."""
    plain = decode(syllables, written, 0.0)
    return _words_score(plain) - written_score("".join(written)) >= SWAPPED_GAIN * len(written)


def _mostly_words(words: list[str], written: list[str]) -> bool:
    """Pinyin decoded mostly into words of two or more characters (English that happens to spell pinyin
    decodes into single characters)."""
    in_words = [len(word) > 1 for word in words for _ in word]
    sounded = [w for w, ch in zip(in_words, written, strict=True) if not ch]
    return sum(sounded) * 2 >= len(sounded)
