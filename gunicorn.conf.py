"""gunicorn settings every launch picks up (gunicorn reads ./gunicorn.conf.py: docker-compose.yml,
the Dockerfile and bench/ all start it from the project root); the rest is on the command line.

Python's garbage collector, tuned for a Django worker. A worker imports the whole app, ~100,000
objects that live as long as it does, and each full pass of the collector walked them all again:
the ledger's slowest pages at county scale were far slower than the rest; tuned, that tail is
gone (docs/decisions.md, The worker). Frozen after start-up they are not walked again, and the
youngest generation is collected every 50,000 new objects instead of 700.
"""

import gc


def post_worker_init(worker) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
