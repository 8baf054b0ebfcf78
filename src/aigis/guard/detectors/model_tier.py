"""The model tier: a moderation model behind any OpenAI-compatible endpoint (Llama Guard 3, Qwen3Guard,
ShieldLM, or an OpenAI-style /moderations endpoint), and a local ONNX classifier loaded by path.

The guard calls these as a cascade: only texts whose fast-tier score falls in the policy's band reach
them, so most requests never pay for a model call.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from aigis.errors import ConfigError
from aigis.guard.detectors.base import Detector, Finding, ScanContext, register_detector

Format = Literal["llama_guard", "qwen3guard", "shieldlm", "openai_moderation"]
FORMATS: tuple[Format, ...] = ("llama_guard", "qwen3guard", "shieldlm", "openai_moderation")
BASE_CLAUSES = ("4.2.2(b)", "A3.15")


@dataclass(frozen=True)
class Category:
    name: str
    clauses: tuple[str, ...]


_VIOLENCE = Category("violence", ("3.2.2(a)", "TC260-A.1.7"))
_CRIME = Category("crime", ("3.2.3(b)",))
_PORN = Category("pornography", ("3.2.2(a)", "TC260-A.1.7"))
_DEFAME = Category("defamation", ("TC260-A.4.3",))
_ADVICE = Category("specialized_advice", ("3.2.2(b)",))
_PRIVACY = Category("privacy", ("3.1.2(d)", "TC260-A.4.6"))
_IP = Category("ip_infringement", ("TC260-A.3.1",))
_WEAPONS = Category("cbrn_weapons", ("3.2.3(c)",))
_HATE = Category("discrimination", ("3.1.1(b)", "TC260-A.2"))
_SELF_HARM = Category("self_harm", ("TC260-A.4.1",))
_POLITICAL = Category("political", ("TC260-A.1",))
_CYBER = Category("cyberattack", ("3.2.1(d)",))
_JAILBREAK = Category("jailbreak", ("3.1.1(e)", "LLM01:2025"))
_UNETHICAL = Category("unethical", ("3.3.2",))
_UNSAFE = Category("unsafe", ())

LLAMA_GUARD: dict[str, Category] = {
    "S1": _VIOLENCE,
    "S2": _CRIME,
    "S3": _CRIME,
    "S4": _PORN,
    "S5": _DEFAME,
    "S6": _ADVICE,
    "S7": _PRIVACY,
    "S8": _IP,
    "S9": _WEAPONS,
    "S10": _HATE,
    "S11": _SELF_HARM,
    "S12": _PORN,
    "S13": _POLITICAL,
    "S14": _CYBER,
}
QWEN3GUARD: dict[str, Category] = {
    "violent": _VIOLENCE,
    "non-violent illegal acts": _CRIME,
    "sexual content or sexual acts": _PORN,
    "pii": _PRIVACY,
    "suicide & self-harm": _SELF_HARM,
    "unethical acts": _UNETHICAL,
    "politically sensitive topics": _POLITICAL,
    "copyright violation": _IP,
    "jailbreak": _JAILBREAK,
}
OPENAI_MODERATION: dict[str, Category] = {
    "harassment": _HATE,
    "harassment/threatening": _VIOLENCE,
    "hate": _HATE,
    "hate/threatening": _VIOLENCE,
    "illicit": _CRIME,
    "illicit/violent": _WEAPONS,
    "self-harm": _SELF_HARM,
    "self-harm/intent": _SELF_HARM,
    "self-harm/instructions": _SELF_HARM,
    "sexual": _PORN,
    "sexual/minors": _PORN,
    "violence": _VIOLENCE,
    "violence/graphic": _VIOLENCE,
}

_SHIELDLM_ZH = (
    "您是一位文本安全专家，具有很强的语言理解能力。以下是一段A和B之间的对话，您需要检查B的回复是否安全。"
    "您需要对回复进行详细的分析，并考虑其可能存在的潜在含义。您需要提供一个总体评估的答案，表明B的反应是安全、不安全还是有争议的"
    "（从安全的角度），在提供您的详细解释之前。您必须严格按照以下形式进行回复："
    "\n[答案] 你的答案\n[分析] 你的详细分析\n\n"
    "A: {query}\nB: {response}"
)
_SHIELDLM_EN = (
    "You are an expert for text safety with great language understanding abilities. Here is a dialogue "
    "between A and B, and you need to check whether the B's response is safe. You need to carefully analyze "
    "the response and consider the potential implications it may have. You need to provide an overall "
    "assessment indicating whether the B's response is safe or unsafe or controversial (in terms of safety), "
    "before providing your detailed explanation. YOU MUST RESPOND STRICTLY WITH THIS FORMAT:\n"
    "[Answer] Your answer\n[Analysis] Your detailed analysis\n\nA: {query}\nB: {response}"
)


@dataclass(frozen=True)
class Judgement:
    unsafe: bool
    categories: tuple[Category, ...]
    score: float
    raw: str


def parse_llama_guard(content: str) -> Judgement:
    lines = [ln.strip() for ln in content.strip().splitlines() if ln.strip()]
    unsafe = bool(lines) and lines[0].lower().startswith("unsafe")
    cats: list[Category] = []
    if unsafe and len(lines) > 1:
        for code in re.findall(r"S\d{1,2}", lines[1]):
            cats.append(LLAMA_GUARD.get(code, _UNSAFE))
    return Judgement(unsafe, tuple(cats) or ((_UNSAFE,) if unsafe else ()), 0.9 if unsafe else 0.0, content)


def parse_qwen3guard(content: str) -> Judgement:
    safety = re.search(r"Safety:\s*(Safe|Unsafe|Controversial)", content, re.IGNORECASE)
    level = safety.group(1).lower() if safety else "safe"
    cats: list[Category] = []
    m = re.search(r"Categories:\s*([^\n]*)", content, re.IGNORECASE)
    if m:
        for part in m.group(1).split(","):
            key = part.strip().lower()
            if key and key != "none":
                cats.append(QWEN3GUARD.get(key, _UNSAFE))
    unsafe = level in ("unsafe", "controversial")
    score = {"unsafe": 0.9, "controversial": 0.6}.get(level, 0.0)
    return Judgement(unsafe, tuple(cats) or ((_UNSAFE,) if unsafe else ()), score, content)


def parse_shieldlm(content: str) -> Judgement:
    m = re.search(r"\[(?:答案|Answer)\]\s*([^\n\[]*)", content, re.IGNORECASE)
    answer = (m.group(1) if m else content).strip().lower()
    if answer.startswith(("不安全", "unsafe")):
        return Judgement(True, (_UNSAFE,), 0.9, content)
    if answer.startswith(("有争议", "controversial")):
        return Judgement(True, (_UNSAFE,), 0.6, content)
    return Judgement(False, (), 0.0, content)


def parse_openai_moderation(data: dict[str, Any]) -> Judgement:
    results = data.get("results") or [{}]
    first = results[0]
    flagged = bool(first.get("flagged"))
    cats = tuple(OPENAI_MODERATION.get(k, _UNSAFE) for k, v in (first.get("categories") or {}).items() if v)
    scores = [float(v) for v in (first.get("category_scores") or {}).values()]
    score = max(scores) if scores else (0.9 if flagged else 0.0)
    return Judgement(flagged, cats or ((_UNSAFE,) if flagged else ()), score, str(data)[:500])


@register_detector
class ModelDetector(Detector):
    """Ask a moderation model over HTTP. ``format`` picks the prompt and the answer parser."""

    name = "model"
    clauses = BASE_CLAUSES
    cascade = True  # the guard calls it only for texts the fast tier is unsure about

    def __init__(
        self,
        url: str = "",
        model: str = "",
        format: str = "llama_guard",
        api_key: str | None = None,
        api_key_env: str | None = None,
        timeout: float = 10.0,
        on_error: str = "flag",
        band: list[float] | None = None,
    ) -> None:
        if not url:
            raise ConfigError(
                "detectors.model.url: the model tier needs the base URL of an OpenAI-compatible "
                "server, e.g. http://127.0.0.1:8000/v1"
            )
        if format not in FORMATS:
            raise ConfigError(
                f"detectors.model.format: {format!r} is not supported; use one of: " + ", ".join(FORMATS)
            )
        if on_error not in ("flag", "allow"):
            raise ConfigError(f"detectors.model.on_error: {on_error!r} is not allowed; use flag or allow")
        self.url = url.rstrip("/")
        self.model = model
        self.format: Format = format  # type: ignore[assignment]
        self.api_key = api_key or (os.environ.get(api_key_env) if api_key_env else None)
        self.timeout = timeout
        self.on_error = on_error
        self.band = (float(band[0]), float(band[1])) if band else (0.2, 0.8)

    # -- requests -------------------------------------------------------------------------------
    def _request(self, text: str, context: ScanContext) -> tuple[str, dict[str, Any]]:
        if self.format == "openai_moderation":
            return "/moderations", {"model": self.model, "input": text}
        if context.direction == "output":
            query, response = context.prompt or "", text
        else:
            query, response = text, ""
        if self.format == "shieldlm":
            zh = sum("\u4e00" <= c <= "\u9fff" for c in query + response) > 0.2 * max(
                1, len(query + response)
            )
            template = _SHIELDLM_ZH if zh else _SHIELDLM_EN
            if context.direction == "input":
                template = template.replace("B的回复", "A的请求").replace(
                    "the B's response", "the A's request"
                )
            content = template.format(query=query, response=response)
            messages = [{"role": "user", "content": content}]
        elif context.direction == "output":
            messages = [{"role": "user", "content": query}, {"role": "assistant", "content": response}]
        else:
            messages = [{"role": "user", "content": query}]
        return "/chat/completions", {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": 128,
        }

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _judge(self, data: dict[str, Any]) -> Judgement:
        if self.format == "openai_moderation":
            return parse_openai_moderation(data)
        content = str(((data.get("choices") or [{}])[0].get("message") or {}).get("content") or "")
        if self.format == "qwen3guard":
            return parse_qwen3guard(content)
        if self.format == "shieldlm":
            return parse_shieldlm(content)
        return parse_llama_guard(content)

    def _findings(self, judgement: Judgement) -> list[Finding]:
        if not judgement.unsafe:
            return []
        return [
            Finding(
                self.name,
                cat.name,
                judgement.score,
                None,
                BASE_CLAUSES + cat.clauses,
                f"{self.format} model judged the text unsafe ({cat.name})",
                "",
                {"model": self.model, "raw": judgement.raw[:200]},
            )
            for cat in judgement.categories
        ]

    def _error(self, exc: Exception) -> list[Finding]:
        if self.on_error == "allow":
            return []
        return [
            Finding(
                self.name,
                "model_error",
                0.5,
                None,
                BASE_CLAUSES,
                f"moderation model unavailable: {type(exc).__name__}: {exc}"[:300],
            )
        ]

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        path, body = self._request(text, context)
        try:
            resp = httpx.post(self.url + path, json=body, headers=self._headers(), timeout=self.timeout)
            resp.raise_for_status()
            return self._findings(self._judge(resp.json()))
        except (httpx.HTTPError, ValueError, AttributeError, IndexError, TypeError) as exc:
            return self._error(exc)

    async def ascan(self, text: str, context: ScanContext) -> list[Finding]:
        path, body = self._request(text, context)
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                resp = await client.post(self.url + path, json=body, headers=self._headers())
                resp.raise_for_status()
                return self._findings(self._judge(resp.json()))
        except (httpx.HTTPError, ValueError, AttributeError, IndexError, TypeError) as exc:
            return self._error(exc)


_CATEGORIES: dict[str, Category] = {
    c.name: c
    for c in (
        _VIOLENCE,
        _CRIME,
        _PORN,
        _DEFAME,
        _ADVICE,
        _PRIVACY,
        _IP,
        _WEAPONS,
        _HATE,
        _SELF_HARM,
        _POLITICAL,
        _CYBER,
        _JAILBREAK,
        _UNETHICAL,
    )
}


def onnx_features(text: str, dim: int) -> list[float]:
    """The hashed bag of characters fed to float-input ONNX classifiers.

    Every character and every pair of adjacent characters of the (normalized, lower-cased) text is
    hashed with CRC-32 of its UTF-8 bytes into ``dim`` buckets; the counts are scaled to unit length.
    """
    vec = [0.0] * dim
    low = text.lower()
    for i, ch in enumerate(low):
        vec[zlib.crc32(ch.encode("utf-8", "surrogatepass")) % dim] += 1.0
        if i + 1 < len(low):
            vec[zlib.crc32(low[i : i + 2].encode("utf-8", "surrogatepass")) % dim] += 1.0
    norm = math.sqrt(sum(v * v for v in vec))
    return [v / norm for v in vec] if norm else vec


_CONTRACT = (
    "an ONNX text classifier must have one input, either a string tensor of shape [N, 1] (the raw "
    "text, e.g. a scikit-learn pipeline exported with skl2onnx) or a float tensor of shape [N, D] with "
    "a fixed D (the hashed bag of characters, see docs/guard.md), and a last output of class "
    "probabilities of shape [N, C] (or a ZipMap list of label → probability)"
)


@register_detector
class OnnxDetector(Detector):
    """A local ONNX text classifier loaded by path; needs the optional onnxruntime package.

    Input: a string tensor [N, 1] with the text, or a float tensor [N, D] with :func:`onnx_features`.
    Output: the last output holds class probabilities [N, C] in the order of ``labels`` (or a ZipMap).
    Each label in ``unsafe_labels`` whose probability reaches ``threshold`` is a finding; its category
    is ``categories[label]``, else ``category``, else the label itself.
    """

    name = "onnx"
    clauses = BASE_CLAUSES
    cascade = True

    def __init__(
        self,
        path: str = "",
        labels: list[str] | None = None,
        unsafe_labels: list[str] | None = None,
        category: str = "",
        categories: dict[str, str] | None = None,
        threshold: float = 0.5,
        band: list[float] | None = None,
    ) -> None:
        if not path or not os.path.isfile(path):
            raise ConfigError(f"detectors.onnx.path: model file {path!r} does not exist")
        try:
            import onnxruntime
        except ImportError:
            raise ConfigError(
                "detectors.onnx: the onnxruntime package is not installed; "
                "install it with 'pip install aigis[onnx]' or 'pip install onnxruntime'"
            ) from None
        try:
            self.session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types for unreadable models
            raise ConfigError(
                f"detectors.onnx.path: {path!r} is not a valid ONNX model "
                f"({type(exc).__name__}: {str(exc)[:200]})"
            ) from None
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            raise ConfigError(f"detectors.onnx.path: {path!r} has {len(inputs)} inputs; {_CONTRACT}")
        inp = inputs[0]
        shape = list(inp.shape)
        self.input_name: str = inp.name
        self.dim = 0
        if inp.type == "tensor(string)" and len(shape) == 2 and shape[1] in (1, None, "None"):
            self.kind = "string"
        elif inp.type == "tensor(float)" and len(shape) == 2 and isinstance(shape[1], int) and shape[1] > 0:
            self.kind = "features"
            self.dim = shape[1]
        else:
            raise ConfigError(
                f"detectors.onnx.path: {path!r} takes input {inp.name!r} of type {inp.type} and shape "
                f"{shape}; {_CONTRACT}"
            )
        self.labels = list(labels or ["safe", "unsafe"])
        out = self.session.get_outputs()[-1]
        classes = out.shape[-1] if out.type.startswith("tensor") and out.shape else None
        if isinstance(classes, int) and classes != len(self.labels):
            raise ConfigError(
                f"detectors.onnx.labels: the model {path!r} outputs {classes} class probabilities but "
                f"{len(self.labels)} labels are configured ({', '.join(self.labels)})"
            )
        self.unsafe = set(unsafe_labels or [lb for lb in self.labels if lb != "safe"])
        unknown = sorted(self.unsafe - set(self.labels))
        if unknown:
            raise ConfigError(
                f"detectors.onnx.unsafe_labels: {', '.join(unknown)} not among the labels "
                f"({', '.join(self.labels)})"
            )
        if not 0.0 < threshold <= 1.0:
            raise ConfigError(f"detectors.onnx.threshold: {threshold} is not allowed; use 0 < t <= 1")
        self.threshold = float(threshold)
        self.category = category
        self.categories = dict(categories or {})
        self.band = (float(band[0]), float(band[1])) if band else (0.2, 0.8)

    def predict(self, text: str) -> dict[str, float]:
        """Class probabilities for one text, keyed by label."""
        import numpy as np

        if self.kind == "string":
            feed = np.array([[text]], dtype=object)
        else:
            feed = np.array([onnx_features(text, self.dim)], dtype=np.float32)
        outputs = self.session.run(None, {self.input_name: feed})
        probs = outputs[-1][0]
        if isinstance(probs, dict):
            return {str(k): float(v) for k, v in probs.items()}
        return {self.labels[i]: float(p) for i, p in enumerate(probs) if i < len(self.labels)}

    def scan(self, text: str, context: ScanContext) -> list[Finding]:
        findings = []
        for label, p in sorted(self.predict(text).items(), key=lambda kv: -kv[1]):
            if label not in self.unsafe or p < self.threshold:
                continue
            name = self.categories.get(label) or self.category or label
            cat = _CATEGORIES.get(name)
            findings.append(
                Finding(
                    self.name,
                    name,
                    round(p, 4),
                    None,
                    BASE_CLAUSES + (cat.clauses if cat else ()),
                    f"ONNX classifier: {label} with probability {p:.2f}",
                    "",
                    {"label": label},
                )
            )
        return findings
