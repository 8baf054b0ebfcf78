"""A policy's options for one detector, checked against the detector's constructor before it is built.

A misspelt option or a value of the wrong type must stop the policy from loading: a threshold of "0.5x"
that only fails when the first text is compared with it would leave the detector failing on every check.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

from pydantic import TypeAdapter, ValidationError

from aigis.errors import ConfigError
from aigis.guard.detectors.base import Detector

# options that are probabilities: a value outside [0, 1] would flag everything or nothing
PROBABILITY_OPTIONS = frozenset({"threshold", "document_threshold", "skip_above"})


def checked_options(policy: str, name: str, cls: type[Detector], options: dict[str, Any]) -> dict[str, Any]:
    """``options`` converted to the types ``cls`` declares (a path given as a string becomes a ``Path``);
    ``ConfigError`` naming the policy, the detector, the option and what is allowed otherwise."""
    where = f"policy {policy!r}, detector {name!r}"
    parameters = {
        key: p
        for key, p in inspect.signature(cls.__init__).parameters.items()
        if key != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    unknown = [key for key in options if key not in parameters]
    if unknown:
        allowed = ", ".join(parameters) if parameters else "none"
        raise ConfigError(f"{where}: unknown option {', '.join(map(repr, unknown))}; its options: {allowed}")
    # an annotation that cannot be resolved at run time is left to the detector to check
    try:
        hints = typing.get_type_hints(cls.__init__)
    except (NameError, TypeError):
        hints = {}
    checked: dict[str, Any] = {}
    for key, value in options.items():
        given, hint = value, hints.get(key)
        if hint is not None:
            try:
                value = TypeAdapter(hint).validate_python(value)
            except ValidationError as exc:
                expected = exc.errors()[0]["msg"].lower()
                raise ConfigError(f"{where}: option {key!r} is {given!r}; {expected}") from None
        if key in PROBABILITY_OPTIONS and isinstance(value, float) and not 0.0 <= value <= 1.0:
            raise ConfigError(f"{where}: option {key!r} is {given!r}; it must lie between 0 and 1")
        checked[key] = value
    return checked
