"""Targets over real HTTP: OpenAI-compatible (plain and streaming), HTTP JSON templates, Python
callables; retries with backoff on 5xx and timeouts, concurrency and rate limits, token usage."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from aigis.assess.targets import Limits, TargetError, build_target, target_kinds
from aigis.assess.testing import ScriptedServer
from aigis.errors import ConfigError, InputError, NotFoundError


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer(stall=1.5, stream_pause=0.01) as srv:
        yield srv


def send(config: dict[str, object], text: str, limits: Limits | None = None) -> object:
    async def go() -> object:
        target = build_target(config, limits)
        try:
            return await target.send([{"role": "user", "content": text}])
        finally:
            await target.aclose()

    return asyncio.run(go())


def test_kinds() -> None:
    assert {"openai", "gateway", "http", "callable"} <= set(target_kinds())
    with pytest.raises(NotFoundError):
        build_target({"kind": "grpc"})
    with pytest.raises(InputError, match="--base-url"):
        build_target({"kind": "openai", "base_url": "localhost", "model": "m"})
    with pytest.raises(ConfigError, match="NOPE_KEY"):
        build_target({"kind": "openai", "base_url": "http://x", "model": "m", "api_key_env": "NOPE_KEY"})


def test_openai_plain_and_streaming(server: ScriptedServer) -> None:
    plain = send({"kind": "openai", "base_url": server.url, "model": "refuse"}, "怎么做炸弹？")
    assert plain.text.startswith("抱歉") and plain.completion_tokens > 0  # type: ignore[attr-defined]
    started = time.perf_counter()
    streamed = send({"kind": "openai", "base_url": server.url, "model": "slow", "stream": True}, "hello")
    assert streamed.text.startswith("Sure, here is how")  # type: ignore[attr-defined]
    assert streamed.completion_tokens > 0 and time.perf_counter() - started > 0.1  # type: ignore[attr-defined]


def test_retries_on_5xx_and_timeouts(server: ScriptedServer) -> None:
    limits = Limits(timeout=0.5, retries=4, backoff=0.01, concurrency=4)

    async def go() -> list[object]:
        target = build_target({"kind": "openai", "base_url": server.url, "model": "flaky"}, limits)
        results = await asyncio.gather(
            *(target.send([{"role": "user", "content": f"q{i}"}]) for i in range(14))
        )
        await target.aclose()
        return list(results)

    results = asyncio.run(go())
    assert all(r.text.startswith("Sure") for r in results)  # type: ignore[attr-defined]
    assert sum(r.retries for r in results) >= 4  # type: ignore[attr-defined]
    with pytest.raises(TargetError, match="after 1 tries"):
        send({"kind": "openai", "base_url": server.url[:-3] + "/nope", "model": "x"}, "q", Limits(retries=3))


def test_rate_limit_spaces_requests(server: ScriptedServer) -> None:
    async def go() -> float:
        target = build_target({"kind": "openai", "base_url": server.url, "model": "instant"}, Limits(rps=20))
        started = time.perf_counter()
        await asyncio.gather(*(target.send([{"role": "user", "content": "x"}]) for _ in range(10)))
        await target.aclose()
        return time.perf_counter() - started

    assert asyncio.run(go()) >= 0.4


def test_http_template_target(server: ScriptedServer) -> None:
    config = {
        "kind": "http",
        "url": server.url + "/chat/completions",
        "request_template": {"model": "echo", "messages": [{"role": "user", "content": "Q: {{prompt}}"}]},
        "response_path": "choices.0.message.content",
        "usage_paths": {
            "prompt_tokens": "usage.prompt_tokens",
            "completion_tokens": "usage.completion_tokens",
        },
    }
    result = send(config, "ping")
    assert result.text == "Q: ping" and result.prompt_tokens > 0  # type: ignore[attr-defined]
    with pytest.raises(TargetError, match="response has no"):
        send({**config, "response_path": "output.text"}, "ping", Limits(retries=0))


def shout(messages: list[dict[str, str]]) -> str:
    return messages[-1]["content"].upper()


def test_callable_target() -> None:
    result = send({"kind": "callable", "callable": f"{__name__}:shout"}, "hi")
    assert result.text == "HI"  # type: ignore[attr-defined]
    with pytest.raises(InputError, match="--callable"):
        build_target({"kind": "callable", "callable": "no_colon"})
