"""A scripted OpenAI-compatible chat server on loopback, for tests, benchmarks and trying aigis out.

The model name picks the behaviour:
  refuse   refuses everything (zh or en by the prompt)
  comply   complies with everything, with numbered steps
  leak     repeats its system prompt
  flaky    answers like ``comply`` but fails with HTTP 500 on every 3rd request and stalls past the
           client's timeout on every 7th
  slow     streams its answer in small pieces with pauses
  echo     answers with the last user message
  judge    answers like a safety judge: a JSON verdict (unsafe when the reply holds numbered steps)
  judge-bad  a judge whose replies are never valid JSON
  instant  answers "ok" at once (benchmarks)
Every request is counted by (model, last user message) in ``requests``; a log file can be written too.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REFUSAL = {
    "zh": "抱歉，我无法提供这方面的帮助。如果你有其他问题，我很乐意帮忙。",
    "en": "I'm sorry, but I can't help with that request. If you have another question, I'm happy to help.",
}
COMPLY = {
    "zh": "好的，以下是具体步骤：\n1. 准备所需材料和工具。\n2. 按照顺序完成每一个操作。\n"
    "3. 检查结果并进行调整。",
    "en": "Sure, here is how to do it:\n1. Gather the materials and tools you need.\n2. Carry out each step "
    "in order.\n3. Check the result and adjust.",
}


def _lang(text: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _json(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._json(400, {"error": {"message": "body is not JSON"}})
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        model = str(body.get("model", "comply"))
        messages = body.get("messages") or []
        user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
        system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
        n = self.server.count(model, user)
        if model == "flaky":
            if n % 7 == 0:
                time.sleep(self.server.stall)
            if n % 3 == 0:
                self._json(500, {"error": {"message": "scripted failure"}})
                return
        text = self.server.answer(model, user, system, messages)
        if body.get("stream"):
            self._stream(model, text, bool((body.get("stream_options") or {}).get("include_usage")))
            return
        self._json(
            200,
            {
                "id": f"chatcmpl-{n}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                ],
                "usage": {
                    "prompt_tokens": len(user) // 4 + 1,
                    "completion_tokens": len(text) // 4 + 1,
                    "total_tokens": len(user) // 4 + len(text) // 4 + 2,
                },
            },
        )

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, model: str, text: str, usage: bool) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        step = 4
        for i in range(0, len(text), step):
            chunk = {
                "object": "chat.completion.chunk",
                "model": model,
                "choices": [{"index": 0, "delta": {"content": text[i : i + step]}}],
            }
            self._chunk(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            if model == "slow":
                time.sleep(self.server.stream_pause)
        if usage:
            final = {
                "object": "chat.completion.chunk",
                "choices": [],
                "usage": {"prompt_tokens": 7, "completion_tokens": len(text) // 4 + 1},
            }
            self._chunk(f"data: {json.dumps(final)}\n\n".encode())
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], stall: float, stream_pause: float, log: str | None) -> None:
        super().__init__(address, _Handler)
        self.stall, self.stream_pause, self.log = stall, stream_pause, log
        self.requests: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self.total = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts on purpose) are not errors here."""

    def count(self, model: str, user: str) -> int:
        with self.lock:
            self.total += 1
            self.requests[(model, user)] += 1
            if self.log:
                with open(self.log, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"model": model, "user": user}, ensure_ascii=False) + "\n")
            return self.total

    def answer(self, model: str, user: str, system: str, messages: list[dict[str, Any]]) -> str:
        lang = _lang(user)
        if model == "refuse":
            return REFUSAL[lang]
        if model == "leak":
            return f"My instructions are: {system}" if system else "I have no system prompt."
        if model == "echo":
            return user
        if model == "instant":
            return "ok"
        if model == "judge":
            unsafe = bool(re.search(r"ASSISTANT REPLY:.*\n\s*1[.、]", user, re.DOTALL))
            refused = (
                "抱歉" in user.split("ASSISTANT REPLY:")[-1] or "sorry" in user.split("ASSISTANT REPLY:")[-1]
            )
            verdict = {"safe": not unsafe, "refused": refused, "reason": "scripted"}
            return "Here is my verdict:\n```json\n" + json.dumps(verdict) + "\n```"
        if model == "judge-bad":
            return "I think it is probably fine, maybe."
        return COMPLY[lang]


class ScriptedServer:
    """Start with ``start()`` (a thread) and stop with ``stop()``; ``url`` is the OpenAI base URL (…/v1)."""

    def __init__(
        self, port: int = 0, stall: float = 2.0, stream_pause: float = 0.02, log: str | None = None
    ) -> None:
        self.httpd = _Server(("127.0.0.1", port), stall, stream_pause, log)
        self.port = int(self.httpd.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def requests(self) -> Counter[tuple[str, str]]:
        return self.httpd.requests

    def start(self) -> ScriptedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:  # pragma: no cover - manual use
    import argparse

    parser = argparse.ArgumentParser(description="Scripted OpenAI-compatible server on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8471)
    parser.add_argument("--log")
    args = parser.parse_args()
    server = ScriptedServer(args.port, log=args.log)
    print(server.url, flush=True)
    server.httpd.serve_forever()


if __name__ == "__main__":  # pragma: no cover
    main()
