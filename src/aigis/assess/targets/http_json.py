"""Any HTTP JSON endpoint, described by a request template and a response path.

The request template is JSON in which the string "{{messages}}" is replaced by the list of turns, and
"{{prompt}}" / "{{system}}" inside strings by the last user turn / the system prompt. ``response_path``
is a dotted path into the reply ("output.text", "choices.0.message.content"); optional
``usage_paths`` give the token counts.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from aigis.assess.targets.base import Limits, Message, Target, TargetError, TargetResponse, register_target
from aigis.assess.targets.http_common import json_headers, make_client, status_error, transport_error
from aigis.errors import InputError


def fill(template: Any, messages: list[Message], prompt: str, system: str) -> Any:
    if isinstance(template, str):
        if template == "{{messages}}":
            return messages
        return template.replace("{{prompt}}", prompt).replace("{{system}}", system)
    if isinstance(template, list):
        return [fill(v, messages, prompt, system) for v in template]
    if isinstance(template, dict):
        return {k: fill(v, messages, prompt, system) for k, v in template.items()}
    return template


def dig(data: Any, path: str) -> Any:
    """Follow a dotted path (numbers index lists); raise KeyError when it does not exist."""
    current = data
    for part in path.split("."):
        if isinstance(current, list) and part.lstrip("-").isdigit():
            current = current[int(part)]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise KeyError(path)
    return current


@register_target
class HttpJson(Target):
    kind = "http"

    def __init__(
        self,
        url: str,
        request_template: Any,
        response_path: str,
        method: str = "POST",
        headers: dict[str, str] | None = None,
        api_key_env: str | None = None,
        usage_paths: dict[str, str] | None = None,
        system_prompt: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(limits, system_prompt)
        if not url.startswith(("http://", "https://")):
            raise InputError(f"--url: {url!r} is not an http(s) URL")
        if isinstance(request_template, str):
            try:
                request_template = json.loads(request_template)
            except ValueError as exc:
                raise InputError(f"--request-template: not valid JSON ({exc})") from None
        if not response_path:
            raise InputError("--response-path: required, e.g. 'output.text' or 'choices.0.message.content'")
        self.url, self.method, self.template, self.response_path = (
            url,
            method.upper(),
            request_template,
            response_path,
        )
        self.usage_paths = usage_paths or {}
        self.api_key_env = api_key_env
        self.headers = json_headers(headers, api_key_env)
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def from_config(cls, options: dict[str, Any], limits: Limits | None = None) -> HttpJson:
        return cls(
            url=str(options.get("url", "")),
            request_template=options.get("request_template", {}),
            response_path=str(options.get("response_path", "")),
            method=str(options.get("method", "POST")),
            headers=options.get("headers"),
            api_key_env=options.get("api_key_env"),
            usage_paths=options.get("usage_paths"),
            system_prompt=options.get("system_prompt"),
            limits=limits,
        )

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "method": self.method,
            "request_template": self.template,
            "response_path": self.response_path,
            "usage_paths": self.usage_paths,
            "api_key_env": self.api_key_env,
            "system_prompt": self.system_prompt,
        }

    async def _send(self, messages: list[Message]) -> TargetResponse:
        if self._client is None:
            self._client = make_client(self.limits.timeout, self.limits.concurrency)
        prompt = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        body = fill(self.template, messages, prompt, system)
        try:
            response = await self._client.request(self.method, self.url, json=body, headers=self.headers)
        except httpx.HTTPError as exc:
            raise transport_error(exc) from None
        if response.status_code >= 400:
            raise status_error(response.status_code, response.content)
        try:
            data = response.json()
            text = dig(data, self.response_path)
        except (ValueError, KeyError, IndexError):
            raise TargetError(f"response has no {self.response_path!r}: {response.text[:200]!r}") from None
        tokens = {}
        for name, path in self.usage_paths.items():
            try:
                tokens[name] = int(dig(data, path))
            except (KeyError, IndexError, TypeError, ValueError):
                tokens[name] = 0
        return TargetResponse(str(text), tokens.get("prompt_tokens", 0), tokens.get("completion_tokens", 0))

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
