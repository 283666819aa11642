"""First-load weight of the grid officer's pages, and what working without signal adds to it.

    .venv/bin/python bench/page_weight.py [--premises 300]

Runs gunicorn (one sync worker, DEBUG off: whitenoise serves hashed, gzip-compressed static
files) on a scratch SQLite database with one grid officer whose grid holds N operating premises,
and drives the system Chromium at 375×812:

1. Each officer page (my premises, a premises, the inspection form, the outbox) in a fresh
   browser context — empty cache, signed in — with the service worker blocked: the page's
   first load. Bytes are what came over the wire: headers + encoded body of every response
   (Playwright's `request.sizes()`, CDP's encodedDataLength), photos excluded (there are none).
2. My premises again with the service worker allowed, until the phone is ready for offline work
   (`data-offline-ready`); the worker's own requests (its script, the precache, the officer's
   bundle, the form shell) are counted through PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS.

Pages are gzipped by Django's GZipMiddleware and static files by whitenoise, so "sent" is what a
phone downloads. Budgets (docs/decisions.md, Targets): each page ≤ 150 KB gzip on first load;
the service worker adds ≤ 30 KB.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Before Playwright starts its driver: let the context see the service worker's requests.
os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

import requests

from bench.common import OUT, bench_env, manage, start_gunicorn, write_section

PORT = 8793
CHROMIUM = "/usr/bin/chromium"
# What exists only for working without signal: its scripts, manifest, icons, data and shell.
FEATURE = re.compile(
    r"/(sw\.js|manifest\.webmanifest|offline/bundle\.json|offline/shell/)"
    r"|/static/(js/(offline|outbox|offline-shell)|icons/)"
)
PAGE_BUDGET = 150 * 1024
HEADER = (
    "| page | requests | sent (gzip) | of which HTML (size → sent) | icon font "
    "| offline scripts + manifest | ≤ 150 KB |\n|---|---|---|---|---|---|---|"
)
SW_BUDGET = 30 * 1024
SETUP = """
import json, random
from accounts.models import User
from accounts.roles import Role
from django.contrib.auth.models import Group
from grids.models import Grid, Town, Village
from premises.models import BusinessType, Premises, Tag
random.seed(7)
officer, _ = User.objects.get_or_create(username="weight-officer", defaults={"full_name": "李网格"})
officer.set_password("gridwatch-demo"); officer.save()
officer.groups.add(Group.objects.get(name=Role.GRID_OFFICER))
town, _ = Town.objects.get_or_create(code="WEIGHT", defaults={"name": "称重镇"})
village, _ = Village.objects.get_or_create(
    code="WEIGHT-V", defaults={"town": town, "name": "东岭村"})
grid, _ = Grid.objects.get_or_create(
    code="WEIGHT-G", defaults={"village": village, "name": "第一网格"})
grid.officers.add(officer)
types, tags = list(BusinessType.objects.all()), list(Tag.objects.all())
for n in range(N - grid.premises.count()):
    p = Premises.objects.create(
        name=f"东岭小店{n:03d}号", address=f"东岭村振兴路{n + 1}号", grid=grid,
        business_type=random.choice(types), operator_name="张三", operator_phone="13812345678")
    p.tags.set(random.sample(tags, random.randint(0, 2)))
food = Premises.objects.filter(grid=grid).order_by("pk").first()
food.business_type = BusinessType.objects.get(code="FOOD"); food.save()
food.tags.set(Tag.objects.filter(code__in=["USES_LPG", "SLEEPING"]))
print(json.dumps({"premises": food.pk}))
"""


def sign_in(browser, base: str) -> dict:
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "weight-officer")
    page.fill("input[name=password]", "gridwatch-demo")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    state = context.storage_state()
    context.close()
    return state


def load(browser, state: dict, url: str, *, service_workers: str) -> list[dict]:
    """Every response of a first load, with its bytes over the wire."""
    context = browser.new_context(
        storage_state=state,
        service_workers=service_workers,
        # wait_for_function evaluates its predicate, which the page's CSP forbids; bypassing the
        # CSP changes no byte on the wire.
        bypass_csp=True,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        locale="zh-CN",
    )
    seen = []
    context.on("requestfinished", lambda request: seen.append(request))
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    if service_workers == "allow":
        page.wait_for_function(
            "document.documentElement.dataset.offlineReady === 'yes'"
            " && navigator.serviceWorker.controller !== null",
            timeout=30_000,
        )
        page.wait_for_load_state("networkidle")
    rows = []
    for request in seen:
        response = request.response()
        if response is not None and response.from_service_worker:
            continue  # answered by the worker: its own request (if any) is counted
        sizes = request.sizes()
        body = response.body() if response is not None else b""
        rows.append(
            {
                "url": request.url,
                "type": request.resource_type,
                "worker": request.service_worker is not None,
                "bytes": sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0),
                "html": len(body) if request.resource_type == "document" else 0,
            }
        )
    context.close()
    return rows


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def page_row(name: str, rows: list[dict]) -> tuple[str, float, float]:
    total = sum(r["bytes"] for r in rows)
    html = sum(r["html"] for r in rows)
    html_sent = sum(r["bytes"] for r in rows if r["type"] == "document")
    font = sum(r["bytes"] for r in rows if r["type"] == "font")
    ours = sum(r["bytes"] for r in rows if FEATURE.search(r["url"]))
    ok = "yes" if total <= PAGE_BUDGET else "NO"
    line = (
        f"| {name} | {len(rows)} | **{kb(total)}** | {kb(html)} → {kb(html_sent)} "
        f"| {kb(font)} | {kb(ours)} | {ok} |"
    )
    return line, total, total - font


def feature_rows(rows: list[dict]) -> tuple[list[str], float]:
    """The requests made for working without signal (by the page or the worker), and the
    static files the worker fetched again (0 when they came from the HTTP cache)."""
    groups: dict[str, float] = {}
    for r in rows:
        if not (FEATURE.search(r["url"]) or r["worker"]):
            continue
        path = "/" + r["url"].split("://", 1)[1].split("/", 1)[1].split("?")[0]
        key = f"{path} ({'worker' if r['worker'] else 'page'})"
        groups[key] = groups.get(key, 0) + r["bytes"]
    ordered = sorted(groups.items(), key=lambda kv: -kv[1])
    return [f"| `{k}` | {kb(v)} |" for k, v in ordered], sum(groups.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--premises", type=int, default=300)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    scratch = OUT / "page_weight.sqlite3"
    scratch.unlink(missing_ok=True)
    env = bench_env(f"sqlite:///{scratch}")
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput")
    setup = SETUP.replace("N - grid", f"{args.premises} - grid")
    ids = json.loads(manage(env, "shell", "-c", setup).strip().splitlines()[-1])
    server = start_gunicorn(env, PORT)
    base = f"http://127.0.0.1:{PORT}"
    manifest_bytes = len(requests.get(f"{base}/manifest.webmanifest", timeout=10).content)
    pages = {
        "My premises `/premises/`": "/premises/",
        "A premises `/premises/<pk>/`": f"/premises/{ids['premises']}/",
        "Inspection form `/premises/<pk>/inspect/`": f"/premises/{ids['premises']}/inspect/",
        "Outbox `/offline/outbox/`": "/offline/outbox/",
    }
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            state = sign_in(browser, base)
            lines, worst, worst_fontless = [], 0.0, 0.0
            for name, path in pages.items():
                line, gzipped, fontless = page_row(
                    name, load(browser, state, base + path, service_workers="block")
                )
                lines.append(line)
                worst, worst_fontless = max(worst, gzipped), max(worst_fontless, fontless)
            blocked = load(browser, state, base + "/premises/", service_workers="block")
            allowed = load(browser, state, base + "/premises/", service_workers="allow")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    added = sum(r["bytes"] for r in allowed) - sum(r["bytes"] for r in blocked)
    feature_lines, feature = feature_rows(allowed)
    data = sum(r["bytes"] for r in allowed if "/offline/" in r["url"] and not r["worker"])
    code = feature - data
    body = f"""
Command: `.venv/bin/python bench/page_weight.py --premises {args.premises}`
(gunicorn, 1 sync worker, DEBUG off, whitenoise gzip; Chromium 375×812; SQLite).

One grid officer, one grid of {args.premises} operating premises (reference business types and
tags). Each page loaded once in a fresh browser context (empty cache, signed in), service worker
blocked. Bytes over the wire: headers + encoded (gzip) body of every response.

{HEADER}
{chr(10).join(lines)}

What working without signal costs on the first visit to My premises, service worker allowed,
until the phone is ready for offline work — everything the feature fetched, by the page or by
the worker:

| request | bytes |
|---|---|
{chr(10).join(feature_lines)}

- code (worker, `offline.js`, `outbox.js`, `offline-shell.js`, icon): **{kb(code)}**
  (headless Chromium does not fetch the manifest; it is {manifest_bytes} bytes)
  (budget 30 KB: {"met" if code <= SW_BUDGET else "NOT met"});
- the officer's offline data for {args.premises} premises (bundle + form shell): **{kb(data)}**;
- in all **{kb(feature)}**; the first load with the worker minus the same load with it
  blocked: {kb(added)} (the scripts and the manifest are loaded in both).

Static files the page already loaded come from the HTTP cache when the worker keeps them
(whitenoise marks hashed files immutable). The bundle is revalidated with its ETag on later
page loads (a 304 of a few hundred bytes when nothing changed); the shell is fetched again only
when the checklist or the language changes.

Page budget (≤ 150 KB gzip on first load): {"met" if worst <= PAGE_BUDGET else "NOT met"}
(heaviest page {kb(worst)}; {kb(worst_fontless)} without the icon font). The icon font is
the subset of Bootstrap Icons the templates use (`scripts/subset_icons.py`, ~5 KB instead of
the whole 131 KB font), and pages are gzipped by Django's GZipMiddleware.
"""
    write_section("Offline: page weight", body)
    print(body)


if __name__ == "__main__":
    main()
