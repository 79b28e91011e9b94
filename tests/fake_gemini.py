"""A fake Gemini server on 127.0.0.1 that speaks the REST protocol, for the real google-genai client.

Each request takes the next scripted reply: (HTTP status, JSON body or raw text, delay in seconds).
When the script runs out, the last reply repeats. Requests are recorded for assertions.
"""
from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict -> JSON; str -> sent as is
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def generate_reply(payload: Any, prompt_tokens: int = 1200, output_tokens: int = 300) -> Reply:
    """A successful generateContent answer whose text is `payload` (JSON-encoded unless a str)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return Reply(200, {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": prompt_tokens, "candidatesTokenCount": output_tokens,
                          "totalTokenCount": prompt_tokens + output_tokens},
    })


def image_reply(png: bytes) -> Reply:
    """Imagen's answer (Vertex AI :predict)."""
    return Reply(200, {"predictions": [{"bytesBase64Encoded": base64.b64encode(png).decode(), "mimeType": "image/png"}]})


def gemini_image_reply(png: bytes) -> Reply:
    """Gemini's image model's answer (generateContent with an inline image part)."""
    return Reply(200, {
        "candidates": [{"content": {"role": "model", "parts": [
            {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 1290, "totalTokenCount": 1320}})


def error_reply(status: int, message: str = "fake error", retry_after: str | None = None) -> Reply:
    status_names = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 400: "INVALID_ARGUMENT"}
    headers = {"Retry-After": retry_after} if retry_after else {}
    return Reply(status, {"error": {"code": status, "message": message, "status": status_names.get(status, "ERROR")}},
                 headers=headers)


class FakeGemini:
    def __init__(self, replies: list[Reply], routes: dict[str, list[Reply]] | None = None) -> None:
        """`replies` answer every request, except those a key of `routes` matches: a key matches when it is
        part of the request's path or of its generationConfig (so a route can pick a response schema)."""
        self.replies = list(replies)
        self.routes = {suffix: list(queue) for suffix, queue in (routes or {}).items()}
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                    config = json.dumps(body.get("generationConfig", {}))
                    queue = next((q for key, q in fake.routes.items() if key in self.path or key in config),
                                 fake.replies)
                    reply = queue.pop(0) if len(queue) > 1 else queue[0]
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data.encode())))
                    self.end_headers()
                    self.wfile.write(data.encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeGemini":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for an engine process that should talk to this server."""
        return {"GEMINI_API_KEY": "test-key-not-secret", "AVE_GEMINI_BASE_URL": self.url,
                "AVE_GEMINI_BACKOFF_S": "0.01", "AVE_GEMINI_MIN_INTERVAL_S": "0", "AVE_GEMINI_TIMEOUT_S": "2",
                **extra}
