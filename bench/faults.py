"""Faults under load: Redis stopped, a Celery worker killed mid-sweep, the database restarted.

    .venv/bin/python bench/faults.py [redis] [worker] [database] [--window]   (all three by default)

Nothing here touches the shared services: Redis runs as a throwaway redis-server on port 6390,
the database faults use a throwaway PostgreSQL cluster on port 5440 (initdb as the postgres
user), mail goes to a fake SMTP server on 127.0.0.1. Results go to bench/RESULTS.md.

* redis — officers file while Redis is stopped, and the sweep runs while it is stopped: filings
  succeed, deliveries stay pending; Redis back, the next sweep queues them and a worker sends
  each exactly once.
* worker — a worker is SIGKILLed while it sends a sweep's mail; a new worker and the next
  sweep send what was left. The SMTP server counts every message it accepted and every distinct
  Message-ID: a message sent again carries its first Message-ID, so it is one to the mailbox.
  With --window the kill lands in the window no claim can close: the server accepted a message
  and holds the worker's QUIT, so the row cannot have been marked sent; the message must go again
  under the same Message-ID.
* database — PostgreSQL is restarted while officers file: requests fail for a moment, the
  officers retry with the same idempotency key, every confirmed filing is in the database
  once, and the site answers again without restarting gunicorn (CONN_HEALTH_CHECKS).

The sweep only re-queues deliveries pending for 2 minutes and claims older than 10 minutes;
instead of waiting, the script moves those rows' timestamps back (the only shortcut taken; the
worker scenario moves only the claims' and waits out the 2 minutes).
"""

import argparse
import email
import os
import shutil
import signal
import sys
import textwrap
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, bench_env, manage, start_gunicorn, write_section
from bench.fault_services import (
    Cluster,
    Mailbox,
    Redis,
    age_claims,
    age_deliveries,
    deliveries,
    demo_town,
    sweep,
    wait_until,
    worker,
)
from bench.load_officers import Fleet, count, fresh_database, seed, summary_rows

WEB_PORT = 8796


def duplicates(messages: list[str]) -> int:
    """Messages accepted more than once: the same recipient, subject and text (the Date
    differs between two sends of one delivery)."""
    seen = Counter(content(email.message_from_string(raw)) for raw in messages)
    return sum(n - 1 for n in seen.values() if n > 1)


@dataclass
class Tally:
    raw: int  # messages the SMTP server accepted
    message_ids: int  # distinct Message-IDs among them: messages as a mailbox counts them
    repeats: int  # accepted again under a Message-ID already seen: a mailbox keeps one
    new_id_copies: int  # the same recipient, subject and text under another Message-ID


def tally(messages: list[str]) -> Tally:
    parsed = [email.message_from_string(raw) for raw in messages]
    ids = {m["Message-ID"] for m in parsed}
    by_content = defaultdict(set)
    for message in parsed:
        by_content[content(message)].add(message["Message-ID"])
    new_id_copies = sum(len(group) - 1 for group in by_content.values())
    return Tally(len(parsed), len(ids), len(parsed) - len(ids), new_id_copies)


def content(message) -> tuple:
    parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return message["To"], message["Subject"], parts[0].get_payload(decode=True) if parts else b""


# --- the scenarios ------------------------------------------------------------------------------


def redis_down(server: str) -> str:
    redis = Redis()
    database_url = fresh_database(server, "gw_faults_redis")
    env = {**bench_env(database_url), "REDIS_URL": redis.url, "MEDIA_ROOT": str(OUT / "fm")}
    ids = seed(env, 10)
    demo_town(env)
    redis.start()
    web = start_gunicorn(env, WEB_PORT, workers=3)
    with Mailbox() as mailbox:
        env_mail = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mailbox.controller.port)}
        try:
            fleet = Fleet(f"http://127.0.0.1:{WEB_PORT}", ids["officers"], ids["items"])
            fleet.start()
            time.sleep(5)
            redis.stop()
            time.sleep(10)  # officers keep filing with Redis down
            sweep_output = sweep(env_mail)  # the sweep runs with Redis down
            time.sleep(5)
            fleet.stop()
            pending = deliveries(database_url)
            redis.start()
            age_deliveries(database_url)
            sweep(env_mail)  # Redis back: the next sweep queues what waits
            celery = worker(env_mail)
            sent = wait_until(lambda: set(deliveries(database_url)) == {"sent"})
            celery.terminate()
            celery.wait(timeout=30)
        finally:
            web.terminate()
            web.wait(timeout=30)
            redis.stop()
        counted = count(database_url, fleet.stats, [o["username"] for o in ids["officers"]])
        final = deliveries(database_url)
        extra = duplicates(mailbox.received)
        messages = len(mailbox.received)
    could_not_queue = "could not queue" in sweep_output
    ok = (
        sent
        and not counted.lost
        and not counted.duplicated_keys
        and not fleet.stats.gave_up
        and messages == final["sent"]
        and not extra
        and could_not_queue
    )
    return f"""
### Redis stopped while officers file and while the sweep runs

10 officers file for 20 s; Redis (a throwaway redis-server) is stopped after 5 s. The sweep
(`manage.py send_reminders`) runs while it is down, on the demo town (60 premises, every user
with an email address). Redis is started again, the pending deliveries' timestamps moved back
past the sweep's 2-minute wait, the sweep run again, and a worker started.

| figure | value |
|---|---|
| sweep with Redis down | exit 0, "could not queue delivery" logged: {could_not_queue} |
| email deliveries after that sweep | {dict(pending)} |
| email deliveries at the end | {dict(final)} |
| messages accepted by the SMTP server | {messages} |
| messages accepted twice | {extra} |
{summary_rows(fleet.stats, counted, 20).strip().split(chr(10), 2)[2]}

Result: {"passed" if ok else "FAILED"}.
"""


def worker_killed(server: str, window: bool = False) -> str:
    redis = Redis()
    database_url = fresh_database(server, "gw_faults_worker")
    env = {**bench_env(database_url), "REDIS_URL": redis.url, "MEDIA_ROOT": str(OUT / "fm")}
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    demo_town(env)
    redis.start()
    in_window = False
    with Mailbox(delay=0.3, hold_at=3 if window else 0) as mailbox:
        env_mail = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mailbox.controller.port)}
        try:
            first = worker(env_mail)
            time.sleep(3)
            sweep(env_mail)  # queues every delivery; the worker starts sending (slowly)
            swept = time.monotonic()
            if window:
                # The 3rd message is accepted and its worker waits for the answer to QUIT.
                in_window = mailbox.holding.wait(60)
            else:
                wait_until(lambda: len(mailbox.received) >= 3, 60)
                time.sleep(0.15)  # half way through the next messages' RCPT
            first.send_signal(signal.SIGKILL)
            first.wait()
            mailbox.released.set()
            at_kill = deliveries(database_url)
            received_at_kill = len(mailbox.received)
            age_claims(database_url)  # the dead worker's claims go stale
            time.sleep(max(0.0, swept + 125 - time.monotonic()))  # the sweep's 2-minute wait
            second = worker(env_mail)
            time.sleep(3)
            sweep(env_mail)
            done = wait_until(lambda: set(deliveries(database_url)) == {"sent"}, 240)
            second.terminate()
            second.wait(timeout=30)
        finally:
            redis.stop()
        final = deliveries(database_url)
        counted = tally(mailbox.received)
    skipped = not done or set(final) != {"sent"}
    one_per_delivery = counted.message_ids == final["sent"] and not counted.new_id_copies
    if skipped:
        verdict = "FAILED: deliveries left unsent"
    elif not one_per_delivery:
        verdict = "FAILED: a delivery reached the mailbox as more than one message"
    elif window and not (in_window and counted.repeats):
        verdict = "FAILED: the kill missed the window it was meant to force"
    elif counted.repeats:
        verdict = (
            f"passed: every delivery sent; {counted.repeats} message(s) accepted again after the "
            "kill, each under the Message-ID of its first copy, so one message per delivery in "
            "the mailbox"
        )
    else:
        verdict = "passed: every delivery sent, none twice"
    how = (
        "SMTP server that takes 0.3 s at RCPT. When the 3rd message has been accepted, the server "
        "holds that session's QUIT: its worker has the server's 250 reply to DATA and cannot yet "
        "have marked the delivery sent. The worker is SIGKILLed there (`--window`), with its other "
        "threads half way through their messages' RCPT."
        if window
        else "SMTP server that takes 0.3 s at RCPT. Once 3 messages are in, while the next are on "
        "their way, the worker is SIGKILLed."
    )
    setup = textwrap.fill(
        "The sweep queues the demo town's reminders (60 premises); a worker (4 threads) sends "
        f"them to an {how} The dead worker's claims are aged past the 10-minute claim timeout; "
        "the script waits out the sweep's 2 minutes before it queues a delivery again (creation "
        "times are part of the Message-ID, so they are not moved), starts a new worker and runs "
        "the sweep again.",
        width=96,
    )
    return f"""
### A worker killed mid-sweep

{setup}

| figure | value |
|---|---|
| email deliveries when the worker was killed | {dict(at_kill)} |
| messages accepted by then | {received_at_kill} |
| email deliveries at the end | {dict(final)} |
| messages accepted in all (raw) | {counted.raw} |
| distinct Message-IDs among them | {counted.message_ids} |
| accepted again under a Message-ID already seen | {counted.repeats} |
| the same recipient, subject and text under a new Message-ID | {counted.new_id_copies} |

Result: {verdict}.

A worker killed between the SMTP server's "250 accepted" and the database update leaves a claim
that looks like one that died before sending, so the message goes again when the claim is
retaken (at-least-once in that window). Every attempt carries the delivery's own Message-ID
(`<delivery.<id>.<hash of key and creation time>@<SITE_URL host>>`), so the copy is the same
message: mailboxes that deduplicate (Gmail does) keep one copy per Message-ID.
WeCom webhooks take no id: see README, "Reminders".
"""


def database_restarted() -> str:
    cluster = Cluster()
    cluster.start()
    try:
        database_url = fresh_database(cluster.server, "gw_faults_db")
        env = {**bench_env(database_url), "MEDIA_ROOT": str(OUT / "fm")}
        env.pop("REDIS_URL", None)
        ids = seed(env, 20)
        web = start_gunicorn(env, WEB_PORT, workers=3)
        base = f"http://127.0.0.1:{WEB_PORT}"
        try:
            fleet = Fleet(base, ids["officers"], ids["items"])
            fleet.start()
            time.sleep(10)
            restarted_at = time.monotonic()
            cluster.restart()
            down_for = time.monotonic() - restarted_at
            healthy = wait_until(lambda: requests.get(f"{base}/healthz", timeout=5).ok, 60)
            recovered_after = time.monotonic() - restarted_at
            time.sleep(15)
            fleet.stop()
            page = fleet.sessions[0].get(f"{base}/premises/", timeout=30).status_code
        finally:
            web.terminate()
            web.wait(timeout=30)
        counted = count(database_url, fleet.stats, [o["username"] for o in ids["officers"]])
    finally:
        cluster.destroy()
    ok = healthy and page == 200 and not counted.lost and not counted.duplicated_keys
    ok = ok and not fleet.stats.gave_up and not counted.wrong_photos
    return f"""
### The database restarted under load

20 officers file against a throwaway PostgreSQL cluster (port 5440); after 10 s it is restarted
(`pg_ctl restart -m fast`, {down_for:.1f} s) while they file, then they go on for 15 s.
gunicorn is not touched.

| figure | value |
|---|---|
| /healthz answers 200 again after | {recovered_after:.1f} s |
| "My premises" after the restart | HTTP {page} |
{summary_rows(fleet.stats, counted, 25 + down_for).strip().split(chr(10), 2)[2]}

Request errors during the restart are expected: each was retried with the same idempotency key.
Result: {"passed: nothing lost, nothing twice, pages back by themselves" if ok else "FAILED"}.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenarios", nargs="*", default=["redis", "worker", "database"])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--window",
        action="store_true",
        help="worker: kill the worker after the SMTP server accepted a message, before the "
        "delivery can be marked sent",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ.pop("REDIS_URL", None)
    server = args.server.rstrip("/")
    parts = []
    for name in args.scenarios:
        run, title = {
            "redis": (lambda: redis_down(server), "Faults: Redis stopped"),
            "worker": (
                lambda: worker_killed(server, window=args.window),
                "Faults: a worker killed mid-sweep",
            ),
            "database": (database_restarted, "Faults: the database restarted under load"),
        }[name]
        part = run()
        print(part)
        parts.append(part)
        body = part.strip().split("\n", 1)[1]  # the section title replaces the ### line
        flags = " --window" if args.window and name == "worker" else ""
        command = f".venv/bin/python bench/faults.py {name}{flags}"
        write_section(title, f"Command: `{command}`\n{body}")
    shutil.rmtree(OUT / "fm", ignore_errors=True)
    sys.exit(0 if all("FAILED" not in part for part in parts) else 1)


if __name__ == "__main__":
    main()
