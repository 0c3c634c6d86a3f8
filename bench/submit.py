"""How fast complete dossiers are filed over HTTP, against the database's raw commit rate.

Usage: python bench/submit.py [--applicants 80] [--clients 8] [--engines sqlite,postgresql]

For each engine (SQLite in a temporary directory; PostgreSQL in a fresh database on
127.0.0.1:5432, skipped with a note if no server answers) the real server is started:
migrate, load_catalog, collectstatic, then gunicorn with 2 workers. Applicants with a
complete renewal (answers and every required document) are prepared in the database through
the project's services; then concurrent clients log in over HTTP, open each dossier's check
page. A few warm-up dossiers are filed first, each form sent twice at the same moment (a
double click); then the clients, all together, file the others (POST .../deposer/). Only
that POST is timed. A few forms are sent once more afterwards. The database confirms at the
end that each dossier was filed once (one receipt, one filing attempt) and that the audit
chain is intact. See bench/README.md.

Printed per engine: filings, errors, submissions per second, p50 and p95 latency, the raw
rate of one client committing one row at a time on the same engine in the same run, and the
ratio of the two. Then receipt rendering per second per core (bench/render.py's measure).
The last line is JSON. Targets: on PostgreSQL at least 0.2 of the raw rate; 100 receipts a
second per core. They are reported, not enforced (exit status 2 with --strict when missed);
the exit status is 1 when a filing failed or a dossier does not have exactly one receipt.
"""

import argparse
import contextlib
import datetime as dt
import http.cookiejar
import importlib.util
import io
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
TARGET_PG_RATIO = 0.2
TARGET_RECEIPTS_PER_SECOND = 100
RENEWAL_ANSWERS = {
    "permit_type": "cst-salarie",
    "employed": True,
    "married": False,
    "has_children": False,
    "hosted": False,
}
POSTCODE = "75011"
DJANGO_STEP = "--django-step"


# --- Steps run in a subprocess with Django set up -------------------------------------------


def _django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _tiny_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.drawString(72, 770, "Bench document")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def step_prepare(params: dict[str, Any]) -> dict[str, Any]:
    """Applicants with a complete renewal draft each, made through the services."""
    from sejour.accounts import services as accounts
    from sejour.catalog.models import Procedure
    from sejour.core import clock
    from sejour.dossiers import selectors, services

    procedure = Procedure.objects.get(code="renewal")
    # ANEF renewals may be filed from 120 to 60 days before expiry: 90 days puts today inside.
    expiry = clock.today() + dt.timedelta(days=90)
    answers = {**RENEWAL_ANSWERS, "permit_expires_on": expiry.isoformat()}
    pdf = _tiny_pdf()
    applicants = []
    for index in range(params["count"]):
        email = f"bench-{params['tag']}-{index}@example.org"
        user = accounts.user_create(
            actor=None,
            role="applicant",
            password=params["password"],
            email=email,
            given_name="Bench",
            family_name=f"Applicant {index}",
        )
        dossier = services.dossier_start(actor=user, procedure=procedure)
        dossier = services.dossier_answer(
            dossier=dossier, actor=user, answers=answers, postcode=POSTCODE
        )
        for item in selectors.missing_items(dossier=dossier):
            services.document_add(
                dossier=dossier,
                actor=user,
                item_code=item.code,
                data=pdf,
                name=f"{item.code}.pdf",
            )
        blockers = services.filing_blockers(dossier=dossier)
        if blockers is not None:
            raise SystemExit(f"{dossier.number} is not complete: {blockers.items}")
        applicants.append({"email": email, "number": dossier.number})
    return {"applicants": applicants, "expiry": expiry.isoformat()}


def step_verify(params: dict[str, Any]) -> dict[str, Any]:
    """What the database holds for each dossier, and whether the audit chain is intact."""
    from django.db.models import Count, Q

    from sejour.attestations.choices import Kind
    from sejour.audit.selectors import chain_report
    from sejour.dossiers.models import Dossier

    rows = Dossier.objects.filter(number__in=params["numbers"]).annotate(
        receipts=Count("attestations", filter=Q(attestations__kind=Kind.RECEIPT), distinct=True),
        filed=Count("attempts", filter=Q(attempts__outcome="filed"), distinct=True),
        failed=Count("attempts", filter=Q(attempts__outcome="failed"), distinct=True),
    )
    dossiers = {
        d.number: {
            "status": d.status,
            "receipts": d.receipts,
            "filed_attempts": d.filed,
            "failed_attempts": d.failed,
        }
        for d in rows
    }
    report = chain_report()
    return {
        "dossiers": dossiers,
        "audit_intact": report.intact,
        "audit_problems": [str(p) for p in report.problems][:5],
    }


def run_django_step(name: str, params_file: str, out_file: str) -> None:
    _django_setup()
    params = json.loads(Path(params_file).read_text())
    result = {"prepare": step_prepare, "verify": step_verify}[name](params)
    Path(out_file).write_text(json.dumps(result))


# --- The driver --------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, flush=True)


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def django_step(env: dict[str, str], tmp: Path, name: str, params: dict[str, Any]) -> Any:
    params_file, out_file = tmp / f"{name}-params.json", tmp / f"{name}-result.json"
    params_file.write_text(json.dumps(params))
    done = subprocess.run(
        [sys.executable, __file__, DJANGO_STEP, name, str(params_file), str(out_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {name} step failed:\n{done.stderr[-3000:]}")
    return json.loads(out_file.read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(tmp: Path, engine: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "DATABASE_URL",
        "CACHE_URL",
        "SEJOUR_SQLITE_PATH",
        "SEJOUR_CLAMAV_SOCKET",
        "SEJOUR_TASKS_BACKEND",
        "SEJOUR_STORAGE",
        "DJANGO_DEBUG",
        "DJANGO_SETTINGS_MODULE",
    ):
        env.pop(name, None)
    env.update(
        SEJOUR_ENV="local",
        SEJOUR_MEDIA_ROOT=str(tmp / engine / "media"),
        SEJOUR_STATIC_ROOT=str(tmp / "static"),
        PYTHONUNBUFFERED="1",
    )
    return env


# HTTP: urllib, one cookie jar per applicant, redirects not followed, every status returned.


class _KeepStatus(urllib.request.HTTPErrorProcessor):
    def http_response(self, request: Any, response: Any) -> Any:
        return response

    https_response = http_response


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _KeepStatus()
        )

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location header, body) of one request."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data)  # noqa: S310 (http only)
        with self.opener.open(request, timeout=120) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()


def hidden(html: str, name: str) -> str:
    for tag in re.findall(r"<input\b[^>]*>", html):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            match = re.search(r'\bvalue="([^"]*)"', tag)
            if match:
                return match.group(1)
    raise LookupError(f"no hidden field {name!r} in the page")


def alert_text(html: str) -> str:
    """The first alert or error message of a page, as text, for an error report."""
    match = re.search(r'class="fr-alert[^"]*"[^>]*>(.*?)</div>', html, re.S)
    text = match.group(1) if match else html[:300]
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())[:200]


def open_dossier(base: str, email: str, password: str, number: str) -> dict[str, Any]:
    """Log in as the applicant and open the dossier's check page: what filing needs."""
    browser = Browser(base)
    status, _, page = browser.request("/fr/compte/connexion/")
    if status != 200:
        raise RuntimeError(f"login page answered {status}")
    status, location, page = browser.request(
        "/fr/compte/connexion/",
        {
            "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
            "username": email,
            "password": password,
        },
    )
    if status != 302:
        raise RuntimeError(f"login of {email} answered {status}: {alert_text(page)}")
    status, location, page = browser.request(f"/fr/demandes/{number}/verifier/")
    if status != 200:
        raise RuntimeError(f"check page of {number} answered {status} {location}")
    form = {
        "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        "key": hidden(page, "key"),
    }
    return {"browser": browser, "number": number, "form": form}


def file_once(ticket: dict[str, Any]) -> dict[str, Any]:
    """POST the filing form; a 302 to the dossier's page is a success."""
    number = ticket["number"]
    started = time.perf_counter()
    try:
        status, location, body = ticket["browser"].request(
            f"/fr/demandes/{number}/deposer/", ticket["form"]
        )
    except (urllib.error.URLError, OSError) as error:
        seconds = time.perf_counter() - started
        return {"number": number, "ok": False, "seconds": seconds, "error": repr(error)}
    seconds = time.perf_counter() - started
    ok = status == 302 and urllib.parse.urlsplit(location).path == f"/fr/demandes/{number}/"
    result: dict[str, Any] = {"number": number, "ok": ok, "seconds": seconds, "status": status}
    if not ok:
        result["location"] = location
        if status == 302:  # a domain error: the message waits on the page redirected to
            with contextlib.suppress(Exception):
                _, _, page = ticket["browser"].request(urllib.parse.urlsplit(location).path)
                result["message"] = alert_text(page)
        else:
            result["message"] = alert_text(body)
    return result


def probe_once(base: str) -> bool:
    """GET /healthz: the cheapest page the server has (no session, no database)."""
    with urllib.request.urlopen(f"{base}/healthz", timeout=30) as response:  # noqa: S310
        return response.status == 200


def in_threads(clients: int, work: list[Any], job: Any) -> tuple[list[Any], float]:
    """Run job(item) over work split between `clients` threads; (results, wall seconds)."""
    results: list[Any] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def worker(items: list[Any]) -> None:
        start_line.wait()
        for item in items:
            try:
                outcome = job(item)
            except Exception as error:
                with lock:
                    errors.append(error)
                continue
            with lock:
                results.append(outcome)

    threads = [
        threading.Thread(target=worker, args=(work[i::clients],), daemon=True)
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} failed, first: {errors[0]!r}")
    return results, wall


# CPU used during a phase, read from /proc (Linux): by the server's processes (gunicorn's
# master and workers, found by their listening address), by the database's (PostgreSQL's
# processes; none for SQLite, which runs inside the server), by this process (the clients),
# and by the whole machine.

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes_cpu(address: str) -> tuple[float, float]:
    """CPU seconds (user and system) of the live processes of the server at `address`
    (gunicorn's master and workers) and of the database (PostgreSQL's), in one pass."""
    server = database = 0.0
    if not Path("/proc/self/stat").exists():
        return server, database
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        if "gunicorn" in cmdline and address in cmdline:
            server += seconds
        elif cmdline.startswith("postgres"):
            database += seconds
    return server, database


def _machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the machine since it started, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def cpu_sample(base: str) -> dict[str, float]:
    server, database = _processes_cpu(urllib.parse.urlsplit(base).netloc)
    busy, everything = _machine_cpu()
    return {
        "server": server,
        "database": database,
        "clients": time.process_time(),
        "busy": busy,
        "all": everything,
    }


def cpu_per_item(before: dict[str, float], after: dict[str, float], items: int) -> dict[str, Any]:
    """Milliseconds of CPU per item between two samples, by whom; and how busy the machine was."""
    spent = {k: after[k] - before[k] for k in before}
    if not items or not spent["all"]:
        return {}
    figures: dict[str, Any] = {
        f"{k}_ms": round(spent[k] * 1000 / items, 2) for k in ("server", "database", "clients")
    }
    others = spent["busy"] - spent["server"] - spent["database"] - spent["clients"]
    figures["other_ms"] = round(max(0.0, others) * 1000 / items, 2)
    figures["machine_busy"] = round(spent["busy"] / spent["all"], 3)
    return figures


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


# Raw single-row commit rate, one client, on the same engine.


def raw_rate_sqlite(path: Path, seconds: float) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        # The project's pragmas (config/settings.py) and its BEGIN IMMEDIATE transactions.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("CREATE TABLE raw_commit (id INTEGER PRIMARY KEY, at REAL)")
        count, started = 0, time.perf_counter()
        while (now := time.perf_counter()) - started < seconds:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO raw_commit (at) VALUES (?)", (now,))
            connection.execute("COMMIT")
            count += 1
        return count / (time.perf_counter() - started)
    finally:
        connection.close()


def raw_rate_postgresql(url: str, seconds: float) -> float:
    import psycopg

    with psycopg.connect(url) as connection:
        connection.execute("CREATE TABLE bench_raw_commit (id bigserial PRIMARY KEY, at float8)")
        connection.commit()
        count, started = 0, time.perf_counter()
        while (now := time.perf_counter()) - started < seconds:
            connection.execute("INSERT INTO bench_raw_commit (at) VALUES (%s)", (now,))
            connection.commit()
            count += 1
        rate = count / (time.perf_counter() - started)
        connection.execute("DROP TABLE bench_raw_commit")
        connection.commit()
    return rate


@contextlib.contextmanager
def postgres_database(name: str) -> Iterator[str]:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_answers() -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0][:150]}"
    return None


def redis_answers(url: str) -> str | None:
    """None if the Redis server at `url` answers, else why not."""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"{type(error).__name__}: {str(error).strip()[:150]}"
    return None


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log_path: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**env, "SEJOUR_SITE_URL": base}
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--access-logfile",
                "-",
                "--access-logformat",
                '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
                "--graceful-timeout",
                "5",
                "--no-control-socket",  # never take over the socket of another gunicorn
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
                    raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail}")
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer /healthz within 60 s")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_log_summary(log_path: Path, numbers: set[str]) -> dict[str, Any]:
    """Statuses and server-side times of the timed POSTs (the first one of each dossier in
    `numbers`), and the errors the server logged."""
    lines = log_path.read_text(errors="replace").splitlines()
    statuses: Counter[str] = Counter()
    server_ms: list[float] = []
    seen: set[str] = set()
    for line in lines:
        match = re.search(r'"POST /fr/demandes/([^/]+)/deposer/ [^"]*" (\d{3}) \S+ (\d+)ms', line)
        if match and match.group(1) in numbers and match.group(1) not in seen:
            seen.add(match.group(1))
            statuses[match.group(2)] += 1
            server_ms.append(float(match.group(3)))
    problems = [
        line
        for line in lines
        if re.search(r'"levelname": "(ERROR|CRITICAL)"|Traceback|\[CRITICAL\]|WORKER TIMEOUT', line)
    ]
    return {
        "deposer_statuses": dict(statuses),
        "server_p50_ms": round(percentile(server_ms, 0.5), 1) if server_ms else None,
        "server_p95_ms": round(percentile(server_ms, 0.95), 1) if server_ms else None,
        "error_lines": len(problems),
        "first_errors": [p[:300] for p in problems[:3]],
    }


def bench_engine(
    engine: str, tmp: Path, args: argparse.Namespace, password: str, database_url: str | None
) -> dict[str, Any]:
    env = base_env(tmp, engine)
    if database_url:
        env["DATABASE_URL"] = database_url
        # At scale sessions are read from the shared cache: Redis, when one answers.
        if args.redis and redis_answers(args.redis) is None:
            env["CACHE_URL"] = args.redis
    else:
        env["SEJOUR_SQLITE_PATH"] = str(tmp / engine / "sejour.sqlite3")
    (tmp / engine / "media").mkdir(parents=True, exist_ok=True)
    log(f"[{engine}] cache: {env.get('CACHE_URL', 'none (sessions in the database)')}")

    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_catalog")
    if not (tmp / "static" / "staticfiles.json").exists():
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    count = args.applicants + args.warmup
    prepared = django_step(
        env, tmp, "prepare", {"count": count, "tag": engine, "password": password}
    )
    applicants = prepared["applicants"]
    log(
        f"[{engine}] {len(applicants)} complete renewals prepared "
        f"(expiry {prepared['expiry']}) in {time.perf_counter() - started:.1f} s"
    )

    log_path = tmp / f"gunicorn-{engine}.log"
    try:
        with gunicorn(env, log_path) as base:
            tickets, wall = in_threads(
                args.clients,
                applicants,
                lambda a: open_dossier(base, a["email"], password, a["number"]),
            )
            log(f"[{engine}] {len(tickets)} applicants logged in, check pages open ({wall:.1f} s)")
            warmup_numbers = {a["number"] for a in applicants[: args.warmup]}
            warm = [t for t in tickets if t["number"] in warmup_numbers]
            measured = [t for t in tickets if t["number"] not in warmup_numbers]
            # Warm-up, not timed: each worker renders its first receipt (fonts, templates), and
            # each warm-up form is sent twice at the same moment, as a double click does.
            doubled, _ = in_threads(max(1, 2 * len(warm)), [*warm, *warm], file_once)
            before = cpu_sample(base)
            results, wall = in_threads(args.clients, measured, file_once)
            filing_cpu = cpu_per_item(before, cpu_sample(base), len(measured))
            filed = [r for r in results if r["ok"]]
            by_number = {t["number"]: t for t in measured}
            again = [file_once(by_number[r["number"]]) for r in filed[: args.resend]]
            # The ceiling: the same clients on the same server asking for the cheapest page.
            before = cpu_sample(base)
            probes, probe_wall = in_threads(
                args.clients, [base] * args.ceiling_requests, probe_once
            )
            probe_cpu = cpu_per_item(before, cpu_sample(base), len(probes))
        server = server_log_summary(log_path, {t["number"] for t in measured})
    finally:
        if args.log_dir and log_path.exists():
            Path(args.log_dir).mkdir(parents=True, exist_ok=True)
            shutil.copy(log_path, Path(args.log_dir) / log_path.name)

    if engine == "sqlite":
        raw = raw_rate_sqlite(tmp / engine / "raw.sqlite3", args.raw_seconds)
    else:
        assert database_url is not None
        raw = raw_rate_postgresql(database_url, args.raw_seconds)

    check = django_step(env, tmp, "verify", {"numbers": [a["number"] for a in applicants]})
    not_once = {
        number: row
        for number, row in check["dossiers"].items()
        if row["receipts"] != 1 or row["filed_attempts"] != 1 or row["status"] == "draft"
    }
    latencies = [r["seconds"] * 1000 for r in results]
    ok_latencies = [r["seconds"] * 1000 for r in filed]
    rate = len(filed) / wall if wall else 0.0
    errors = [r for r in [*doubled, *results, *again] if not r["ok"]]
    figures: dict[str, Any] = {
        "filings": len(filed),
        "errors": len(errors),
        "error_samples": [
            {k: r.get(k) for k in ("number", "status", "location", "message", "error") if k in r}
            for r in errors[:3]
        ],
        "clients": args.clients,
        "cache": env.get("CACHE_URL"),
        "wall_seconds": round(wall, 3),
        "submissions_per_second": round(rate, 1),
        "p50_ms": round(percentile(ok_latencies or latencies, 0.5), 1),
        "p95_ms": round(percentile(ok_latencies or latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "raw_commits_per_second": round(raw, 1),
        "ratio": round(rate / raw, 4) if raw else None,
        "http_ceiling_per_second": round(sum(probes) / probe_wall, 1) if probe_wall else None,
        "ceiling_ratio": round(sum(probes) / probe_wall / raw, 4) if raw and probe_wall else None,
        "cpu_per_filing": filing_cpu,
        "cpu_per_ceiling_request": probe_cpu,
        "cores_for_target": cores_for_target(filing_cpu, raw) if engine == "postgresql" else None,
        "double_sent": len(doubled),
        "double_sent_ok": sum(1 for r in doubled if r["ok"]),
        "resent": len(again),
        "resent_ok": sum(1 for r in again if r["ok"]),
        "filed_once": not not_once and len(check["dossiers"]) == len(applicants),
        "not_filed_once": dict(list(not_once.items())[:3]),
        "audit_chain_intact": check["audit_intact"],
        "server": server,
    }
    return figures


def cores_for_target(cpu: dict[str, Any], raw: float) -> float | None:
    """Cores the server and the database would need, at the CPU cost per filing just measured,
    to file at TARGET_PG_RATIO of the raw rate (the clients on machines of their own)."""
    if not cpu or not raw:
        return None
    return round(TARGET_PG_RATIO * raw * (cpu["server_ms"] + cpu["database_ms"]) / 1000, 2)


def print_engine(engine: str, f: dict[str, Any]) -> None:
    log(
        f"[{engine}] filings {f['filings']}, errors {f['errors']}, "
        f"{f['submissions_per_second']} submissions/s with {f['clients']} clients "
        f"({f['wall_seconds']} s), p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, "
        f"max {f['max_ms']} ms"
    )
    log(
        f"[{engine}] raw single-row commits: {f['raw_commits_per_second']}/s; "
        f"ratio {f['ratio']}" + (f" (target {TARGET_PG_RATIO})" if engine == "postgresql" else "")
    )
    log(
        f"[{engine}] ceiling: GET /healthz (no session, no database) on the same server with "
        f"the same clients: {f['http_ceiling_per_second']}/s, ratio {f['ceiling_ratio']} of the "
        "raw commit rate: no page of this server, however light, goes faster"
    )
    for what, cpu in (("filing", f["cpu_per_filing"]), ("/healthz", f["cpu_per_ceiling_request"])):
        if cpu:
            log(
                f"[{engine}] CPU per {what}: server {cpu['server_ms']} ms, database "
                f"{cpu['database_ms']} ms, clients {cpu['clients_ms']} ms, rest of the machine "
                f"{cpu['other_ms']} ms; machine busy {cpu['machine_busy']:.0%}"
            )
    if f.get("cores_for_target"):
        log(
            f"[{engine}] at that cost, {TARGET_PG_RATIO} of the raw rate "
            f"({TARGET_PG_RATIO * f['raw_commits_per_second']:.0f} filings/s) needs "
            f"{f['cores_for_target']} cores for the server and the database "
            f"(this machine: {os.cpu_count()}, shared with the clients)"
        )
    log(
        f"[{engine}] forms sent twice at once {f['double_sent_ok']}/{f['double_sent']} and "
        f"sent again later {f['resent_ok']}/{f['resent']} answered as filed; "
        f"each dossier filed once with one receipt: {f['filed_once']}; "
        f"audit chain intact: {f['audit_chain_intact']}"
    )
    server = f["server"]
    log(
        f"[{engine}] server: POST deposer statuses {server['deposer_statuses']}, "
        f"server-side p50 {server['server_p50_ms']} ms, p95 {server['server_p95_ms']} ms, "
        f"error lines in its log {server['error_lines']}"
    )
    for sample in f["error_samples"]:
        log(f"[{engine}]   error: {sample}")
    for line in server["first_errors"]:
        log(f"[{engine}]   log: {line}")


def measure_rendering(count: int) -> dict[str, Any]:
    """bench/render.py's measure (one core, CPU time), its own output kept aside."""
    path = Path(__file__).resolve().parent / "render.py"
    if not path.exists():
        return {"skipped": "bench/render.py is missing"}
    spec = importlib.util.spec_from_file_location("sejour_bench_render", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "main"):
        return {"skipped": "bench/render.py has no main(count)"}
    with contextlib.redirect_stdout(io.StringIO()):
        figures: dict[str, Any] = module.main(count)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=80)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--raw-seconds", type=float, default=3.0)
    parser.add_argument("--warmup", type=int, default=4, help="dossiers filed before timing")
    parser.add_argument("--resend", type=int, default=3, help="forms sent a second time")
    parser.add_argument("--renders", type=int, default=300, help="receipts rendered")
    parser.add_argument(
        "--ceiling-requests", type=int, default=2000, help="GET /healthz sent for the ceiling"
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/14",
        help="CACHE_URL of the PostgreSQL run when this Redis answers ('' for none)",
    )
    parser.add_argument("--log-dir", help="keep the gunicorn logs there")
    parser.add_argument("--strict", action="store_true", help="exit 2 when a target is missed")
    args = parser.parse_args()

    password = secrets.token_urlsafe(16)
    engines: dict[str, Any] = {}
    tmp = Path(tempfile.mkdtemp(prefix="sejour-bench-"))
    started = time.perf_counter()
    try:
        for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
            if engine == "sqlite":
                engines[engine] = bench_engine(engine, tmp, args, password, None)
            elif engine == "postgresql":
                why = postgres_answers()
                if why is not None:
                    log(f"[postgresql] skipped: no server at {PG_SERVER} ({why})")
                    engines[engine] = {"skipped": why}
                    continue
                with postgres_database(f"sejour_bench_{os.getpid()}") as url:
                    engines[engine] = bench_engine(engine, tmp, args, password, url)
            else:
                parser.error(f"unknown engine {engine!r}: sqlite or postgresql")
            print_engine(engine, engines[engine])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rendering = measure_rendering(args.renders)
    per_core = rendering.get("receipts_per_second_per_core")
    if per_core is None:
        log(f"receipt rendering: skipped ({rendering.get('skipped')})")
    else:
        log(
            f"receipt rendering: {per_core} a second per core, {rendering['ms_per_receipt']} ms "
            f"each (target {TARGET_RECEIPTS_PER_SECOND})"
        )

    postgres = engines.get("postgresql", {})
    pg_ratio = postgres.get("ratio")
    summary = {
        "engines": engines,
        "receipts_per_second_per_core": per_core,
        "rendering": rendering,
        "targets": {
            "pg_ratio_min": TARGET_PG_RATIO,
            "receipts_per_second_min": TARGET_RECEIPTS_PER_SECOND,
        },
        # null when not measured (PostgreSQL skipped, bench/render.py missing)
        "pg_ratio_met": None if pg_ratio is None else pg_ratio >= TARGET_PG_RATIO,
        "receipts_per_second_met": None
        if per_core is None
        else per_core >= TARGET_RECEIPTS_PER_SECOND,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary, sort_keys=False), flush=True)

    measured = [e for e in engines.values() if "skipped" not in e]
    if any(e["errors"] or not e["filed_once"] or not e["audit_chain_intact"] for e in measured):
        return 1
    if args.strict and not (summary["pg_ratio_met"] and summary["receipts_per_second_met"]):
        return 2
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == [DJANGO_STEP]:
        run_django_step(*sys.argv[2:5])
    else:
        sys.exit(main())
