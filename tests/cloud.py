"""The cloud, for tests: llama-cpp-python's OpenAI-compatible server with the small model on
loopback, behind a small recording proxy that keeps every request body and can misbehave
on demand (down, slow, 429, 500) so fallbacks are tested over real HTTP with the real SDK."""

import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.processes import wait_until


def start_llama_server(
    model_path: str,
    port: int,
    log_path,
    *,
    alias: str = "cloud-test-model",
    threads: int = 1,
    context: int = 4096,
) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", model_path, "--model_alias", alias,
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(context), "--n_threads", str(threads)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1/models"
    wait_until(
        lambda: urllib.request.urlopen(url, timeout=2).status == 200,
        timeout=120,
        what="llama server",
        process=process,
    )
    return process


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """Clients hanging up mid-answer is what the fallback tests do on purpose."""


class RecordingCloud:
    """Forwards /v1/* to the upstream server, recording each JSON body first.

    mode: "ok" | "500" | "429" | "slow" | "drop" (accept, then close without answering)
    | "echo" (answer itself, streaming back every placeholder the request held, as a model
    that quotes its context would) | "reply" (answer itself with `reply`, streamed)
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.mode = "ok"
        self.slow_seconds = 5.0
        self.reply = ""
        self.requests: list[dict] = []
        self.calls = 0
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        self.mode, self.requests, self.calls = "ok", [], 0

    def _handler(self):
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self._forward(None)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                cloud.calls += 1
                if body:
                    cloud.requests.append(json.loads(body))
                self._forward(body)

            def _forward(self, body: bytes | None) -> None:
                if cloud.mode in ("500", "429", "401"):
                    payload = json.dumps(
                        {"error": {"message": f"test cloud says {cloud.mode}", "type": "server_error"}}
                    )
                    self.send_response(int(cloud.mode))
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload.encode())
                    return
                if cloud.mode in ("echo", "reply"):
                    self._echo(json.loads(body or b"{}"))
                    return
                if cloud.mode == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if cloud.mode == "slow":
                    time.sleep(cloud.slow_seconds)
                upstream = http.client.HTTPConnection("127.0.0.1", cloud.upstream_port, timeout=120)
                headers = {"Content-Type": "application/json"} if body else {}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                while chunk := response.read1(4096):
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                upstream.close()

            def _echo(self, request: dict) -> None:
                placeholders = dict.fromkeys(re.findall(r"<[A-Z]+_\d+>", json.dumps(request.get("messages"))))
                text = (
                    cloud.reply
                    if cloud.mode == "reply"
                    else f"Known from the context: {', '.join(placeholders)}."
                )
                pieces = [text[i : i + 5] for i in range(0, len(text), 5)]
                chunks = [{"delta": {"content": piece}, "finish_reason": None} for piece in pieces]
                chunks.append({"delta": {}, "finish_reason": "stop"})
                events = [
                    {"id": "echo", "object": "chat.completion.chunk", "created": 0, "model": request.get("model"),
                     "choices": [{"index": 0, **chunk}]}
                    for chunk in chunks
                ]  # fmt: skip
                usage = {
                    "prompt_tokens": 100,
                    "completion_tokens": len(pieces),
                    "total_tokens": 100 + len(pieces),
                }
                events.append(
                    {
                        "id": "echo",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "choices": [],
                        "usage": usage,
                    }
                )
                stream = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(stream.encode())))
                self.end_headers()
                self.wfile.write(stream.encode())

        return Handler
