"""An OpenAI-compatible server on loopback that misbehaves as told, for the deadline tests and
drills. It speaks the streaming chat protocol itself (no model behind it), so the real
`openai` SDK meets a hung or broken stream exactly as it would meet one from a vendor.

mode: "ok" (a whole answer, finish reason and `[DONE]`) | "hang" (reads the request, then
says nothing) | "hang_midway" (a few pieces, then silence) | "no_done" (a few pieces, then
a clean end of the response, with neither a finish reason nor `[DONE]`)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = "Trips abroad need the department director's approval, and the CFO's above 5,000 EUR [1]."
HANG_SECONDS = 120.0  # a hung handler waits this long at most, or until the server closes


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """Clients hanging up on a hung answer is what the tests do on purpose."""


class MisbehavingCloud:
    def __init__(
        self, *, answer: str = ANSWER, pieces_before_trouble: int = 3, seconds_per_piece: float = 0.0
    ) -> None:
        self.answer = answer
        self.seconds_per_piece = seconds_per_piece  # "ok" streams as slowly as a model on a busy CPU
        self.pieces_before_trouble = pieces_before_trouble
        self.mode = "ok"
        self.arrivals: list[float] = []  # time.monotonic() of each chat request
        self._released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def reset(self, mode: str = "ok") -> None:
        self.mode, self.arrivals = mode, []

    def close(self) -> None:
        self._released.set()  # hung handlers end
        self._server.shutdown()
        self._server.server_close()

    def pieces(self) -> list[str]:
        return [self.answer[i : i + 8] for i in range(0, len(self.answer), 8)]

    def _handler(self):
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                body = json.dumps(
                    {"object": "list", "data": [{"id": "misbehaving-model", "object": "model"}]}
                )
                self._send_whole(body.encode(), "application/json")

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                cloud.arrivals.append(time.monotonic())
                mode, model = cloud.mode, request.get("model", "misbehaving-model")
                if mode == "hang":
                    cloud._released.wait(HANG_SECONDS)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = cloud.pieces()
                if mode == "ok":
                    for piece in pieces:
                        time.sleep(cloud.seconds_per_piece)
                        self._event(_chunk(model, {"content": piece}))
                    self._event(_chunk(model, {}, finish_reason="stop"))
                    self._event("[DONE]")
                else:
                    for piece in pieces[: cloud.pieces_before_trouble]:
                        self._event(_chunk(model, {"content": piece}))
                    if mode == "hang_midway":
                        cloud._released.wait(HANG_SECONDS)
                        return
                self.wfile.write(b"0\r\n\r\n")  # a clean end of the response
                self.wfile.flush()

            def _event(self, data: str) -> None:
                payload = f"data: {data}\n\n".encode()
                self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
                self.wfile.flush()

            def _send_whole(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _chunk(model: str, delta: dict, *, finish_reason: str | None = None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
    return json.dumps(
        {
            "id": "misbehaving",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [choice],
        }
    )
