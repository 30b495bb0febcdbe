"""What both benchmarks need: a throwaway PostgreSQL database and a description of the machine."""

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def admin_connection(server_url: str):
    """A connection to the server's `postgres` database, to create and drop others."""
    import psycopg

    return psycopg.connect(f"{server_url}/postgres", autocommit=True)


def database_create(server_url: str, name: str) -> None:
    """A fresh, empty database `name` (dropped first if it exists)."""
    with admin_connection(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(server_url: str, name: str) -> None:
    with admin_connection(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine() -> dict[str, str]:
    """The processor, cores, memory, load, system and commit the figures come from."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    mhz = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("cpu MHz")]
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    ram_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    return {
        "cpu": f"{models[0] if models else platform.processor()}" + (f" @ {float(mhz[0]):.0f} MHz" if mhz else ""),
        "cores": f"{len(models)} (os.cpu_count {os.cpu_count()}, usable {len(os.sched_getaffinity(0))})",
        "ram": f"{ram_kb / 1024 / 1024:.1f} GiB",
        "load": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "os": f"{platform.system()} {platform.release()}",
        "commit": commit.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else ""),
    }
