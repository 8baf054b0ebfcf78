"""OpenAI-compatible chat completions (``POST {base_url}/chat/completions``), streaming or not."""

from __future__ import annotations

import json
from typing import Any

import httpx

from aigis.assess.targets.base import Limits, Message, Target, TargetError, TargetResponse, register_target
from aigis.assess.targets.http_common import json_headers, make_client, status_error, transport_error
from aigis.errors import InputError


@register_target
class OpenAIChat(Target):
    kind = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str | None = None,
        stream: bool = False,
        temperature: float | None = 0.0,
        max_tokens: int | None = None,
        system_prompt: str | None = None,
        limits: Limits | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(limits, system_prompt)
        if not base_url.startswith(("http://", "https://")):
            raise InputError(
                f"--base-url: {base_url!r} is not an http(s) URL; use e.g. http://127.0.0.1:8000/v1"
            )
        if not model:
            raise InputError("--model: a model name is required")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.stream = stream
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.headers = json_headers(headers, api_key_env)
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def from_config(cls, options: dict[str, Any], limits: Limits | None = None) -> OpenAIChat:
        return cls(
            base_url=str(options.get("base_url", "")),
            model=str(options.get("model", "")),
            api_key_env=options.get("api_key_env"),
            stream=bool(options.get("stream", False)),
            temperature=options.get("temperature", 0.0),
            max_tokens=options.get("max_tokens"),
            system_prompt=options.get("system_prompt"),
            limits=limits,
        )

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "base_url": self.base_url,
            "model": self.model,
            "api_key_env": self.api_key_env,
            "stream": self.stream,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "system_prompt": self.system_prompt,
        }

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client(self.limits.timeout, self.limits.concurrency)
        return self._client

    def _body(self, messages: list[Message]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "stream": self.stream}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens:
            body["max_tokens"] = self.max_tokens
        if self.stream:
            body["stream_options"] = {"include_usage": True}
        return body

    async def _send(self, messages: list[Message]) -> TargetResponse:
        url = f"{self.base_url}/chat/completions"
        try:
            if self.stream:
                return await self._send_stream(url, messages)
            response = await self.client.post(url, json=self._body(messages), headers=self.headers)
        except httpx.HTTPError as exc:
            raise transport_error(exc) from None
        if response.status_code >= 400:
            raise status_error(response.status_code, response.content)
        try:
            data = response.json()
            text = data["choices"][0]["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise TargetError(
                f"response is not an OpenAI chat completion: {response.text[:200]!r}", retryable=True
            ) from None
        usage = data.get("usage") or {}
        return TargetResponse(
            str(text), int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        )

    async def _send_stream(self, url: str, messages: list[Message]) -> TargetResponse:
        parts: list[str] = []
        usage: dict[str, Any] = {}
        async with self.client.stream(
            "POST", url, json=self._body(messages), headers=self.headers
        ) as response:
            if response.status_code >= 400:
                raise status_error(response.status_code, await response.aread())
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                try:
                    chunk = json.loads(payload)
                except ValueError:
                    raise TargetError(
                        f"stream chunk is not JSON: {payload[:100]!r}", retryable=True
                    ) from None
                if chunk.get("usage"):
                    usage = chunk["usage"]
                for choice in chunk.get("choices") or []:
                    delta = choice.get("delta") or {}
                    if delta.get("content"):
                        parts.append(str(delta["content"]))
        return TargetResponse(
            "".join(parts), int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
