"""gunicorn settings for `make run`: warm the local models in each worker after it forks, in
the background, so the first question does not pay for loading them."""

import threading


def post_worker_init(worker) -> None:
    def warm() -> None:
        from ingestion.embed import get_embedder
        from router.backends import local_backend
        from router.intent import classify_intent

        get_embedder()
        classify_intent("hello")
        local_backend()

    threading.Thread(target=warm, name="warm-models", daemon=True).start()
