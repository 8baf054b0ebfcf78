"""Guard policies: which detectors run, and per direction and category the threshold and the action.

A policy is YAML. Rules match ``detector/category`` with shell-style wildcards ("pii/*",
"harmful/TC260-A.1.*"); the first matching rule decides. See docs/guard.md for every field.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from aigis.errors import ConfigError, InputError

Action = Literal["allow", "flag", "mask", "block", "refuse", "review"]
ACTIONS: tuple[Action, ...] = ("allow", "flag", "mask", "review", "refuse", "block")
SEVERITY: dict[str, int] = {a: i for i, a in enumerate(ACTIONS)}
MaskStyle = Literal["full", "last4", "hash", "synthetic", "label"]
BLOCKING: frozenset[str] = frozenset({"block", "refuse", "review"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reply(_Strict):
    zh: str
    en: str


class Rule(_Strict):
    match: str = Field(description="detector/category glob, e.g. 'pii/*' or 'harmful/TC260-A.1.*'")
    action: Action
    threshold: float = Field(0.5, ge=0.0, le=1.0)
    mask: MaskStyle | None = None
    reply: str | None = None
    clauses: list[str] = Field(default_factory=list)
    id: str | None = None
    note: str | None = None

    @field_validator("match")
    @classmethod
    def _has_slash(cls, value: str) -> str:
        if "/" not in value:
            raise ValueError(f"{value!r} must be 'detector/category' (wildcards allowed), e.g. 'pii/*'")
        return value

    def matches(self, detector: str, category: str) -> bool:
        return fnmatchcase(f"{detector}/{category}", self.match)


class Default(_Strict):
    action: Action = "allow"
    threshold: float = Field(0.5, ge=0.0, le=1.0)


class DirectionPolicy(_Strict):
    default: Default = Field(default_factory=Default)
    rules: list[Rule] = Field(default_factory=list)

    def decide(self, detector: str, category: str, score: float) -> tuple[Action, Rule | None]:
        for rule in self.rules:
            if rule.matches(detector, category):
                return (rule.action if score >= rule.threshold else "allow"), rule
        return (self.default.action if score >= self.default.threshold else "allow"), None


class Masking(_Strict):
    style: MaskStyle = "last4"
    vault: bool = False
    secret_env: str | None = None


class Cascade(_Strict):
    band: tuple[float, float] = (0.2, 0.8)

    @field_validator("band")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        lo, hi = value
        if not (0.0 <= lo <= hi <= 1.0):
            raise ValueError(f"band {list(value)} must be [low, high] with 0 <= low <= high <= 1")
        return value


class Streaming(_Strict):
    max_hold: int = Field(200, ge=16, le=100_000)
    overlap: int = Field(32, ge=0, le=10_000)
    context: int = Field(640, ge=0, le=100_000)


DEFAULT_REPLIES: dict[str, Reply] = {
    "refuse": Reply(zh="抱歉，这个请求我无法协助。", en="Sorry, I can't help with that request."),
    "block": Reply(zh="该内容已被安全策略拦截。", en="This content was blocked by the safety policy."),
    "review": Reply(
        zh="该内容需要人工审核，审核通过后再回复您。",
        en="This content needs a human review before it can be answered.",
    ),
    "out_of_scope": Reply(
        zh="抱歉，这超出了本服务的范围。", en="Sorry, that is outside what this service covers."
    ),
    # self-harm: a bare refusal leaves someone in crisis alone, so the reply points to help
    "self_harm": Reply(
        zh=(
            "听起来你现在很难受，谢谢你愿意说出来。你不必独自面对：可以找信任的人聊聊，"
            "或联系当地的心理援助热线。如果你现在有伤害自己的危险，请立即拨打 120 或 110。"
        ),
        en=(
            "It sounds like you are going through a lot, and thank you for saying it. You don't have to "
            "face this alone: talk to someone you trust or a local crisis line. If you might act on "
            "thoughts of harming yourself, call your local emergency number now."
        ),
    ),
}


class Policy(_Strict):
    name: str = "custom"
    version: int = 1
    description: str = ""
    lang: Literal["auto", "zh", "en"] = "auto"
    detectors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    input: DirectionPolicy = Field(default_factory=DirectionPolicy)
    output: DirectionPolicy = Field(default_factory=DirectionPolicy)
    replies: dict[str, Reply] = Field(default_factory=dict)
    masking: Masking = Field(default_factory=Masking)
    cascade: Cascade = Field(default_factory=Cascade)
    streaming: Streaming = Field(default_factory=Streaming)
    clauses: list[str] = Field(default_factory=lambda: ["4.2.2(b)", "6.2.7", "A3.15"])

    @field_validator("detectors", mode="before")
    @classmethod
    def _detector_options(cls, value: Any) -> Any:
        if isinstance(value, list):  # a plain list of names
            return {str(v): {} for v in value}
        if isinstance(value, dict):
            return {k: (v or {}) for k, v in value.items()}
        return value

    def direction(self, name: str) -> DirectionPolicy:
        if name not in ("input", "output"):
            raise InputError(f"direction {name!r} is not allowed; use input or output")
        return self.input if name == "input" else self.output

    def reply(self, key: str | None, action: str, lang: str) -> str:
        for k in (key, action, "refuse"):
            if k and k in self.replies:
                r = self.replies[k]
                return r.zh if lang == "zh" else r.en
            if k and k in DEFAULT_REPLIES:
                r = DEFAULT_REPLIES[k]
                return r.zh if lang == "zh" else r.en
        return DEFAULT_REPLIES["refuse"].en

    def check_detectors(self, known: list[str]) -> None:
        unknown = [d for d in self.detectors if d not in known]
        if unknown:
            raise ConfigError(
                f"policy {self.name!r}: unknown detector(s) {', '.join(map(repr, unknown))}; "
                f"available: {', '.join(known)}"
            )

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def _format_errors(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "literal_error":
            msg = f"{msg} (got {err.get('input')!r})"
        lines.append(f"  {loc}: {msg}")
    return f"policy {source} is not valid:\n" + "\n".join(lines)


def parse_policy(data: Any, source: str = "<policy>") -> Policy:
    if not isinstance(data, dict):
        raise ConfigError(
            f"policy {source} must be a YAML mapping at the top level, got {type(data).__name__}"
        )
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, source)) from None
    _check_replies(policy, source)
    if policy.masking.vault and policy.masking.style in ("full", "last4"):
        raise ConfigError(
            f"policy {source}: masking.vault restores hash, label and synthetic masks; masking.style "
            f"{policy.masking.style!r} keeps no token to restore from (choose one of those, or vault: false)"
        )
    return policy


def _check_replies(policy: Policy, source: str) -> None:
    """Every rule's ``reply`` names a reply of the policy's or a built-in one."""
    names = sorted(set(policy.replies) | set(DEFAULT_REPLIES))
    for direction in ("input", "output"):
        for i, rule in enumerate(policy.direction(direction).rules):
            if rule.reply is not None and rule.reply not in names:
                raise ConfigError(
                    f"policy {source} is not valid:\n  {direction}.rules.{i}.reply: {rule.reply!r} names no "
                    f"reply; replies: {', '.join(names)} (add it under replies:)"
                )


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; errors name the file and the field."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"policy file {str(p)!r} does not exist")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"policy file {str(p)!r} is not valid YAML: {exc}") from None
    policy = parse_policy(data, repr(str(p)))
    return policy


def default_policy_text() -> str:
    return resources.files("aigis.guard").joinpath("default_policy.yaml").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _default_data() -> dict[str, Any]:
    data = yaml.safe_load(default_policy_text())
    assert isinstance(data, dict)
    return data


def default_policy() -> Policy:
    return parse_policy(_default_data(), "default")
