"""Queries and in-process time of one request of each kind — the bare view, an online intake, a
public look-up — through Django's test client (no HTTP, no gunicorn), on the benchmark's database.
`bench/onestop.py` runs it with its environment once the server is stopped; by hand:

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=postgresql://…/communeos_bench \\
        .venv/bin/python -m bench.inprocess [--show-queries] [--profile N]

The last line printed is JSON: {"bare": {"queries": 0, "median_ms": 0.4, "n": 30}, …}.
"""

import argparse
import cProfile
import json
import pstats
import secrets
import statistics
import time

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.onestop import COMMUNES, HOST, INTAKE_PATH, PDF_MARK, PROCEDURE, blank_pdf  # noqa: E402
from communeos.onestop import selectors  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30, help="requests timed per kind (30)")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one intake")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N intakes (cProfile)")
    args = parser.parse_args()

    client = Client(HTTP_HOST=HOST)
    procedure = selectors.procedure_by_code(PROCEDURE)
    papers = [p.pk for p in procedure.current_versions[0].papers.all() if p.required]
    pdf = blank_pdf()
    run = secrets.token_hex(4)
    counter = iter(range(10**9))

    def intake():
        i = next(counter)
        data = {
            "procedure": PROCEDURE,
            "commune": COMMUNES[i % len(COMMUNES)],
            "applicant_name": "Hoàng Thị Lan",
            "applicant_id_number": f"020191{i % 1_000_000:06d}",
            "applicant_phone": "0912345678",
            "applicant_address": "Thôn Bản Chu, xã Lộc Bình, tỉnh Lạng Sơn",
            "consent": "true",
        }
        for n, paper in enumerate(papers):
            unique = f"{run}{n}{i:015d}".encode()[: len(PDF_MARK)].ljust(len(PDF_MARK), b"0")
            data[f"paper_{paper}"] = SimpleUploadedFile(f"p{paper}.pdf", pdf.replace(PDF_MARK, unique))
        return client.post(INTAKE_PATH, data, headers={"Idempotency-Key": f"inprocess-{run}-{i}"}), 201

    response, expected = intake()
    check(response, expected)
    code = response.json()["code"]
    kinds = {
        "bare": lambda: (client.get("/bench/ok"), 200),
        "intake": intake,
        "lookup": lambda: (client.get(f"{INTAKE_PATH}{code}/"), 200),
    }
    out = {}
    for name, request in kinds.items():
        for _n in range(len(COMMUNES) if name == "intake" else 1):
            check(*request())  # warm: the first request of a kind (per commune) fills the per-process caches
        statements: list[tuple[float, str]] = []
        with connection.execute_wrapper(Recorder(statements)):
            check(*request())
        if name == "intake" and args.show_queries:
            for number, (seconds, sql) in enumerate(statements, 1):
                print(f"{number:3d} {1000 * seconds:6.2f} ms  {sql[:300]}")
        times = []
        for _n in range(args.n):
            started = time.perf_counter()
            check(*request())
            times.append(time.perf_counter() - started)
        out[name] = {"queries": len(statements), "median_ms": 1000 * statistics.median(times), "n": args.n}

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _n in range(args.profile):
            check(*intake())
        profile.disable()
        stats = pstats.Stats(profile).strip_dirs()
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    print(json.dumps(out))


class Recorder:
    """Every statement Django sends (savepoints included; the implicit BEGIN is not one)."""

    def __init__(self, statements: list[tuple[float, str]]):
        self.statements = statements

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((time.perf_counter() - started, sql))


def check(response, expected: int) -> None:
    if response.status_code != expected:
        raise SystemExit(f"HTTP {response.status_code} (expected {expected}): {response.content[:500]!r}")


if __name__ == "__main__":
    main()
