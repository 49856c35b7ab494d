"""`make bench`: seed a database, serve it with `didhub serve`, load it with wrk, print a table.

Every result is a ratio of two things measured in this same run, because the machines are
noisy and absolute numbers don't carry. SQLite always; PostgreSQL and MySQL/MariaDB when
DIDHUB_TEST_POSTGRES_URL / DIDHUB_TEST_MYSQL_URL are set (a database of its own is created on
that server and dropped afterwards).

    python bench/run.py [--quick] [--backends sqlite,postgres] [--save FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import httpx

from core.pagination import encode_cursor
from core.testing import _server_database

HERE = Path(__file__).resolve().parent
LUA_SCRIPT = HERE / "wrk" / "request.lua"
PLUGIN_SOURCE = HERE / "plugin"
BIN = Path(sys.executable).parent
SERVER_URL_VARIABLES = {"postgres": "DIDHUB_TEST_POSTGRES_URL", "mysql": "DIDHUB_TEST_MYSQL_URL"}

ADMIN = ("bench-admin", "bench-admin-password")
OWNER = ("bench-owner", "bench-owner-password")
# one account per signing-in client: concurrent sign-ins to one account trip the login throttle
LOGIN_CLIENTS = 20
LOGIN_PREFIX = "bench-login-"
LOGIN_PASSWORD = "bench-login-password"
PAGE = 50


@dataclass(frozen=True)
class Profile:
    seconds: int  # one wrk run of a throughput comparison
    rounds: int  # how often the sides of a comparison take turns (the machine's noise comes in bursts)
    latency_seconds: int  # one wrk run whose p99 is compared
    large: int  # alters in the large system
    small: int = 1000
    warmup: int = 1


FULL = Profile(seconds=3, rounds=3, latency_seconds=8, large=1_000_000)
QUICK = Profile(seconds=1, rounds=2, latency_seconds=2, large=100_000)


# --- wrk -------------------------------------------------------------------------------------


@dataclass
class Load:
    """What one or more wrk runs of the same request counted."""

    requests: int = 0
    seconds: float = 0.0
    status_errors: int = 0
    socket_errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, other: Load) -> Load:
        # percentiles of merged runs: the worse of them (a bound, not a recomputation)
        return Load(
            self.requests + other.requests,
            self.seconds + other.seconds,
            self.status_errors + other.status_errors,
            self.socket_errors + other.socket_errors,
            max(self.p50_ms, other.p50_ms),
            max(self.p99_ms, other.p99_ms),
        )


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get install -y wrk)", flush=True)
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL, check=True)
        subprocess.run(install, stdout=subprocess.DEVNULL, check=True)
    return shutil.which("wrk") or sys.exit("wrk is not on PATH after installing it")


@dataclass
class Driver:
    wrk_path: str
    workdir: Path

    def command(
        self,
        base: str,
        paths: list[str],
        *,
        seconds: int,
        connections: int,
        method: str = "GET",
        token: str = "",
        bodies: tuple[str, ...] = (),
    ) -> tuple[list[str], dict[str, str]]:
        env = {
            **os.environ,
            "BENCH_PATHS": self._lines_file(paths),
            "BENCH_BODIES": self._lines_file(bodies) if bodies else "",
            "BENCH_METHOD": method,
            "BENCH_TOKEN": token,
        }
        threads = 2 if connections >= 32 else 1
        command = [
            self.wrk_path, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(LUA_SCRIPT), base,
        ]
        return command, env

    def _lines_file(self, lines) -> str:
        path = self.workdir / f"wrk-{uuid.uuid4().hex[:8]}.txt"
        path.write_text("\n".join(lines) + "\n")
        return str(path)

    def run(self, base: str, paths: list[str], **options) -> Load:
        command, env = self.command(base, paths, **options)
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=options["seconds"] + 60)
        return parse_wrk(result)

    @contextlib.contextmanager
    def background(self, base: str, paths: list[str], **options) -> Iterator[subprocess.Popen]:
        """A wrk run going on while the body of the `with` runs other loads."""
        command, env = self.command(base, paths, **options)
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            yield process
        finally:
            process.wait(timeout=options["seconds"] + 60)


def parse_wrk(result: subprocess.CompletedProcess) -> Load:
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line.removeprefix("BENCH_JSON "))
            latency = data["latency_us"]
            return Load(
                data["requests"],
                data["duration_us"] / 1e6,
                data["status_errors"],
                data["socket_errors"],
                latency["p50"] / 1000,
                latency["p99"] / 1000,
            )
    raise RuntimeError(f"wrk printed no result (exit {result.returncode}): {result.stderr.strip() or result.stdout}")


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kib(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    return found


class Server:
    """A server process of our own, in a process group of its own (killed whole if it hangs)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], workdir: Path, port: int) -> None:
        self.name = name
        self.stop_problem = ""
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = workdir / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not start:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.2)

    def worker_pid(self) -> int:
        """The process that serves requests: uvicorn's with one worker, or granian's worker."""
        candidates = [self.process.pid, *descendants(self.process.pid)]
        return max(candidates, key=lambda pid: memory_kib(pid, "VmRSS"))

    def memory_mib(self, field_name: str) -> float:
        return memory_kib(self.worker_pid(), field_name) / 1024

    def reset_peak_memory(self) -> None:
        """Start VmHWM again from the current RSS (Linux's clear_refs 5), to see one load's peak."""
        Path(f"/proc/{self.worker_pid()}/clear_refs").write_text("5")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # to the server's own process, as a process manager would: it stops its workers itself
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            # say where it hangs before ending it
            dumps = [
                subprocess.run([str(BIN / "py-spy"), "dump", "--pid", str(pid)], capture_output=True, text=True).stdout
                for pid in [self.process.pid, *descendants(self.process.pid)]
            ] if (BIN / "py-spy").exists() else []
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.stop_problem = f"{self.name} did not stop within 5 s of SIGTERM and was killed"
            log_tail = self.log_path.read_text(errors="replace")[-2000:]
            print(
                f"bench: {self.stop_problem}; where it was:\n" + "\n".join(dumps) + f"\nits log ended:\n{log_tail}",
                file=sys.stderr,
                flush=True,
            )


def install_plugin(workdir: Path) -> Path:
    """pip-install the bench plugin into a folder of its own: on PYTHONPATH it is installed."""
    site = workdir / "site"
    source = workdir / "plugin-source"
    shutil.copytree(PLUGIN_SOURCE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(site), str(source)],
        check=True,
    )
    return site


def server_env(db_url: str, site: Path, workdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIDHUB_")}
    env.update(
        DIDHUB_DB=db_url,
        DIDHUB_RATE_LIMIT="0",
        DIDHUB_UPLOAD_DIR=str(workdir / "uploads"),
        DIDHUB_ADMIN_USERNAME=ADMIN[0],
        DIDHUB_ADMIN_PASSWORD=ADMIN[1],
        PYTHONPATH=str(site),
    )
    return env


def didhub(*args: str) -> list[str]:
    executable = BIN / "didhub"
    return [str(executable), *args] if executable.exists() else [sys.executable, "-m", "core", *args]


# --- the data --------------------------------------------------------------------------------


@dataclass
class Fixture:
    owner_token: str
    systems: dict[str, int]
    alters: dict[str, dict[str, int]] = field(default_factory=dict)


def login(api: httpx.Client, username: str, password: str) -> str:
    response = api.post("/api/v1/auth/login", json={"username": username, "password": password})
    response.raise_for_status()
    return response.json()["token"]


def prepare(base: str) -> Fixture:
    """The owner and its systems, through the API like any client."""
    with httpx.Client(base_url=base, timeout=60) as api:
        admin = {"Authorization": "Bearer " + login(api, *ADMIN)}
        api.post(
            "/api/v1/users", json={"username": OWNER[0], "password": OWNER[1], "is_system": True}, headers=admin
        ).raise_for_status()
        token = login(api, *OWNER)
        owner = {"Authorization": "Bearer " + token}
        systems = {}
        for name in ("main", "writes", "large"):
            response = api.post("/api/v1/systems", json={"name": f"bench {name}"}, headers=owner)
            response.raise_for_status()
            systems[name] = response.json()["id"]
    return Fixture(token, systems)


def seed(env: dict[str, str], workdir: Path, system_id: int, alters: int, *options: str) -> dict[str, int]:
    """Bulk-insert through the bench plugin's named queries; returns the system's id range."""
    result = subprocess.run(
        didhub("bench", "seed", "--system-id", str(system_id), "--alters", str(alters), *options),
        env=env, cwd=workdir, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def alter_ids(base: str, token: str, system_id: int) -> list[int]:
    """Every alter id of a system, read through the API (bulk inserts may leave gaps in ids)."""
    ids: list[int] = []
    cursor = None
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": "Bearer " + token}) as api:
        while True:
            params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
            response = api.get(f"/api/v1/systems/{system_id}/alters", params=params)
            response.raise_for_status()
            page = response.json()
            ids += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return ids


def deep_page_paths(system_id: int, alters: dict[str, int], count: int = 100) -> list[str]:
    """Cursors in the last tenth of the list, each with a full page after it (the last bulk
    INSERT's ids have no gaps)."""
    last_cursor = alters["last_id"] - PAGE
    first_cursor = max(alters["first_id"], last_cursor - alters["count"] // 10)
    chooser = random.Random(2)
    return [
        f"/api/v1/systems/{system_id}/alters?limit={PAGE}&cursor={encode_cursor(chooser.randint(first_cursor, last_cursor))}"
        for _ in range(count)
    ]


# --- one backend -----------------------------------------------------------------------------


@dataclass
class Results:
    backend: str
    loads: dict[str, Load] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _lap_started: float = field(default_factory=time.monotonic)

    def lap(self, phase: str) -> None:
        """Note how long the phase that ends now took (printed with the progress)."""
        now = time.monotonic()
        self.seconds[phase] = now - self._lap_started
        self._lap_started = now


def alternate(driver: Driver, profile: Profile, runs: dict[str, dict]) -> dict[str, Load]:
    """Run each load `profile.rounds` times, taking turns, and add up each one's counts."""
    totals = {name: Load() for name in runs}
    for _ in range(profile.rounds):
        for name, options in runs.items():
            totals[name] = totals[name].add(driver.run(seconds=profile.seconds, **options))
    return totals


def bench_backend(backend: str, db_url: str, profile: Profile, driver: Driver, site: Path, workdir: Path) -> Results:
    results = Results(backend)
    env = server_env(db_url, site, workdir)
    port = free_port()
    uvicorn = Server(f"{backend}-uvicorn", didhub("serve", "--port", str(port)), env, workdir, port)
    results.memory["idle"] = uvicorn.memory_mib("VmRSS")
    results.lap("start")
    servers = [uvicorn]
    try:
        fixture = prepare(uvicorn.base)
        token = fixture.owner_token
        main = seed(
            env, workdir, fixture.systems["main"], profile.small,
            "--accounts", LOGIN_PREFIX, "--count", str(LOGIN_CLIENTS), "--password", LOGIN_PASSWORD,
        )
        results.lap("setup")

        # 1. and the small half of 2.: the API against the reference, taking turns
        main_ids = alter_ids(uvicorn.base, token, fixture.systems["main"])
        read = {"base": uvicorn.base, "paths": [f"/api/v1/alters/{i}" for i in main_ids], "connections": 32, "token": token}
        reference = {"base": uvicorn.base, "paths": [f"/bench/reference/alters/{i}" for i in main_ids], "connections": 32}
        small_list = {**read, "paths": deep_page_paths(fixture.systems["main"], main)}
        driver.run(seconds=profile.warmup, **{**read, "paths": read["paths"] + reference["paths"] + small_list["paths"]})
        # creating the accounts hashed passwords: not part of the reads' peak
        uvicorn.reset_peak_memory()
        results.loads |= alternate(driver, profile, {"reference": reference, "get_alter": read, "list_small": small_list})
        results.memory["peak_reads"] = uvicorn.memory_mib("VmHWM")
        results.lap("reads")

        # 4. writes, each with its audit row
        create = {
            "base": uvicorn.base,
            "paths": [f"/api/v1/systems/{fixture.systems['writes']}/alters"],
            "method": "POST",
            "token": token,
            "bodies": tuple(
                json.dumps({"name": f"Bench write {number}", "description": "Written by the benchmark."}) for number in range(100)
            ),
        }
        write_seconds = profile.seconds * profile.rounds
        results.loads["create_alter"] = driver.run(seconds=write_seconds, connections=16, **create)
        if backend == "sqlite":
            results.loads["writers_50"] = driver.run(seconds=write_seconds, connections=50, **create)
        results.lap("writes")

        # 2. the large system, the small one again beside it (its pages must not read the other's
        # rows) and the reference again, to compare with the runs before whatever the machine did since
        large = seed(env, workdir, fixture.systems["large"], profile.large)
        results.lap("seeding")
        large_list = {**small_list, "paths": deep_page_paths(fixture.systems["large"], large)}
        driver.run(seconds=profile.warmup, **large_list)
        beside = alternate(driver, profile, {"reference": reference, "list_large": large_list, "list_small": small_list})
        results.loads["reference_beside_large"] = beside["reference"]
        results.loads["list_large"] = beside["list_large"]
        results.loads["list_small_beside_large"] = beside["list_small"]
        results.lap("lists")

        # 5. the same app under granian, taking turns with uvicorn on the same database
        port = free_port()
        granian = Server(
            f"{backend}-granian",
            [str(BIN / "granian"), "--interface", "asgi", "--factory", "--host", "127.0.0.1", "--port", str(port),
             "--workers", "1", "--log-level", "warning", "core.app:create_app"],
            env, workdir, port,
        )
        servers.append(granian)
        driver.run(seconds=profile.warmup, **{**read, "base": granian.base})
        served = alternate(driver, profile, {"uvicorn": read, "granian": {**read, "base": granian.base}})
        results.loads["server_uvicorn"], results.loads["server_granian"] = served["uvicorn"], served["granian"]
        results.memory["peak_granian"] = granian.memory_mib("VmHWM")
        stop(granian, results)
        results.lap("granian")

        # 3. p99 of reads at a fixed concurrency, alone and while 20 clients sign in over and over
        # (last: the server still works off queued sign-ins after wrk stops)
        quiet_reads = {**read, "connections": 16}
        login_bodies = tuple(
            json.dumps({"username": f"{LOGIN_PREFIX}{number}", "password": LOGIN_PASSWORD}) for number in range(LOGIN_CLIENTS)
        )
        results.loads["reads_quiet"] = driver.run(seconds=profile.latency_seconds, **quiet_reads)
        uvicorn.reset_peak_memory()
        with driver.background(
            uvicorn.base, ["/api/v1/auth/login"], seconds=profile.latency_seconds + 1, connections=LOGIN_CLIENTS,
            method="POST", bodies=login_bodies,
        ) as logins:
            time.sleep(0.5)  # the first sign-ins are hashing when the reads begin
            results.loads["reads_with_logins"] = driver.run(seconds=profile.latency_seconds, **quiet_reads)
        results.loads["logins"] = parse_wrk(subprocess.CompletedProcess(logins.args, logins.returncode, *logins.communicate()))
        results.memory["peak_logins"] = uvicorn.memory_mib("VmHWM")
        # one more sign-in waits behind those still queued in the server, so that it stops promptly
        with httpx.Client(base_url=uvicorn.base, timeout=120) as api:
            login(api, f"{LOGIN_PREFIX}0", LOGIN_PASSWORD)
        results.lap("sign-ins")
    finally:
        for server in servers:
            stop(server, results)
        results.lap("stop")
    return results


def stop(server: Server, results: Results) -> None:
    server.stop()
    if server.stop_problem and server.stop_problem not in results.problems:
        results.problems.append(server.stop_problem)


@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A URL of an empty database for `backend`; a server-side one is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite'}"
        return
    server_url = os.environ[SERVER_URL_VARIABLES[backend]]
    name = f"didhub_test_{uuid.uuid4().hex[:12]}"  # the only names core.testing creates and drops
    _server_database(server_url, name, "create")
    try:
        base, _, query = server_url.partition("?")
        yield base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    finally:
        _server_database(server_url, name, "drop")


# --- the report ------------------------------------------------------------------------------


def mark(value: float, target: float, at_least: bool) -> str:
    met = value >= target if at_least else value <= target
    return "met" if met else "MISSED"


def table(all_results: list[Results], profile: Profile) -> str:
    header = "| measure | target | " + " | ".join(r.backend for r in all_results) + " |"
    lines = [header, "|" + "---|" * (2 + len(all_results))]

    def row(measure: str, target: str, cells: list[str]) -> None:
        lines.append(f"| {measure} | {target} | " + " | ".join(cells) + " |")

    def cells(make) -> list[str]:
        return [make(r) for r in all_results]

    def ratio_get(r: Results) -> str:
        value = r.loads["get_alter"].rate / r.loads["reference"].rate
        return f"**{value:.2f}** {mark(value, 0.6, True)} ({r.loads['get_alter'].rate:.0f} / {r.loads['reference'].rate:.0f} req/s)"

    def ratio_list(r: Results) -> str:
        small, large = r.loads["list_small_beside_large"], r.loads["list_large"]
        value = small.rate / large.rate
        return f"**{value:.2f}** {mark(value, 1.3, False)} ({large.rate:.0f} / {small.rate:.0f} pages/s)"

    def ratio_beside(r: Results) -> str:
        # each in units of the reference read measured in the same window
        alone = r.loads["reference"].rate / r.loads["list_small"].rate
        beside = r.loads["reference_beside_large"].rate / r.loads["list_small_beside_large"].rate
        value = beside / alone
        return f"**{value:.2f}** {mark(value, 1.3, False)} (a page costs {beside:.2f} / {alone:.2f} reference reads)"

    def ratio_p99(r: Results) -> str:
        quiet, busy, logins = r.loads["reads_quiet"], r.loads["reads_with_logins"], r.loads["logins"]
        value = busy.p99_ms / quiet.p99_ms
        return (
            f"**{value:.2f}** {mark(value, 2, False)} (p99 {busy.p99_ms:.1f} / {quiet.p99_ms:.1f} ms; "
            f"{logins.rate:.1f} logins/s, {logins.status_errors + logins.socket_errors} failed)"
        )

    def writes(r: Results) -> str:
        create = r.loads["create_alter"]
        value = create.rate / r.loads["reference"].rate
        failed = create.status_errors + create.socket_errors
        return f"**{value:.2f}** ({create.rate:.0f} req/s, {failed} failed)"

    def writers(r: Results) -> str:
        if "writers_50" not in r.loads:
            return "–"
        load = r.loads["writers_50"]
        failed = load.status_errors + load.socket_errors
        return f"**{failed}** {mark(failed, 0, False)} ({load.requests} requests, {load.rate:.0f} req/s, p99 {load.p99_ms:.0f} ms)"

    def servers(r: Results) -> str:
        uv, gr = r.loads["server_uvicorn"], r.loads["server_granian"]
        return f"**{gr.rate / uv.rate:.2f}** ({gr.rate:.0f} / {uv.rate:.0f} req/s; p99 {gr.p99_ms:.1f} / {uv.p99_ms:.1f} ms)"

    def memory(r: Results) -> str:
        m = r.memory
        return (
            f"**{m['peak_reads']:.0f} MiB** under reads, **{m['peak_logins']:.0f} MiB** with 20 sign-ins "
            f"(idle {m['idle']:.0f}; granian's worker under reads {m['peak_granian']:.0f})"
        )

    row("1. GET /api/v1/alters/{id} ÷ reference handler (req/s)", "≥ 0.6", cells(ratio_get))
    large, small = f"{profile.large:,}", f"{profile.small:,}"
    row(f"2. deep page of 50 (cursor in the last tenth), system of {large} alters ÷ of {small} (time)", "≤ 1.3", cells(ratio_list))
    row(f"2b. the {small}-alter system's deep page, {large} other alters in the table ÷ none (time)", "≤ 1.3", cells(ratio_beside))
    row("3. read p99 with 20 clients signing in ÷ without", "≤ 2", cells(ratio_p99))
    row("4a. POST /api/v1/systems/{id}/alters ÷ reference (req/s)", "–", cells(writes))
    row("4b. 50 concurrent writers: non-2xx + socket errors", "0", cells(writers))
    row("5. granian ÷ uvicorn, GET /api/v1/alters/{id} (req/s)", "–", cells(servers))
    row("6. peak RSS of the uvicorn worker (VmHWM) per load", "–", cells(memory))
    return "\n".join(lines)


def machine() -> dict[str, str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    memory = memory_kib_total()
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1:2]
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("litestar", "databases", "asyncpg", "aiomysql", "aiosqlite", "msgspec", "uvicorn", "granian")
    )
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs ({cpu}), {memory / 1024 / 1024:.1f} GiB memory, {platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}; {packages}; wrk {' '.join(wrk_version)}",
        "load": "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
    }


def memory_kib_total() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 alters instead of 1,000,000 and shorter runs")
    parser.add_argument("--backends", default="sqlite,postgres,mysql", help="comma-separated; server backends need their URL set")
    parser.add_argument("--save", type=Path, help="also write the report (machine, versions, table) to this file")
    args = parser.parse_args()
    profile = QUICK if args.quick else FULL
    wanted = [name.strip() for name in args.backends.split(",") if name.strip()]
    backends = [name for name in wanted if name == "sqlite" or os.environ.get(SERVER_URL_VARIABLES.get(name, ""))]
    skipped = sorted(set(wanted) - set(backends))
    if not backends:
        sys.exit(f"bench: nothing to run ({', '.join(skipped)}: URL not set)")
    driver_started = time.monotonic()
    before = machine()
    print(f"bench: {', '.join(backends)}" + (f" (skipped, URL not set: {', '.join(skipped)})" if skipped else ""), flush=True)

    all_results = []
    with tempfile.TemporaryDirectory(prefix="didhub-bench-") as temp:
        workdir = Path(temp)
        driver = Driver(ensure_wrk(), workdir)
        site = install_plugin(workdir)
        for backend in backends:
            print(f"bench: {backend} ... ({time.monotonic() - driver_started:.0f} s into the run)", flush=True)
            backend_dir = workdir / backend
            backend_dir.mkdir()
            with database(backend, backend_dir) as db_url:
                result = bench_backend(backend, db_url, profile, driver, site, backend_dir)
            phases = ", ".join(f"{phase} {seconds:.0f}" for phase, seconds in result.seconds.items())
            print(f"bench: {backend} done in {sum(result.seconds.values()):.0f} s ({phases})", flush=True)
            all_results.append(result)

    after = machine()
    command = "make bench" + (" ARGS=--quick" if args.quick else "")
    report = "\n".join(
        [
            f"- date: {before['date']}; whole run {time.monotonic() - driver_started:.0f} s (`{command}`)",
            f"- machine: {before['machine']}",
            f"- software: {before['python']}",
            f"- load before / after: {before['load']} / {after['load']}",
            f"- profile: {'quick' if args.quick else 'full'}: throughput compared over {profile.rounds} alternating wrk runs "
            f"of {profile.seconds} s each, p99 over {profile.latency_seconds} s; {profile.small:,} vs {profile.large:,} alters",
            "",
            table(all_results, profile),
            "",
            *[f"- {result.backend}: {problem}" for result in all_results for problem in result.problems],
        ]
    )
    print()
    print(report)
    if args.save:
        args.save.write_text(report)


if __name__ == "__main__":
    main()
