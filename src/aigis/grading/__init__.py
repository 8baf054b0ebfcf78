"""Risk grading (appendix 1, 5.5, 6.2.1): the AI system inventory's schema, rule packs and the engine.

A system description is scored on the three grading elements of appendix 1 (application scenario, level
of intelligence, application scale) by a declarative rule pack; escalation rules adjust the level; the
pack's baseline says which framework measures and guidelines the level requires.
"""

from aigis.grading.engine import (
    ENGINE_VERSION,
    Control,
    ElementScore,
    FactorScore,
    FiredRule,
    GradeResult,
    grade,
)
from aigis.grading.levels import LEVELS, Level, level
from aigis.grading.packs import (
    Pack,
    get_pack,
    list_packs,
    load_pack_file,
    load_pack_text,
    pack_for,
    pack_schema,
)
from aigis.grading.problems import Problem, ValidationFailed
from aigis.grading.system import load_systems, system_schema, systems_from_data, validate_system

__all__ = [
    "ENGINE_VERSION",
    "LEVELS",
    "Control",
    "ElementScore",
    "FactorScore",
    "FiredRule",
    "GradeResult",
    "Level",
    "Pack",
    "Problem",
    "ValidationFailed",
    "get_pack",
    "grade",
    "level",
    "list_packs",
    "load_pack_file",
    "load_pack_text",
    "load_systems",
    "pack_for",
    "pack_schema",
    "system_schema",
    "systems_from_data",
    "validate_system",
]
