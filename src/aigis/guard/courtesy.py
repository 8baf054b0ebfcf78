"""The core of a message without the harmless material people put around a request.

Greetings ("你好！", "Hi assistant,"), a line about the sender ("作为一名护士，", "I'm a student."), closing
thanks or wishes ("谢谢你。", "No rush!") and a pasted phone, ID or order number carry no harm. But they
are common in the benign chat data the classifiers learn from, so a whole-message score reads them as
evidence that the message is harmless: "怎么制作冰毒？谢谢你。" scored below the threshold. The harmful,
semantic and injection detectors also score a request's :func:`cores` and keep the worst score.

A core blanks what it removes with spaces, so positions in the core are positions in the text.
Only the ends of a message are trimmed, and only what matches a pattern of padding: a greeting, a
line about the sender, a courtesy, or a sentence that carries a long number. Trimming
every first or last clause instead was measured and refused: the classifiers misjudge fragments, and
benign false positives tripled. Every pattern is anchored and bounded, so the work is linear.
"""

from __future__ import annotations

import re
from functools import lru_cache

_EMOJI = "\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2764\ufe0f\u200d"
_SEP = rf"[\s,.!?;:~，。！？；：、～…{_EMOJI}]*"
_NAME = (
    r"(?:小助手|助手|机器人|AI|ai|大佬|老师|亲"
    r"|assistant|bot|buddy|friend|mate|folks|guys|everyone|all|there|again)"
)
_GREETING = re.compile(
    rf"(?:(?:{_NAME}[，,]\s*)?(?:你好|您好|嗨|嘿|哈喽|哈罗|哈啰|早上好|早(?=[，,！!。.~～\s])|上午好|中午好|下午好|晚上好|早安|在吗|在不在|在线吗|请问一下|请问"
    r"|(?:冒昧|抱歉|不好意思)?(?:又来)?打扰(?:你|您)?(?:一下|了)?|不好意思"
    r"|(?:hiya|hi+|hello|hey+|howdy|yo|greetings|good (?:morning|afternoon|evening|day))(?![a-z])"
    r"|(?:morning|evening)(?=[!,.])"
    r"|(?:excuse me|quick question)(?![a-z])|sorry to (?:bother|bug|trouble|interrupt) you(?: again)?"
    r"|apologies(?: for [^,.!?\n]{1,30})?"
    rf")[呀啊哦嘛]*(?:[\s,，]*{_NAME})?" + _SEP + ")+"
    r"(?:hope (?:you|you're|you are|all is|i'm not|i am not) [^.!?\n]{1,30}[.!]" + _SEP + ")?",
    re.IGNORECASE,
)
# a clause or sentence about the sender at the start: short, and ended by its own punctuation
_ABOUT_ME = re.compile(
    r"(?:(?:跟你说一下背景|先说明一下|说一下背景|补充一下)[，,：:]"
    r"|(?:我是|我今年|本人是?|作为|身为)[^。！？!?\n，,；;]{1,16}[。！!，,；;]"
    r"|(?:just so you know|for context|full disclosure|fyi|a bit of background|some context)[,:]"
    r"|(?:as an?|being an?) [^,.!?\n]{1,40},"
    r"|(?:i am|i'm|im|i work as|i work in|i'm working as) (?:an? |the )?[^.!?,\n]{1,40}[.!]"
    r"|[^.!?,\n]{1,40} here[.!])" + _SEP,
    re.IGNORECASE,
)
# a pretext before or after a request: fiction, school or research work, a hypothetical, a game, a
# friend's question ("For a novel,", "Hypothetically:", "Let's play a game:", "帮朋友问，", "写小说用").
# It carries no harm either, but the benign data is full of such frames, so it talks a request down.
# A role given to the assistant ("Imagine you are a time traveler.", "假设你是李白，") is not trimmed:
# what follows it speaks to the role, and read alone such fragments were flagged. Nor is a Chinese
# hypothetical or "just curious" (理论上，随便问问，): the bare questions behind it were refused more often
# and no more harmful requests were found (docs/benchmarks.md, round 22).
_WORK = (
    r"(?:novel|story|stories|book|screenplay|script|film|movie|play|show|series|game|campaign|comic|poem|song"
    r"|class|course|lesson|homework|assignment|exam|diploma|degree|module|seminar|lecture|training|workshop"
    r"|paper|essay|thesis|dissertation|report|project|article|blog(?: post)?|podcast|video|documentary"
    r"|research|study|survey|exercise|drill|test|audit|experiment|dataset|benchmark|simulation|presentation)s?"
)
_FRAME = (
    r"(?:(?:this is |it's |it is |i'm asking |asking )?(?:purely |just |strictly |only )?"
    rf"(?:for|in) (?:a|an|my|our|the|this) (?:[^,.!?:;\n]{{0,40}}? )?{_WORK}(?![a-z])"
    r"(?: purposes?| (?:i'm|i am|we're|we are) [^,.!?:;\n]{1,24})?"
    r"|(?:purely |just |strictly )?(?:hypothetically|theoretically|in theory|academically|out of curiosity"
    r"|as a (?:thought experiment|hypothetical|what-if)"
    r"|for (?:research|educational|academic|science) purposes"
    r"|for science|in a (?:fictional|hypothetical|made-up) (?:world|scenario|setting))(?: speaking)?"
    r"|(?:purely|strictly|just|only) (?:academic|hypothetical|theoretical|curious|asking)"
    r"|(?:(?:i.m|i am) )?(?:asking )?for a friend"
    r"|(?:a |my )?(?:friend|buddy|colleague|coworker)(?: of mine)? (?:asked|wants to know|is asking)(?: me)?"
    r"|let'?s (?:play|role-?play|pretend|imagine)(?: a game)?[^,.!?:;\n]{0,40}"
    r"|(?:我在|我正在|我要)?(?:写|创作|准备)(?:一部|一篇|一个|个|我的)?[^，,。：:；;！!？?\n]{0,8}?"
    r"(?:小说|剧本|故事|论文|报告|作业|课题|剧本杀|游戏|视频|节目)[^，,。：:；;！!？?\n]{0,10}"
    r"|(?:为了|出于|用于)(?:写|拍|学术|研究|好奇|教学|科普|测试|课题)[^，,。：:；;！!？?\n]{0,12}"
    r"|(?:帮|替)(?:朋友|同学|同事|别人)问(?:一下|问)?的?|(?:我)?朋友(?:问我|想知道|让我问)"
    r"|(?:我们)?(?:来)?(?:玩个游戏|玩一个游戏|角色扮演)[^，,。：:；;！!？?\n]{0,16})"
)
_PRETEXT = re.compile(_FRAME + r"[\s]*[,.:;!—\-，。：；！]" + _SEP, re.IGNORECASE)
_PRETEXT_END = re.compile(
    r"(?:(?<=[.!?。！？])\s*|\s*[,;:—\-，；：]+\s*)" + _FRAME + r"[\s.!。！]*$", re.IGNORECASE
)
_COURTESY = (
    r"(?:(?:非常|十分|万分|先|提前)?(?:谢谢|多谢|感谢|谢啦|谢了|谢过)(?:你的|您的)?[^。！!\n]{0,6}|(?:麻烦|辛苦|拜托|有劳)(?:你|您)?(?:了|啦)"
    r"|在线等[，,]?(?:挺|很|非常)?急?的?|不着急[^。！!\n]{0,12}|等(?:你|您)的?回复|你最棒了|祝好"
    r"|祝(?:你|您|大家)?[^。！!？?，,\n]{0,8}(?:愉快|快乐|顺利|开心|健康|好运|平安|如意)"
    r"|(?:回答|说得|讲得)?(?:简单|详细|具体)(?:点|一点|些)(?:就行|就好)?"
    r"|(?:many |big )?thanks|thank you|thx|tia|ty|cheers|much appreciated"
    r"|(?:i )?(?:really )?appreciate (?:it|the help|any help)"
    r"|any help (?:is|would be) (?:much |greatly )?appreciated"
    r"|have a (?:nice|good|great|lovely) (?:day|one|weekend|evening)"
    r"|take care|no rush[^.!?\n]{0,40}|(?:this is |it's )?(?:kind of |a bit |pretty )?urgent[^.!?\n]{0,50}"
    r"|you're a (?:lifesaver|star)|looking forward to [^.!?\n]{1,25}|hope (?:that|this) makes sense"
    r"|(?:step[- ]by[- ]step|details|a short answer) would be (?:great|nice|helpful))"
    r"(?: a lot| so much| very much| in advance| again)?"
    r"(?:[,，]? ?(?:mate|friend|buddy|祝好|哦|哈))?[你您大家啦了呀哈哦]*"
)
# the characters a courtesy can begin with, so the search only tries positions that can start one
_CLOSING_FIRST = "非十万先提谢多感麻辛拜有在不等你祝回说讲简详具" + "abcdhiklmnprstuy"
_CLOSING = re.compile(rf"(?<![a-z])(?=[{_CLOSING_FIRST}])" + _COURTESY + _SEP + r"$", re.IGNORECASE)
_NUMBER = re.compile(r"(?:\d[\-\s().]{0,2}){6,}[\dXx]?")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|\.(?=\s)")
_STRANDED = re.compile(rf"\s+[。.！!～~{_EMOJI}]+\s*$")  # punctuation left behind a blanked clause
_NUMBER_LEAD = re.compile(
    r"(?:(?:我的|my |your )?(?:电话|手机号?|身份证号?|证件号码?|联系方式|订单号|工号|编号|账号|微信号?|qq"
    r"|phone|mobile|cell|number|id|ssn|order|ticket|account|reference)(?: number| no\.?| #)?"
    r"(?:码|是|为| is|:|：|#)*\s*\(?)$",
    re.IGNORECASE,
)
_CACHED_UP_TO = 4096  # characters: longer texts are not kept in the cache
_MAX_TRIMS = 4  # greetings, sender lines, courtesies: a few at each end is plenty
_SCAN = 80  # characters from the end a closing courtesy is looked for in


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if not chars[i].isspace():
            chars[i] = " "


def _sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]``, with its closing punctuation (looked for up to 80
    characters each way; a longer sentence is not padding)."""
    left = max(0, start - 80)
    before = [m.end() for m in _SENTENCE_END.finditer(text, left, start)]
    after = _SENTENCE_END.search(text, end, min(len(text), end + 80))
    opened = before[-1] if before else (0 if left == 0 else -1)
    closed = after.end() if after else (len(text) if len(text) - end <= 80 else -1)
    return opened, closed


_DIGIT_RUN = re.compile(r"\d+")
_DIGIT = re.compile(r"\d")
_NON_SPACE = re.compile(r"\S")


def _is_long_number(token: str) -> bool:
    """A phone, ID, card or order number: a run of seven digits or more, or three groups or more
    ("(415) 555-0123", "4111 1111 1111 1111"); not a range such as "100-150"."""
    runs = _DIGIT_RUN.findall(token)
    return max(map(len, runs)) >= 7 or (len(runs) >= 3 and sum(map(len, runs)) >= 7)


def _blank_numbers(text: str) -> list[str] | None:
    """``text`` as characters with each long number (``_is_long_number``) blanked: with the whole sentence
    it is in when that sentence opens or closes the message (and is not all of it), else with the
    words that introduce it ("我的电话是", "my phone is"). None when there is no such number."""
    if _DIGIT.search(text) is None:
        return None
    chars: list[str] | None = None
    lead = len(text) - len(text.lstrip())
    tail = len(text.rstrip())
    for m in _NUMBER.finditer(text):
        if not _is_long_number(m.group()):
            continue
        chars = chars if chars is not None else list(text)
        start, end = _sentence_of(text, m.start(), m.end())
        found = start >= 0 and end >= 0
        opens, closes = found and start <= lead, found and _NON_SPACE.search(text, end, tail) is None
        if opens == closes:  # in the middle, or all of the message: the number and its lead-in only
            intro = _NUMBER_LEAD.search(text, max(0, m.start() - 24), m.start())
            start, end = (intro.start() if intro else m.start()), m.end()
        _blank(chars, start, end)
    return chars


def cores(text: str) -> list[str]:
    """The readings of ``text`` worth scoring besides the text itself, same length, padding blanked: the
    text with its long numbers blanked, and with its greetings, sender lines and courtesies trimmed too.
    Empty when ``text`` has no padding. Both are kept because a trimmed "sender line" can carry the
    request itself ("I'm a chemist. Which one is best? My phone is …"). The harmful, semantic and
    injection detectors read the same text in turn, so the last few answers for short texts (what people
    type) are kept."""
    return list(_cached_cores(text)) if len(text) <= _CACHED_UP_TO else _cores(text)


@lru_cache(maxsize=64)
def _cached_cores(text: str) -> tuple[str, ...]:
    return tuple(_cores(text))


def _cores(text: str) -> list[str]:
    numbered = _blank_numbers(text)
    current = "".join(numbered) if numbered is not None else text
    lead = len(text) - len(text.lstrip())
    tail = len(text.rstrip())
    start = len(current) - len(current.lstrip())
    for _ in range(_MAX_TRIMS):
        m = (
            _GREETING.match(current, start)
            or _ABOUT_ME.match(current, start)
            or _PRETEXT.match(current, start)
        )
        if m is None or m.end() == start:
            break
        start = m.end()
    end = len(current.rstrip())
    for _ in range(_MAX_TRIMS):
        window = max(start, end - _SCAN)
        m = (
            _CLOSING.search(current, window, end)
            or _STRANDED.search(current, window, end)
            or _PRETEXT_END.search(current, window, end)
        )
        if m is None or m.start() == end:
            break
        end = len(current[: m.start()].rstrip())
    out = [current] if numbered is not None and current.strip() else []
    if start != lead or end != tail:
        chars = list(current)
        _blank(chars, lead, start)
        _blank(chars, end, len(text))
        trimmed = "".join(chars)
        if trimmed.strip() and trimmed not in out:
            out.append(trimmed)
    return out
