"""Request shapes for the fast harmful model: which harmful act a text names, and in what frame.

A linear model over character n-grams sees "如何" and "偷" as two unrelated cues, each too common in
benign text to weigh much ("如何偷偷给她惊喜", "小偷怎么防"). What makes "我该如何偷一辆卡车？" harmful is
the two together. ``lexicon/acts.txt`` lists, in both languages, the words of four roles:

* ``frame``: a request or plan ("如何", "教我", "best way", "i want to");
* ``why``: a question or claim about a whole group ("为什么", "都是", "why are");
* ``act:<kind>``: a harmful act or its means (violence, destruction, theft, sexual, drugs, self-harm,
  cyber, weapons, privacy, hate);
* ``group`` and ``derog``: a group of people, and a demeaning word for one;
* ``protect``: the other side of an act: a victim, a report, prevention, the law ("被", "报警",
  "防范", "is it illegal");

and ``exempt`` terms inside which an act word means something else ("偷偷", "杀毒", "kill process").
``act_features`` turns the roles found in a text into named features that pair them ("frame+act:theft",
"group+derog"); the model learns from its training rows how much each pair weighs, and its n-grams
still read the object ("如何杀死进程" has the same pair as "如何杀死一个人").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from aigis.guard.lexicon import KeywordHit, Lexicon, lower_same_length

EXEMPT = "exempt"


@lru_cache(maxsize=1)
def act_lexicon() -> Lexicon:
    """The role words of ``lexicon/acts.txt``. A word with several roles ("小偷": demeaning, and exempt
    for the act inside it) has them all in its label, space-separated; weights are unused."""
    word_roles: dict[str, list[str]] = {}
    text = resources.files("aigis.guard.lexicon").joinpath("acts.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            term, role = line.split("\t")
            word_roles.setdefault(term, []).append(role)
    return Lexicon([(term, " ".join(found), 1) for term, found in word_roles.items()])


def act_hits(text: str, lowered: str | None = None) -> list[KeywordHit]:
    """Role words in ``text``, without the act words that sit inside an exempt term."""
    found = act_lexicon().find(text, lowered=lowered if lowered is not None else lower_same_length(text))
    exempt = [(h.start, h.end) for h in found if EXEMPT in h.category.split()]
    hits: list[KeywordHit] = []
    for h in found:
        for role in h.category.split():
            inside = any(a <= h.start and h.end <= b for a, b in exempt)
            if role != EXEMPT and not (role.startswith("act:") and inside):
                hits.append(replace(h, category=role))
    return hits


def act_features(hits: Iterable[KeywordHit]) -> set[str]:
    """Named features for the roles found together: each act kind alone and paired with a frame or a
    group, an act seen from the side of its victim or the law, a group with a demeaning word, a "why"
    question about a group."""
    roles = {h.category for h in hits}
    acts = {r for r in roles if r.startswith("act:")}
    frame, why, group, derog = ("frame" in roles, "why" in roles, "group" in roles, "derog" in roles)
    names = set(acts)
    if acts and "protect" in roles:
        names.add("protect+act")
    for act in acts:
        if frame:
            names.add(f"frame+{act}")
        if group:
            names.add(f"group+{act}")
    if frame and acts:
        names.add("frame+act")
    if group and derog:
        names.add("group+derog")
    if why and group:
        names.add("why+group")
        if derog:
            names.add("why+group+derog")
    return names
