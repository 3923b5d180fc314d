"""gunicorn settings for `make run`: each worker warms its models after it forks and before
it accepts a request, then says so in a file, so `make run` prints the URL only once every
worker answers as fast as it ever will."""

import os

from kb_assistant.settings import WEB_THREADS

threads = WEB_THREADS  # a `--threads` on the command line would override it: none is given
# Stopping (Ctrl-C, SIGTERM) gives answers being streamed this long to finish; gunicorn's
# default of 30 s made every stop of `make run` wait that long.
graceful_timeout = 5


def post_worker_init(worker) -> None:
    from django.conf import settings

    from router.warm import warm_local_models

    warm_local_models()
    ready = settings.KB_DATA_DIR / "run"
    ready.mkdir(exist_ok=True)
    (ready / f"web-{os.getpid()}.ready").touch()


def worker_exit(server, worker) -> None:
    from django.conf import settings

    (settings.KB_DATA_DIR / "run" / f"web-{worker.pid}.ready").unlink(missing_ok=True)
