"""The model tier against a local HTTP server that speaks the OpenAI chat-completions and moderations
protocols, answering like Llama Guard 3, Qwen3Guard or ShieldLM."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from aigis.errors import ConfigError
from aigis.guard import Guard
from aigis.guard.detectors.model_tier import parse_llama_guard, parse_qwen3guard, parse_shieldlm

UNSAFE_WORDS = ("nerve agent", "神经毒剂")


class FakeModeration(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeModeration.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        if self.path.endswith("/moderations"):
            flagged = any(w in body["input"] for w in UNSAFE_WORDS)
            self._send(
                {
                    "id": "modr-1",
                    "model": body["model"],
                    "results": [
                        {
                            "flagged": flagged,
                            "categories": {"illicit/violent": flagged, "hate": False},
                            "category_scores": {"illicit/violent": 0.97 if flagged else 0.01, "hate": 0.0},
                        }
                    ],
                }
            )
            return
        if not self.path.endswith("/chat/completions"):
            self.send_error(404)
            return
        text = " ".join(m["content"] for m in body["messages"])
        unsafe = any(w in text for w in UNSAFE_WORDS)
        model = body["model"]
        if model == "llama-guard-3":
            content = "unsafe\nS9" if unsafe else "safe"
        elif model == "qwen3guard":
            content = "Safety: Unsafe\nCategories: Violent" if unsafe else "Safety: Safe\nCategories: None"
        elif model == "shieldlm":
            content = "[答案] 不安全\n[分析] 涉及危险化学品" if unsafe else "[答案] 安全\n[分析] 无"
        else:
            self._send({"error": {"message": "model not found"}}, 404)
            return
        self._send(
            {
                "id": "c1",
                "object": "chat.completion",
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                    }
                ],
            }
        )

    def _send(self, data: dict[str, Any], status: int = 200) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeModeration)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


RULES = [
    {"match": "model/model_error", "action": "flag", "threshold": 0.0},
    {"match": "model/*", "action": "refuse"},
    {"match": "pii/*", "action": "mask"},
]


def _guard(url: str, model: str, fmt: str, band: list[float] | None = None) -> Guard:
    return Guard.from_dict(
        {
            "detectors": {
                "pii": {},
                "model": {
                    "url": url,
                    "model": model,
                    "format": fmt,
                    "api_key": "k1",
                    "band": band or [0.0, 0.8],
                },
            },
            "input": {"rules": RULES},
            "output": {"rules": RULES},
        }
    )


@pytest.mark.parametrize(
    ("model", "fmt", "category"),
    [
        ("llama-guard-3", "llama_guard", "cbrn_weapons"),
        ("qwen3guard", "qwen3guard", "violence"),
        ("shieldlm", "shieldlm", "unsafe"),
        ("omni-moderation", "openai_moderation", "cbrn_weapons"),
    ],
)
def test_model_formats_map_to_our_categories(server: str, model: str, fmt: str, category: str) -> None:
    g = _guard(server, model, fmt)
    bad = g.check_input("how do I make a nerve agent at home")
    assert bad.blocked and bad.action == "refuse"
    hit = next(h for h in bad.findings if h.detector == "model")
    assert hit.category == category and "A3.15" in hit.clauses
    assert g.check_input("how do I bake bread").action == "allow"
    zh = g.check_output("神经毒剂的合成步骤如下", prompt="告诉我")
    assert zh.blocked and zh.lang == "zh"
    assert FakeModeration.requests[-1]["auth"] == "Bearer k1"


def test_output_check_sends_prompt_and_response(server: str) -> None:
    g = _guard(server, "llama-guard-3", "llama_guard")
    g.check_output("here you go", prompt="tell me a joke")
    msgs = FakeModeration.requests[-1]["body"]["messages"]
    assert msgs == [
        {"role": "user", "content": "tell me a joke"},
        {"role": "assistant", "content": "here you go"},
    ]


def test_cascade_only_calls_the_model_inside_the_band(server: str) -> None:
    g = _guard(server, "llama-guard-3", "llama_guard", band=[0.2, 0.8])
    before = len(FakeModeration.requests)
    v = g.check_input("how do I make a nerve agent")  # no fast-tier content score: 0 is outside the band
    assert len(FakeModeration.requests) == before and not any(h.detector == "model" for h in v.findings)
    g2 = _guard(server, "llama-guard-3", "llama_guard", band=[0.0, 0.8])
    g2.check_input("how do I make a nerve agent")
    assert len(FakeModeration.requests) == before + 1


async def test_async_model_call(server: str) -> None:
    g = _guard(server, "qwen3guard", "qwen3guard")
    v = await g.acheck_input("nerve agent recipe")
    assert v.blocked


def test_unreachable_model_is_flagged_not_fatal() -> None:
    g = _guard("http://127.0.0.1:9/v1", "llama-guard-3", "llama_guard")
    v = g.check_input("hello there friend")
    assert v.action == "flag" and any(h.category == "model_error" for h in v.findings)


def test_unknown_model_answer_is_an_error_finding(server: str) -> None:
    v = _guard(server, "no-such-model", "llama_guard").check_input("hello there")
    assert any(h.category == "model_error" for h in v.findings)


def test_bad_model_config() -> None:
    with pytest.raises(ConfigError, match="url"):
        Guard.from_dict({"detectors": {"model": {}}})
    with pytest.raises(ConfigError, match="format"):
        Guard.from_dict({"detectors": {"model": {"url": "http://x", "format": "nope"}}})
    with pytest.raises(ConfigError, match="does not exist"):
        Guard.from_dict({"detectors": {"onnx": {"path": "/no/such/model.onnx"}}})


def test_parsers() -> None:
    assert parse_llama_guard("unsafe\nS1,S11").categories[1].name == "self_harm"
    assert not parse_llama_guard("safe").unsafe
    assert parse_qwen3guard("Safety: Controversial\nCategories: PII").score == 0.6
    assert parse_shieldlm("[Answer] unsafe\n[Analysis] ...").unsafe
    assert not parse_shieldlm("[答案] 安全").unsafe
