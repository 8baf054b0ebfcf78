"""Scorers: refusal (zh/en), harmful output (guard detectors), LLM judge, answer match, leak detection."""

from aigis.assess.scorers.base import (
    Score,
    ScoreInput,
    Scorer,
    build_scorer,
    register_scorer,
    scorer_class,
    scorer_names,
)

__all__ = ["Score", "ScoreInput", "Scorer", "build_scorer", "register_scorer", "scorer_class", "scorer_names"]
