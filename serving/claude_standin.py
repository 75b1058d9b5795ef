"""A local stand-in for the Anthropic Messages API (POST /v1/messages), good enough for the real
`anthropic` SDK pointed at it with `base_url` and a dummy key.

It checks requests the way the real API would where our code could get it wrong (auth and
version headers, required fields, every tool_use answered by a tool_result) and answers by
script: a mode names a sequence of behaviours, the last one repeating; a good answer is the
timetable in `answer` (settable: `yogi bench loop --silver` sets each page's gold before
uploading it, so "Claude" answers what a perfect reader would). The tests use it as the
Claude API's edge; nothing in the product's request path imports it.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD_TIMETABLE: dict[str, Any] = {
    "teacher": "Miss Joynes",
    "className": "2EJ",
    "term": "Autumn 2",
    "year": 2024,
    "timeblocks": [
        {"day": "Monday", "name": "Maths", "startTime": "09:30", "endTime": "10:00", "notes": None},
        {"day": "Monday", "name": "Break", "startTime": "10:30", "endTime": "10:45", "notes": None},
        {
            "day": "Tuesday",
            "name": "PHSE",
            "startTime": "13:15",
            "endTime": "14:00",
            "notes": "Anti Bullying Week",
        },
    ],
}

# Tool input that breaks the contract three ways (day name, time format, year type).
BAD_TIMETABLE: dict[str, Any] = {
    "teacher": None,
    "className": None,
    "term": None,
    "year": "next year",
    "timeblocks": [
        {"day": "Mon", "name": "Maths", "startTime": "9.30", "endTime": "10:00", "notes": None},
    ],
}

USAGE = {"input_tokens": 2500, "output_tokens": 700}

MODES: dict[str, list[str]] = {
    "good": ["good"],
    "garbage": ["text"],
    "bad-input": ["bad_input"],
    "garbage-then-good": ["text", "good"],
    "throttle": ["429", "good"],
    "rate-limited": ["429"],
    "overloaded": ["529"],
    "fail": ["500"],
    "hang": ["hang"],
    # A model that answers a forced tool_choice with 400 (like Sonnet 5.5).
    "reject-forced-tool": ["reject_forced"],
}


class StandIn:
    def __init__(self, mode: str = "good", *, hang_s: float = 3.0, retry_after_ms: int = 20,
                 answer: dict[str, Any] | None = None):
        self.mode = mode
        self.answer = answer or GOOD_TIMETABLE
        self.hang_s = hang_s
        self.retry_after_ms = retry_after_ms
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # wake hanging handlers
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_step(self, body: dict[str, Any], headers: dict[str, str]) -> str:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            script = MODES[self.mode]
            return script[min(len(self.requests), len(script)) - 1]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

            def _send(
                self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("request-id", f"req_{uuid.uuid4().hex[:12]}")
                    for key, value in (extra or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def _error(self, status: int, kind: str, message: str, retry: bool = False) -> None:
                extra = {"retry-after-ms": str(standin.retry_after_ms)} if retry else {}
                payload = {"type": "error", "error": {"type": kind, "message": message}}
                self._send(status, payload, extra)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except json.JSONDecodeError:
                    self._error(400, "invalid_request_error", "body is not JSON")
                    return
                if self.path.rstrip("/") != "/v1/messages":
                    self._error(404, "not_found_error", f"no route {self.path}")
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                step = standin._next_step(body, headers)
                problem = _request_problem(body, headers)
                if problem:
                    self._error(400, "invalid_request_error", problem)
                    return
                if step == "429":
                    self._error(
                        429,
                        "rate_limit_error",
                        "Number of requests has exceeded your rate limit.",
                        retry=True,
                    )
                elif step == "529":
                    self._error(529, "overloaded_error", "Overloaded", retry=True)
                elif step == "500":
                    self._error(500, "api_error", "Internal server error", retry=True)
                elif step == "hang":
                    standin._release.wait(standin.hang_s)
                    self._send(200, _message(body, [_tool_use(body, standin.answer)]))
                elif step == "reject_forced" and (body.get("tool_choice") or {}).get("type") in (
                    "tool",
                    "any",
                ):
                    self._error(
                        400,
                        "invalid_request_error",
                        "tool_choice: forced tool use is not supported by this model",
                    )
                elif step == "text":
                    text = {"type": "text", "text": "Here is the timetable: Monday Maths 9:30."}
                    self._send(200, _message(body, [text], stop_reason="end_turn"))
                elif step == "bad_input":
                    self._send(200, _message(body, [_tool_use(body, BAD_TIMETABLE)]))
                else:  # good, reject_forced after falling back to auto
                    self._send(200, _message(body, [_tool_use(body, standin.answer)]))

        return Handler


def _request_problem(body: dict[str, Any], headers: dict[str, str]) -> str | None:
    if not headers.get("x-api-key") and not headers.get("authorization"):
        return "missing x-api-key"
    if not headers.get("anthropic-version"):
        return "missing anthropic-version header"
    for field in ("model", "max_tokens", "messages"):
        if field not in body:
            return f"{field}: Field required"
    messages = body["messages"]
    if not messages or messages[0].get("role") != "user":
        return "messages: first message must use the user role"
    # Every tool_use must be answered by a tool_result in the very next (user) message.
    for i, message in enumerate(messages):
        content = message.get("content")
        if message.get("role") != "assistant" or not isinstance(content, list):
            continue
        ids = {b["id"] for b in content if b.get("type") == "tool_use"}
        if not ids:
            continue
        following = messages[i + 1]["content"] if i + 1 < len(messages) else []
        answered = (
            {
                b.get("tool_use_id")
                for b in following
                if isinstance(following, list) and b.get("type") == "tool_result"
            }
            if isinstance(following, list)
            else set()
        )
        if ids - answered:
            return "tool_use ids were found without tool_result blocks immediately after"
    return None


def _tool_use(body: dict[str, Any], tool_input: dict[str, Any]) -> dict[str, Any]:
    name = (body.get("tools") or [{}])[0].get("name", "record_timetable")
    return {
        "type": "tool_use",
        "id": f"toolu_{uuid.uuid4().hex[:20]}",
        "name": name,
        "input": tool_input,
    }


def _message(
    body: dict[str, Any], content: list[dict[str, Any]], stop_reason: str = "tool_use"
) -> dict[str, Any]:
    return {
        "id": f"msg_{uuid.uuid4().hex[:20]}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude-standin"),
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": dict(USAGE),
    }
