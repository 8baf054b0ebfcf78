"""An aigis gateway route: the gateway speaks the OpenAI protocol, so this is an OpenAI-compatible
target whose base URL is the gateway and whose model is the route name. The token comes from
AIGIS_GATEWAY_TOKEN unless another variable is named."""

from __future__ import annotations

from typing import Any

from aigis.assess.targets.base import Limits, register_target
from aigis.assess.targets.openai import OpenAIChat


@register_target
class GatewayRoute(OpenAIChat):
    kind = "gateway"

    @classmethod
    def from_config(cls, options: dict[str, Any], limits: Limits | None = None) -> GatewayRoute:
        base = str(options.get("base_url", "http://127.0.0.1:8470")).rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        return cls(
            base_url=base,
            model=str(options.get("model") or options.get("route") or ""),
            api_key_env=options.get("api_key_env", "AIGIS_GATEWAY_TOKEN"),
            stream=bool(options.get("stream", False)),
            temperature=options.get("temperature", 0.0),
            max_tokens=options.get("max_tokens"),
            system_prompt=options.get("system_prompt"),
            limits=limits,
        )
