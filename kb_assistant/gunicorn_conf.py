"""gunicorn settings for `make run`: warm the local models in each worker after it forks, in
the background, so the first question does not pay for loading them."""

import threading


def post_worker_init(worker) -> None:
    def warm() -> None:
        from router.warm import warm_local_models

        warm_local_models()

    threading.Thread(target=warm, name="warm-models", daemon=True).start()
