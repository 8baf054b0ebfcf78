"""Request shapes for the fast harmful model: which harmful act a text names, and in what frame.

A linear model over character n-grams sees "如何" and "偷" as two unrelated cues, each too common in
benign text to weigh much ("如何偷偷给她惊喜", "小偷怎么防"). What makes "我该如何偷一辆卡车？" harmful is
the two together. ``lexicon/acts.txt`` lists, in both languages, the words of these roles:

* ``frame``: a request or plan ("如何", "教我", "best way", "i want to");
* ``why``: a question or claim about a whole group ("为什么", "都是", "why are");
* ``act:<kind>``: a harmful act or its means (violence, destruction, theft, sexual, drugs, self-harm,
  cyber, weapons, privacy, hate, deception);
* ``group`` and ``derog``: a group of people, and a demeaning word for one;
* ``conceal``: hiding the act or its traces ("不被发现", "不留痕迹", "without getting caught");
* ``protect``: the other side of an act: a victim, a report, prevention, the law ("被", "报警",
  "防范", "is it illegal");

and ``exempt`` terms inside which an act word means something else ("偷偷", "杀毒", "kill process").
``act_features`` turns the roles found in a text into named features that pair them ("frame+act:theft",
"group+derog"); the model learns from its training rows how much each pair weighs, and its n-grams
still read the object ("如何杀死进程" has the same pair as "如何杀死一个人").
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, TypeVar

from aigis.guard.lexicon import Lexicon, lower_same_length

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

EXEMPT = "exempt"
_LONGEST = 64  # characters; no word of acts.txt is longer (checked on loading)
B = TypeVar("B", bool, "npt.NDArray[np.bool_]")


@lru_cache(maxsize=1)
def act_lexicon() -> Lexicon:
    """The role words of ``lexicon/acts.txt``. A word with several roles ("小偷": demeaning, and exempt
    for the act inside it) has them all in its label, space-separated; weights are unused."""
    word_roles: dict[str, list[str]] = {}
    text = resources.files("aigis.guard.lexicon").joinpath("acts.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            term, role = line.split("\t")
            if len(term) >= _LONGEST:
                raise ValueError(f"acts.txt: {term!r} has {len(term)} characters; at most {_LONGEST - 1}")
            word_roles.setdefault(term, []).append(role)
    return Lexicon([(term, " ".join(found), 1) for term, found in word_roles.items()])


RoleSpan = tuple[int, int, str]  # (start, end, role) of a role word in a text


def act_hits(text: str, lowered: str | None = None) -> list[RoleSpan]:
    """Role words in ``text`` as (start, end, role), one entry per role of a word, without the act
    words that sit inside an exempt term."""
    lexicon = act_lexicon()
    found = lexicon.spans(text, lowered=lowered if lowered is not None else lower_same_length(text))
    labelled = [(start, end, lexicon.label(idx)) for start, end, idx in found]
    if all(" " not in label and label != EXEMPT for _, _, label in labelled):
        return labelled  # the common case: one role per word, nothing exempt
    exempt = sorted((start, end) for start, end, label in labelled if EXEMPT in _roles(label))
    exempt_starts = [a for a, _ in exempt]
    hits: list[RoleSpan] = []
    for start, end, label in labelled:
        inside = _inside_any(start, end, exempt, exempt_starts)
        hits.extend(
            (start, end, role)
            for role in _roles(label)
            if role != EXEMPT and not (inside and role.startswith("act:"))
        )
    return hits


def _inside_any(start: int, end: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether [start, end) lies inside one of ``spans`` (sorted; ``starts`` their starts). Only the
    spans that start at most ``_LONGEST`` characters before it can hold it: linear over a long text."""
    j = bisect_right(starts, start) - 1
    while j >= 0 and starts[j] > start - _LONGEST:
        if end <= spans[j][1]:
            return True
        j -= 1
    return False


@lru_cache(maxsize=64)
def _roles(label: str) -> tuple[str, ...]:
    return tuple(label.split())


@lru_cache(maxsize=1)
def shape_feature_names() -> tuple[str, ...]:
    """Every feature name ``act_features`` can give with the roles of ``lexicon/acts.txt``, sorted."""
    roles = {role for label in act_lexicon().counts() for role in _roles(label) if role != EXEMPT}
    return tuple(sorted(shape_features(dict.fromkeys(roles, True), False)))


def act_features(hits: Iterable[RoleSpan]) -> set[str]:
    """Named features of the roles found together in one text (see ``shape_features``)."""
    present: dict[str, bool] = {role: True for _, _, role in hits}
    return {name for name, on in shape_features(present, False).items() if on}


def shape_features(present: Mapping[str, B], absent: B) -> dict[str, B]:
    """Each act kind alone and paired with a frame or a group; an act seen from the side of its victim
    or the law; hiding, alone and with an act or a frame; a group with a demeaning word; a "why"
    question about a group. ``present`` maps each role found to True (one text) or to a boolean array
    (one entry per window of a long text); ``absent`` is the value of a role not found. Only ``&`` and
    ``|`` combine them, so both kinds give the same features."""
    frame, why, group, derog, protect, conceal = (
        present.get(role, absent) for role in ("frame", "why", "group", "derog", "protect", "conceal")
    )
    acts = [role for role in present if role.startswith("act:")]
    any_act = absent
    out: dict[str, B] = {}
    for act in acts:
        any_act = any_act | present[act]
        out[act] = present[act]
        out[f"frame+{act}"] = frame & present[act]
        out[f"group+{act}"] = group & present[act]
    out["frame+act"] = frame & any_act
    out["protect+act"] = protect & any_act
    out["conceal"] = conceal
    out["conceal+act"] = conceal & any_act
    out["frame+conceal"] = frame & conceal
    out["group+derog"] = group & derog
    out["why+group"] = why & group
    out["why+group+derog"] = why & group & derog
    return out
