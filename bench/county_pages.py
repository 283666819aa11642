"""The county benchmark's child process: Django set up on the county database, the pages chosen
and their SQL captured in-process, the figures recounted, then every page timed through gunicorn
(bench/measure.py) and its SQL replayed with psycopg in the same run."""

import os

from bench.common import percentile


def _setup_django(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _prepare(env: dict) -> tuple[list, dict, list, dict]:
    """The pages with their SQL, who they show, the export sizes for the memory figure, and
    the recounts (before the server starts: they take the machine for seconds)."""
    from bench import recount
    from bench.common import manage
    from bench.pages import capture_sql, choose_pages, export_urls, first_town, office_user

    manage(env, "migrate", "--noinput")  # the schema as the code has it now
    manage(env, "collectstatic", "--noinput")
    pages, subjects = choose_pages()
    for page in pages:
        status = capture_sql(page)
        if status != 200:
            raise RuntimeError(f"{page.url}: HTTP {status} in-process")
    boards = {"the county": {}, "a town": {"town": str(first_town().pk)}}
    checks = {
        "tallies": recount.tally_check(),
        "headline": recount.headline_check(office_user(), boards),
    }
    return pages, subjects, export_urls(pages[-1].user), checks


def measure_pages(env: dict, dsn: str, requests: int, sql_runs: int, port: int) -> dict:
    _setup_django(env)
    from django.db import connection

    from bench import common, load, measure
    from bench.pages import first_town

    pages, subjects, exports, checks = _prepare(env)
    change = measure.Change(first_town().pk)
    connection.close()
    speed = [common.measure_python_speed()]
    workers = 2 * (os.cpu_count() or 1) + 1
    server = common.start_gunicorn(env, port, workers)
    database = dsn.rsplit("/", 1)[-1]
    bench = measure.Bench(
        sessions=load.Sessions(f"http://127.0.0.1:{port}", common.PASSWORD),
        cache=measure.Cache(env["REDIS_URL"]),
        change=change,
        processes=measure.Processes(server, dsn.rsplit("/", 1)[0] + "/postgres", database),
        requests=requests,
    )
    results = []
    try:
        for page in pages:
            figures = measure.measure_page(page, bench)
            results.append(_row(page, figures, dsn, sql_runs))
            print(f"{page.key}: {figures['c1_p50']:.0f} / {figures['c1_p95']:.0f} ms", flush=True)
    finally:
        change.undo()
        bench.processes.close()
        server.terminate()
        server.wait(timeout=20)
    speed.append(common.measure_python_speed())
    return {
        "database": database,
        "workers": workers,
        "python_speed": speed,
        "subjects": subjects,
        "changes": change.made,
        **checks,
        "pages": results,
        "export_memory": measure.export_memory(env, port + 1, pages[-1].user, exports),
    }


def _row(page, figures: dict, dsn: str, sql_runs: int) -> dict:
    from bench.common import time_sql

    raw = time_sql(dsn, page.sql, sql_runs) if page.sql else []
    return {
        "key": page.key,
        "title": page.title,
        "url": page.url,
        "user": page.user,
        "kind": page.kind,
        "target_ms": page.target_ms,
        "rows": page.rows,
        "queries": len(page.sql),
        "sql_p50": percentile(raw, 0.5) * 1000 if raw else None,
        **figures,
    }
