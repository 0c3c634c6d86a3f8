"""A rush on appointments over HTTP: many attempts at few seats, on PostgreSQL.

Usage: python bench/booking_rush.py [--attempts 5000] [--seats 1000] [--people 2000]
       [--clients 50]

A fresh PostgreSQL database on 127.0.0.1:5432 (skipped with a note if no server answers);
migrate, load_catalog, collectstatic; then, prepared in the database (not timed): a Paris
counter offering hand-overs of the card, `--people` applicants each holding an approved
renewal whose hand-over appointment is waiting for a slot (none was free when it was
approved), one logged-in session each, and `--seats` seats in slots of 10 counters from two
days ahead. The real server is started (gunicorn, 2 workers, as in the Procfile) and each
client opens its appointment page (not timed): the CSRF token and the dates it offers.

The rush: `--clients` clients, released together, send `--attempts` POSTs of the choice
form (/fr/rendez-vous/<ref>/choisir/) in all. Each person picks one of the dates the page
offers, at random; refused, they pick again among those the answer offers, until booked or
no attempt is left. One appointment in ten is sought by two clients at once (two windows, or
a double click). A 302 to the appointment's page is a booking; a 400 (the slot is full, or no
longer offered) or a 429 (the account's rate limit) is a refusal; anything else is an error.
Once every seat is taken, people keep trying the last dates they saw, until the attempts are
spent. The database then counts, from the
bookings themselves, the seats held beyond each slot's counters (overbooked) and the dossiers
holding more than one active booking of a kind (double bookings): both must be 0. The raw
rate of one client committing one row at a time is measured in the same run, before and
after the rush (their mean is the baseline).

Printed: attempts, bookings, refusals, errors, bookings per second, attempts per second,
p50 and p95 latency, overbooked seats, double bookings, the raw commit rate and the ratio of
bookings per second to it. The last line is JSON. Exit status 1 when a seat is overbooked, a
dossier double-booked, or a request answered with an error.
"""

import argparse
import http.cookiejar
import importlib.util
import json
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import time
import urllib.error
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DJANGO_STEP = "--django-step"
SLOT_COUNTERS = 10
DOUBLE_EVERY = 10  # one attempt in ten is a second one for the same appointment

_spec = importlib.util.spec_from_file_location("bench_submit", ROOT / "bench" / "submit.py")
assert _spec is not None
assert _spec.loader is not None
submit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(submit)


# --- Steps run in a subprocess with Django set up -------------------------------------------


def step_prepare(params: dict[str, Any]) -> dict[str, Any]:
    """Applicants with an approved renewal waiting for its hand-over slot, and the slots."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from sejour.accounts.models import User
    from sejour.appointments.choices import Kind, Status
    from sejour.appointments.models import Booking, OpeningHours, Site, SiteKind, Slot
    from sejour.catalog.models import Prefecture, Procedure
    from sejour.dossiers.models import Dossier

    count, seats, tag = params["count"], params["seats"], params["tag"]
    paris = Prefecture.objects.get(departement_code="75")
    site = Site.objects.create(prefecture=paris, name="Bench counter", address="Paris")
    for weekday in range(7):
        OpeningHours.objects.create(
            site=site, weekday=weekday, opens=dt.time(8), closes=dt.time(20)
        )
    SiteKind.objects.create(
        site=site, kind=Kind.HAND_OVER, duration_minutes=10, counters=SLOT_COUNTERS
    )
    users = User.objects.bulk_create(
        [
            User(
                email=f"rush-{tag}-{n}@example.org",
                given_name="Rush",
                family_name=f"Applicant {n}",
                role="applicant",
                language="fr",
                password="!",  # noqa: S106 (an unusable password: the session is made below)
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    renewal = Procedure.objects.get(code="renewal")
    dossiers = Dossier.objects.bulk_create(
        [
            Dossier(
                number=f"RUSH{tag[:2].upper()}{n:07d}",
                applicant=user,
                procedure=renewal,
                prefecture=paris,
                status="approved",
            )
            for n, user in enumerate(users)
        ],
        batch_size=1000,
    )
    bookings = Booking.objects.bulk_create(
        [
            Booking(
                reference=f"RDV-{n // 10000:04d}-{n % 10000:04d}",
                dossier=dossier,
                kind=Kind.HAND_OVER,
                status=Status.WAITING,
            )
            for n, dossier in enumerate(dossiers)
        ],
        batch_size=1000,
    )
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    slots = Slot.objects.bulk_create(
        [
            Slot(
                site=site,
                kind=Kind.HAND_OVER,
                starts_at=start + dt.timedelta(minutes=10 * n),
                ends_at=start + dt.timedelta(minutes=10 * (n + 1)),
                capacity=SLOT_COUNTERS,
            )
            for n in range(seats // SLOT_COUNTERS)
        ]
    )
    from django.utils.module_loading import import_string

    # The backend a login records: the first that can find the user again (not axes').
    backend = next(
        b for b in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(b), "get_user")
    )
    store = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"]).SessionStore
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys = [secrets.token_hex(16) for _ in users]
    Session.objects.bulk_create(
        [
            Session(
                session_key=key,
                session_data=store().encode(
                    {
                        SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: backend,
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                ),
                expire_date=expires,
            )
            for key, user in zip(keys, users, strict=True)
        ],
        batch_size=1000,
    )
    return {
        "bookings": [
            {"reference": b.reference, "session": key}
            for b, key in zip(bookings, keys, strict=True)
        ],
        "slots": [s.pk for s in slots],
        "cookie": settings.SESSION_COOKIE_NAME,
    }


def step_verify(params: dict[str, Any]) -> dict[str, Any]:
    """Seats held beyond the counters, and dossiers holding two bookings of a kind, counted
    from the bookings themselves; and whether the audit chain is intact."""
    from django.db.models import Count, Q

    from sejour.appointments.choices import ACTIVE, HOLDING
    from sejour.appointments.models import Booking, Slot
    from sejour.audit.selectors import chain_report

    slots = Slot.objects.annotate(
        holding=Count("bookings", filter=Q(bookings__status__in=sorted(HOLDING)))
    )
    overbooked = sum(max(0, s.holding - s.capacity) for s in slots)
    counter_mismatch = sum(1 for s in slots if s.holding != s.booked)
    seats = sum(s.capacity for s in slots)
    held = sum(s.holding for s in slots)
    double = (
        Booking.objects.filter(status__in=sorted(ACTIVE))
        .exclude(slot__isnull=True)
        .values("dossier", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    active = (
        Booking.objects.filter(status__in=sorted(ACTIVE))
        .values("dossier", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    report = chain_report()
    return {
        "overbooked_seats": overbooked,
        "double_bookings": max(double, active),
        "counter_mismatches": counter_mismatch,
        "seats": seats,
        "seats_held": held,
        "confirmed": Booking.objects.filter(status="confirmed").count(),
        "audit_intact": report.intact,
    }


def run_django_step(name: str, params_file: str, out_file: str) -> None:
    submit._django_setup()
    params = json.loads(Path(params_file).read_text())
    result = {"prepare": step_prepare, "verify": step_verify}[name](params)
    Path(out_file).write_text(json.dumps(result))


def django_step(env: dict[str, str], tmp: Path, name: str, params: dict[str, Any]) -> Any:
    params_file, out_file = tmp / f"{name}-params.json", tmp / f"{name}-result.json"
    params_file.write_text(json.dumps(params))
    done = submit.subprocess.run(
        [sys.executable, __file__, DJANGO_STEP, name, str(params_file), str(out_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {name} step failed:\n{done.stderr[-3000:]}")
    return json.loads(out_file.read_text())


# --- The driver --------------------------------------------------------------------------------


def open_page(base: str, cookie: str, booking: dict[str, str]) -> dict[str, Any]:
    """The appointment's page, as its holder: the CSRF token of the choice form."""
    browser = submit.Browser(base)
    jar = next(h.cookiejar for h in browser.opener.handlers if hasattr(h, "cookiejar"))
    jar.set_cookie(
        http.cookiejar.Cookie(
            0,
            cookie,
            booking["session"],
            None,
            False,
            "127.0.0.1",
            False,
            False,
            "/",
            True,
            False,
            None,
            False,
            None,
            None,
            {},
        )
    )
    status, location, page = browser.request(f"/fr/rendez-vous/{booking['reference']}/")
    if status != 200:
        raise RuntimeError(f"page of {booking['reference']} answered {status} {location}")
    token = submit.hidden(page, "csrfmiddlewaretoken")
    return {
        "browser": browser,
        "reference": booking["reference"],
        "token": token,
        "choices": offered(page),
    }


def offered(page: str) -> list[int]:
    """The dates a page offers to choose from (the radio buttons of the choice form)."""
    return [int(pk) for pk in re.findall(r'name="slot" value="(\d+)"', page)]


class Budget:
    """The attempts left, shared by every client."""

    def __init__(self, total: int) -> None:
        self.left = total
        self.lock = submit.threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def attempt(ticket: dict[str, Any], slot_id: int) -> dict[str, Any]:
    """One POST of the choice form; a refusal brings back the dates offered now."""
    reference = ticket["reference"]
    started = time.perf_counter()
    try:
        status, location, body = ticket["browser"].request(
            f"/fr/rendez-vous/{reference}/choisir/",
            {"csrfmiddlewaretoken": ticket["token"], "slot": str(slot_id)},
        )
    except (urllib.error.URLError, OSError) as error:
        seconds = time.perf_counter() - started
        return {"ok": False, "refused": False, "seconds": seconds, "error": repr(error)}
    seconds = time.perf_counter() - started
    booked = status == 302 and location.endswith(f"/fr/rendez-vous/{reference}/")
    limited = status == 429
    refused = status == 400 or limited
    result = {
        "ok": booked,
        "refused": refused,
        "limited": limited,
        "seconds": seconds,
        "status": status,
    }
    if status == 400:
        # What the page offers now; once nothing is left, they keep trying the last dates.
        ticket["choices"] = offered(body) or ticket["choices"]
    elif not booked and not limited:
        result["message"] = submit.alert_text(body)
    return result


def rush(ticket: dict[str, Any], budget: Budget, draw: random.Random) -> list[dict[str, Any]]:
    """A person (or a bot) after a date: they pick one of the dates offered, and pick again
    among those the page then offers while they are refused, as long as attempts are left;
    when every seat is taken they keep trying the last dates they saw."""
    results: list[dict[str, Any]] = []
    while ticket["choices"] and budget.take():
        result = attempt(ticket, draw.choice(ticket["choices"]))
        results.append(result)
        if not result["refused"]:
            break
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--people", type=int, default=2000, help="applicants after a date")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--raw-seconds", type=float, default=3.0)
    parser.add_argument("--log-dir", help="keep the gunicorn log there")
    args = parser.parse_args()

    why = submit.postgres_answers()
    if why is not None:
        submit.log(f"skipped: no PostgreSQL server at {submit.PG_SERVER} ({why})")
        print(json.dumps({"skipped": why}))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="sejour-rush-"))
    started = time.perf_counter()
    holders = args.people
    try:
        with submit.postgres_database(f"sejour_rush_{os.getpid()}") as url:
            env = submit.base_env(tmp, "postgresql")
            env.update(
                DATABASE_URL=url,
                # The rush itself comes from one address: the per-address limit is lifted,
                # the per-account one stays (each applicant sends one or two requests).
                SEJOUR_APPOINTMENT_RATE_PER_ADDRESS=str(10 * args.attempts),
            )
            (tmp / "postgresql" / "media").mkdir(parents=True, exist_ok=True)
            submit.manage(env, "migrate", "--noinput", "--verbosity", "0")
            submit.manage(env, "load_catalog")
            submit.manage(env, "collectstatic", "--noinput", "--verbosity", "0")
            prepared = django_step(
                env, tmp, "prepare", {"count": holders, "seats": args.seats, "tag": "pg"}
            )
            submit.log(
                f"{holders} approved renewals waiting for a hand-over, {args.seats} seats in "
                f"{len(prepared['slots'])} slots ({time.perf_counter() - started:.1f} s)"
            )
            raw_before = submit.raw_rate_postgresql(url, args.raw_seconds)
            log_path = tmp / "gunicorn.log"
            try:
                with submit.gunicorn(env, log_path) as base:
                    tickets, wall = submit.in_threads(
                        args.clients,
                        prepared["bookings"],
                        lambda b: open_page(base, prepared["cookie"], b),
                    )
                    submit.log(f"{len(tickets)} appointment pages open ({wall:.1f} s)")
                    budget = Budget(args.attempts)
                    # One appointment in ten is sought in two windows at once (or by a
                    # double click): a second client works on it with its own page.
                    work: list[dict[str, Any]] = []
                    for n, ticket in enumerate(tickets):
                        work.append(ticket)
                        if n % DOUBLE_EVERY == 0:
                            work.append({**ticket, "choices": list(ticket["choices"])})
                    draws = [random.Random(seed) for seed in range(len(work))]
                    batches, wall = submit.in_threads(
                        args.clients,
                        list(range(len(work))),
                        lambda i: rush(work[i], budget, draws[i]),
                    )
                    results = [r for batch in batches for r in batch]
            finally:
                if args.log_dir and log_path.exists():
                    Path(args.log_dir).mkdir(parents=True, exist_ok=True)
                    shutil.copy(log_path, Path(args.log_dir) / log_path.name)
            # Before and after the rush: the server is shared, its commit rate moves.
            raw_after = submit.raw_rate_postgresql(url, args.raw_seconds)
            raw = (raw_before + raw_after) / 2
            check = django_step(env, tmp, "verify", {})
            log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    booked = [r for r in results if r["ok"]]
    refused = [r for r in results if r["refused"]]
    errors = [r for r in results if not r["ok"] and not r["refused"]]
    latencies = [r["seconds"] * 1000 for r in results]
    rate = len(booked) / wall if wall else 0.0
    problems = len(re.findall(r'"levelname": "(?:ERROR|CRITICAL)"|Traceback', log_text))
    figures = {
        "attempts": len(results),
        "bookings": len(booked),
        "refused": len(refused),
        "rate_limited": sum(1 for r in results if r.get("limited")),
        "errors": len(errors),
        "error_samples": errors[:3],
        "bookings_per_second": round(rate, 1),
        "attempts_per_second": round(len(results) / wall, 1) if wall else 0.0,
        "p50_ms": round(submit.percentile(latencies, 0.5), 1),
        "p95_ms": round(submit.percentile(latencies, 0.95), 1),
        "overbooked_seats": check["overbooked_seats"],
        "double_bookings": check["double_bookings"],
        "seat_counter_mismatches": check["counter_mismatches"],
        "seats": check["seats"],
        "seats_held": check["seats_held"],
        "server_error_lines": problems,
        "audit_chain_intact": check["audit_intact"],
        "raw_commits_per_second": round(raw, 1),
        "raw_before_after": [round(raw_before, 1), round(raw_after, 1)],
        "ratio": round(rate / raw, 3) if raw else None,
        "clients": args.clients,
        "seconds": round(time.perf_counter() - started, 1),
    }
    submit.log(
        f"{figures['attempts']} attempts at {figures['seats']} seats: {figures['bookings']} "
        f"booked, {figures['refused']} refused ({figures['rate_limited']} by the rate limit), "
        f"{figures['errors']} errors"
    )
    submit.log(
        f"{figures['bookings_per_second']} bookings/s ({figures['attempts_per_second']} "
        f"attempts/s), p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms"
    )
    submit.log(
        f"overbooked seats: {figures['overbooked_seats']}, double bookings: "
        f"{figures['double_bookings']}, seats held {figures['seats_held']}/{figures['seats']}"
    )
    submit.log(f"raw commit rate {figures['raw_commits_per_second']}/s, ratio {figures['ratio']}")
    print(json.dumps(figures), flush=True)
    failed = (
        figures["overbooked_seats"]
        or figures["double_bookings"]
        or figures["seat_counter_mismatches"]
        or figures["errors"]
        or not figures["audit_chain_intact"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == [DJANGO_STEP]:
        run_django_step(*sys.argv[2:5])
    else:
        sys.exit(main())
