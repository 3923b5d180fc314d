"""Chroma's HTTP client, with deadlines.

chromadb 1.5's HTTP client builds its httpx session with `timeout=None` and has no setting
to change it (nor a way to hand it a session), so a hung server (stopped, swapping, a full
disk) would hold every caller until the operating system gives up, minutes later. This
client sets connect and read timeouts on that session in the one moment between chromadb
building it and first using it: the constructor's first call to the server, which is
`get_user_identity`. Imported only by `ingestion.store`, lazily, like chromadb itself."""

import httpx
from chromadb.api.client import Client
from chromadb.auth import UserIdentity
from chromadb.config import Settings


class TimedClient(Client):
    def __init__(self, *, host: str, port: int, connect_seconds: float, read_seconds: float) -> None:
        self._timeout = httpx.Timeout(read_seconds, connect=connect_seconds)
        server = Settings(
            anonymized_telemetry=False,
            chroma_api_impl="chromadb.api.fastapi.FastAPI",
            chroma_server_host=host,
            chroma_server_http_port=port,
        )
        super().__init__(settings=server)

    def get_user_identity(self) -> UserIdentity:
        self._server._session.timeout = self._timeout  # type: ignore[attr-defined]
        return super().get_user_identity()
