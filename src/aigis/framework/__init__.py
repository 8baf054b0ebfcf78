"""The AI Safety Governance Framework 2.0 as data: every clause in Chinese and English, the risk
table with its English divergences, the grading appendix, and crosswalks to other catalogues.

    >>> from aigis.framework import load_framework
    >>> fw = load_framework()
    >>> fw.get("3.2.1 (a)").title.en
    'Component and computing safety'
    >>> [m.id for m in fw.measures_for("3.2.1(a)").technical]
    ['4.2.1(b)', '4.2.1(c)', '4.2.1(d)', '4.2.1(e)']
"""

from aigis.framework.ids import id_key
from aigis.framework.loader import FrameworkDataError, load_framework, read_framework
from aigis.framework.model import (
    CLI_KINDS,
    KINDS,
    ROLES,
    SOURCES,
    Clause,
    Crosswalk,
    Divergence,
    RiskMapping,
    Text,
)
from aigis.framework.query import Framework, expand_kind

__all__ = [
    "CLI_KINDS",
    "KINDS",
    "ROLES",
    "SOURCES",
    "Clause",
    "Crosswalk",
    "Divergence",
    "Framework",
    "FrameworkDataError",
    "RiskMapping",
    "Text",
    "expand_kind",
    "id_key",
    "load_framework",
    "read_framework",
]
