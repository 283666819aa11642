"""Registry import of 10,000 rows from a GBK CSV, through the web pages, end to end.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--database-url URL]

Runs gunicorn (one sync worker, DEBUG off) on a scratch database with the reference data and a
town of 4 villages and 12 grids, signs in as a registry admin and times, from the client on
127.0.0.1:

1. a new town list: upload (the file is checked), dry run (every row validated and matched),
   apply (validated again, then written in one transaction) — every row a new premises;
2. the same list again with every operator's phone changed: every row an update, each saved
   with its history row and its risk colour recomputed;
3. `manage.py recompute_risk` over the premises just imported, then over 100,000 premises
   (copies of them added in bulk, every colour reset to blue so most change).

Target (docs/decisions.md, Targets): importing 10,000 rows, dry run included, under 30 s.
"""

import argparse
import csv
import io
import json
import random
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, bench_env, login, manage, start_gunicorn, write_section
from premises.validators import credit_code_check_char

PORT = 8793
TARGET_SECONDS = 30
HEADERS = [
    "名称",
    "地址",
    "村(社区)",
    "网格",
    "业态",
    "标签",
    "统一社会信用代码",
    "经营者",
    "联系电话",
    "建筑面积",
    "层数",
    "从业人数",
    "承诺书签订日期",
    "保险公司",
    "保单号",
    "保险到期日",
]
VILLAGES = ["东岭村", "西塘村", "南湖社区", "北山村"]
SETUP = (
    f"villages = {json.dumps(VILLAGES, ensure_ascii=False)}\n"
    + """
from accounts.models import User
from accounts.roles import Role
from django.contrib.auth.models import Group
from grids.models import Grid, Town, Village
admin, _ = User.objects.get_or_create(username="bench-registry")
admin.set_password("gridwatch-demo"); admin.save()
admin.groups.add(Group.objects.get(name=Role.REGISTRY_ADMIN))
town, _ = Town.objects.get_or_create(code="BENCH", defaults={"name": "基准镇"})
for v, name in enumerate(villages):
    village, _ = Village.objects.get_or_create(code=f"BV{v}", defaults={"town": town, "name": name})
    for g in range(3):
        Grid.objects.get_or_create(
            code=f"BV{v}-{g}", defaults={"village": village, "name": f"第{g + 1}网格"})
print("ok")
"""
)
GROW = """
import secrets
from premises.models import Premises
rows = list(Premises.objects.values("name", "address", "grid_id", "business_type_id")[:1000])
copies = [
    Premises(name=f"{r['name']}-{n}", address=r["address"], grid_id=r["grid_id"],
             business_type_id=r["business_type_id"], qr_token=secrets.token_urlsafe(16))
    for n in range(max(0, %d - Premises.objects.count())) for r in [rows[n %% len(rows)]]
]
Premises.objects.bulk_create(copies, batch_size=2000)
Premises.objects.update(risk_level="blue")
print(Premises.objects.count())
"""
TYPES = ["小餐饮", "SHOP", "小旅馆", "WORKSHOP", "RENTAL", "民宿", "STALL", "小网吧"]
TAGS = ["", "", "", "USES_LPG", "三合一", "使用管道燃气、EBIKE_CHARGING", "有人员住宿|USES_LPG"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
SHOPS = ["小吃", "便利店", "五金店", "理发店", "快餐", "面馆", "超市", "网吧", "民宿", "加工坊"]


def town_list(rows: int, phone_offset: int = 0) -> bytes:
    """A town's list as Chinese Excel saves it: GBK, CRLF. Six in ten rows carry a credit code."""
    rng = random.Random(2026)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for n in range(rows):
        code = ""
        if rng.random() < 0.6:
            first17 = f"9133010{n:010d}"
            code = first17 + credit_code_check_char(first17)
        surname = rng.choice(SURNAMES)
        writer.writerow(
            [
                f"{surname}记{rng.choice(SHOPS)}{n}",
                f"振兴路{n}号",
                VILLAGES[n % len(VILLAGES)],
                f"第{n % 3 + 1}网格",
                rng.choice(TYPES),
                rng.choice(TAGS),
                code,
                f"{surname}{rng.choice('建国海燕志强美华晓东')}",
                f"138{(n + phone_offset) % 100_000_000:08d}",
                f"{rng.randint(20, 400)}.5",
                str(rng.randint(1, 4)),
                str(rng.randint(1, 30)),
                # Signed in the past: the form refuses a commitment date after today.
                f"2025/{rng.randint(1, 12)}/{rng.randint(1, 28)}" if rng.random() < 0.7 else "",
                rng.choice(["人保财险", "平安产险", ""]),
                f"PZ{n:08d}",
                f"2027-{rng.randint(1, 12):02d}-15",
            ]
        )
    return out.getvalue().encode("gbk")


def timed_import(session, base: str, data: bytes, name: str, expect: str) -> dict:
    """Upload, dry run and apply one file; seconds of each step."""
    started = time.perf_counter()
    response = session.post(
        f"{base}/registry/import/", files={"file": (name, data, "text/csv")}, allow_redirects=False
    )
    assert response.status_code == 302, response.text[:3000]
    preview_url = base + response.headers["Location"]
    uploaded = time.perf_counter()
    response = session.get(preview_url)
    assert response.status_code == 200 and f'data-count="{expect}">' in response.text
    assert 'data-count="refused">0<' in response.text, "the bench file has refused rows"
    previewed = time.perf_counter()
    response = session.post(preview_url + "apply/", allow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/registry/")
    applied = time.perf_counter()
    return {
        "upload": uploaded - started,
        "dry run": previewed - uploaded,
        "apply": applied - previewed,
        "total": applied - started,
    }


def port_is_free(port: int) -> bool:
    """A server left on the port would answer in place of the one this run starts."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--county", type=int, default=100_000, help="premises for recompute_risk")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if not port_is_free(PORT):
        sys.exit(f"Port {PORT} is taken (a server left by an earlier run?): stop it first.")
    OUT.mkdir(parents=True, exist_ok=True)
    database_url = args.database_url
    if not database_url:
        scratch = OUT / "import.sqlite3"
        for leftover in OUT.glob("import.sqlite3*"):
            leftover.unlink()
        database_url = f"sqlite:///{scratch}"
    env = bench_env(database_url)
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference")
    manage(env, "collectstatic", "--noinput")
    manage(env, "shell", "-c", SETUP)
    first, second = town_list(args.rows), town_list(args.rows, phone_offset=1)
    server = start_gunicorn(env, PORT)
    try:
        base = f"http://127.0.0.1:{PORT}"
        session = login(base, "bench-registry", "gridwatch-demo")
        session.get(f"{base}/registry/import/")  # warm the worker up
        created = timed_import(session, base, first, "town-list.csv", "create")
        updated = timed_import(session, base, second, "town-list-2.csv", "update")
    finally:
        server.terminate()
        server.wait(timeout=10)
    counts = json.loads(
        manage(
            env,
            "shell",
            "-c",
            "import json; from premises.models import Premises; "
            "print(json.dumps({'premises': Premises.objects.count(), "
            "'history': Premises.history.count()}))",
        ).splitlines()[-1]
    )
    recompute = timed_recompute(env)
    manage(env, "shell", "-c", GROW % args.county)
    county = timed_recompute(env)
    report(args, database_url, len(first), created, updated, counts, recompute, county)


def timed_recompute(env: dict) -> str:
    started = time.perf_counter()
    output = manage(env, "recompute_risk").strip()
    return f"{time.perf_counter() - started:.1f} s wall clock: {output}"


def report(args, database_url, size, created, updated, counts, recompute, county):
    verdict = "met" if max(created["total"], updated["total"]) < TARGET_SECONDS else "NOT met"
    rows = "\n".join(
        f"| {step} | {created[step]:.1f} s | {updated[step]:.1f} s |"
        for step in ("upload", "dry run", "apply", "total")
    )
    body = f"""
Command: `.venv/bin/python bench/import_bench.py --rows {args.rows}`
(gunicorn, 1 sync worker, DEBUG off, database `{database_url.split(":")[0]}`).

A GBK CSV of {args.rows:,} rows ({size / 1024 / 1024:.1f} MB; 16 columns, six in ten rows with a
credit code, tags by code and by name), imported through the registry pages as a registry
admin: upload (file checked), dry run (every row validated with the web form's validators and
matched to the registry), apply (validated again and written in one transaction). Then the same
list with every phone changed, so every row is an update saved with its own history row.
The import runs on `PremisesResource` (django-import-export: `docs/decisions.md`, Registry
import on django-import-export). Commitment dates are in 2025: the form refuses a date
after today. Timed from the client on 127.0.0.1.

| step | {args.rows:,} new premises | {args.rows:,} updates |
|---|---|---|
{rows}

Target: under {TARGET_SECONDS} s for the whole import, dry run included — {verdict}.
Afterwards: {counts["premises"]:,} premises, {counts["history"]:,} history rows.

`manage.py recompute_risk` (batches of 1,000, one short transaction each):

- over the {counts["premises"]:,} imported premises: {recompute}
- over {args.county:,} premises, every colour reset to blue first: {county}
"""
    write_section("Registry import", body)
    print(body)


if __name__ == "__main__":
    main()
