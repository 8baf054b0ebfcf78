"""Whether a model response declines: refusal and caution phrases at its start, zh and en.

The output side of the harmful check uses it: a response to a request the guard finds harmful is
itself unsafe unless it declines (a model that goes along with "how do I make meth" need not name a
drug to do harm). Only the opening of the response is read, where models put their refusals.
"""

from __future__ import annotations

import re

OPENING_CHARS = 200  # how much of the response is searched for a refusal
_PHRASES_ZH = (
    "我不能",
    "我无法",
    "不能提供",
    "无法提供",
    "不能协助",
    "无法协助",
    "不能帮助",
    "无法帮助",
    "不能回答",
    "无法回答",
    "不能支持",
    "我拒绝",
    "抱歉",
    "对不起",
    "很遗憾",
    "不建议",
    "不应该",
    "是违法的",
    "违法行为",
    "不道德",
)
_PHRASES_EN = (
    "i can't",
    "i cannot",
    "i can not",
    "i won't",
    "i will not",
    "i'm sorry",
    "i am sorry",
    "i'm not able",
    "i am not able",
    "i'm unable",
    "i am unable",
    "i must decline",
    "i'm not comfortable",
    "i am not comfortable",
    "as an ai",
    "can't help with",
    "cannot help with",
    "can't assist",
    "cannot assist",
)
# literal alternatives only: matching stays linear in the opening's length
_REFUSAL = re.compile("|".join(re.escape(p) for p in (*_PHRASES_ZH, *_PHRASES_EN)))


def is_refusal(response: str) -> bool:
    """True when the opening of ``response`` declines or warns instead of going along."""
    opening = response[:OPENING_CHARS].lower().replace("\u2019", "'")
    return _REFUSAL.search(opening) is not None
