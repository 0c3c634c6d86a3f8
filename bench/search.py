"""How fast the back-office searches and the work queue answer on a base of a million dossiers.

Usage: python bench/search.py [--dossiers 1000000] [--rounds 200] [--before-rounds 40]
                              [--skip-before] [--plans FILE] [--keep] [--reuse] [--strict]

1. A fresh PostgreSQL database `sejour_bench_search` on 127.0.0.1:5432 (dropped first if it
   exists, and at the end even on error; skipped with a note when no server answers), then
   `migrate` and `load_catalog` with SEJOUR_ENV=local in a subprocess. Unless --skip-before,
   the indexes of the search and queue index migrations are then dropped, by those
   migrations' own `drop()`, to measure the base without them (unapplying the migrations
   would also unapply every later migration of their apps).
2. The fill, in bulk SQL (INSERT ... SELECT over generate_series, not the ORM): one applicant
   per dossier (family and given names drawn, skewed, from lists of common names in France,
   thousands of combinations; a foreigner number for most; a date of birth; an e-mail
   address each; one fixed password hash), about 2,000 agents put in their prefecture's
   `staff` table in proportion to its size, one national supervisor, and the dossiers spread
   over the 104 prefectures (Paris, Seine-Saint-Denis, the Rhône... weighted bigger), mostly
   filed and not decided, the rest decided, closed, withdrawn or drafts, with realistic dates
   (filing, end of the current permit, decision due four months after filing) and agents
   holding the ones under review. Then VACUUM ANALYZE. Its time is printed.
3. The measure, in this process with Django set up against that database: the real
   selectors, as the views call them, for agents of the three biggest prefectures, in a
   shuffled order after a warm-up: searches by dossier number, by name (prefixes of 3 to 6
   letters of a family or given name, sometimes two words), by foreigner number and by date
   of birth, each evaluated as the search view does (`list(staff_search(...)[:100])`); the
   default queue page (`staff_queue` paginated, 50 a page: the paginator's count and page
   one, then `staff_counts`, and the view's list of the agents in scope), for those
   agents and for a national supervisor. Also the
   round trip of `SELECT 1` through the same connection, as the floor. The SQL of the slowest
   operation of each kind is run again under EXPLAIN (ANALYZE, BUFFERS), into --plans.
4. Unless --skip-before, the index migrations are applied again (their time is printed: it is
   what deploying them on such a base costs), and the measure is repeated. Both phases run the
   same code: only the indexes differ.

Printed for each phase and kind: p50, p95 and max in milliseconds, and the p95's ratio to
`SELECT 1`'s. The last line is JSON. Targets: p95 under 100 ms for every kind of search and
under 200 ms for an agent's queue page (the national supervisor's is reported beside it).
Exit status 2 with --strict when a target is missed; 0 otherwise. --keep leaves the database
in place and --reuse measures an existing one, to study plans by hand.
"""

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
import types
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "sejour_bench_search"
TARGET_SEARCH_P95_MS = 100.0
TARGET_QUEUE_P95_MS = 200.0
# The migrations measured: their indexes are dropped in the "before" phase and built again,
# by their own `create()`, for the "after" phase.
INDEX_MIGRATIONS = (
    ("accounts", "0004_search_indexes", "0003_user_date_of_birth_user_foreigner_number_and_more"),
    (
        "dossiers",
        "0003_queue_indexes",
        "0002_decision_documentrequest_note_dossier_agent_seen_at_and_more",
    ),
    ("dossiers", "0007_name_search_indexes", "0006_applicant_names"),
)
SEARCH_KINDS = ("search_number", "search_name", "search_foreigner_number", "search_birth_date")
QUEUE_KINDS = ("queue_agent", "queue_supervisor")
PENDING = ("submitted", "in_review", "awaiting_applicant")
# One hash for everyone: nobody logs in to this database.
PASSWORD_HASH = "pbkdf2_sha256$1000000$bench$0Y0e5Qz6rW3b3Yl1hKxgk7m0y2o5c9j5dQm0l6Yq2aE="  # noqa: S105

# Relative weight of the prefectures by département; the others weigh DEFAULT_WEIGHT.
PREFECTURE_WEIGHTS = {
    "75": 120, "93": 85, "69": 50, "13": 48, "92": 45, "94": 45, "59": 38, "95": 35,
    "06": 30, "91": 30, "78": 28, "77": 28, "31": 25, "33": 22, "67": 22, "34": 20,
    "976": 18, "38": 16, "44": 15, "973": 15, "83": 12, "57": 12, "68": 12, "76": 12,
    "74": 10, "60": 10, "35": 10, "974": 8, "63": 8, "42": 8, "21": 8, "84": 8, "30": 8,
    "45": 8, "54": 8, "01": 8, "62": 8, "25": 7, "971": 6, "37": 6, "51": 6, "49": 6,
    "14": 6, "27": 6, "66": 6, "64": 6, "29": 5, "02": 5, "80": 5, "28": 5, "26": 5,
    "972": 4, "56": 4, "17": 4, "86": 4, "87": 4, "2A": 3, "2B": 3,
}  # fmt: skip
DEFAULT_WEIGHT = 2
STATUS_SHARES = (
    ("draft", 0.04), ("submitted", 0.28), ("in_review", 0.24), ("awaiting_applicant", 0.09),
    ("approved", 0.25), ("refused", 0.06), ("closed", 0.02), ("withdrawn", 0.02),
)  # fmt: skip
PROCEDURE_SHARES = {
    "first-application": 35, "renewal": 45, "change-of-status": 10, "duplicate": 4,
    "change-of-address": 4, "change-of-family": 2,
}  # fmt: skip
PERMIT_TYPE_SHARES = {
    "cst-salarie": 22, "cst-vie-privee-familiale": 25, "cst-etudiant": 15, "carte-resident": 12,
    "csp-generale": 6, "carte-resident-refugie": 6, "csp-protection-subsidiaire": 4,
    "cst-travailleur-temporaire": 3, "csp-talent": 3, "cst-entrepreneur": 1, "cst-visiteur": 1,
    "csp-salarie-detache-ict": 1, "csp-travailleur-saisonnier": 1,
}  # fmt: skip


def _words(text: str) -> list[str]:
    return text.split()


# Most frequent first: names are drawn with a skew towards the head of each list.
FAMILY_NAMES = _words("""
Martin Diallo Nguyen Bernard Traoré Dubois Benali Kone Thomas Camara Robert Haddad Cissé
Petit Mendy Richard Durand Diop Leroy Moreau Sow Simon Laurent Lefebvre Michel Garcia Da Silva
Ferreira Rossi Popescu Wang Chen Li Kumar Singh Ahmed Mohamed Yilmaz Kaya Demir Bamba Coulibaly
Touré Keita Sylla Fofana Konaté Sissoko Bah Barry Ndiaye Fall Faye Gueye Sarr Ba Mbaye Dieng
Benamar Belkacem Bensaïd Boudjemaa Cherif Hamidi Khelifi Mansouri Saidi Zerrouki El Amrani
Bennani Alaoui Tazi Idrissi Ouali Chaouch Trabelsi Ben Salah Jebali Dridi Gharbi Mejri Hamdi
Pereira Santos Oliveira Rodrigues Costa Fernandes Gomes Lopes Martins Carvalho Sousa Ribeiro
Nowak Kowalski Wiśniewski Ivanov Petrov Smirnov Popov Horvath Novak Dumitru Stan Ionescu
Tran Le Pham Hoang Phan Vu Dang Bui Do Ngo Zhang Liu Huang Zhao Wu Zhou Xu Sun Ma Hu
Ali Khan Hussain Rahman Islam Hossain Akhtar Rashid Haque Mensah Owusu Boateng Asante Nkemelu
Okafor Okeke Adeyemi Balogun Mukendi Kabila Tshibanda Ilunga Mbemba Makosso Moukoko Ekambi
Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefèvre Faure André Mercier
Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Perrin Robin Clément Morin
Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël
Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud
Martinez Lopez Gonzalez Sanchez Perez Romero Alvarez Torres Ramirez Flores Diaz Hernandez
""")
GIVEN_NAMES = _words("""
Mohamed Fatima Aminata Ahmed Marie Ali Mamadou Aïcha Ibrahim Sarah Moussa Mariam Youssef
Khadija Omar Awa Abdoulaye Fatoumata Ousmane Hawa Karim Nadia Rachid Samira Mehdi Yasmine
Amadou Kadiatou Sekou Oumou Boubacar Djeneba Bakary Assa Seydou Mariama Alassane Bintou
Jean Anne Pierre Sophie Nicolas Julie Thomas Camille Lucas Léa Hugo Chloé Louis Emma Gabriel
Inès Adam Jade Arthur Louise Raphaël Alice Paul Lina Nathan Manon Yanis Sofia Rayan Nour Ilyes
Wei Ling Jun Mei Hao Xin Minh Linh Tuan Huong Anh Thanh Raj Priya Amit Sunita Arjun Deepa
Ana João Maria José Carlos Luisa Miguel Inês Pedro Rita Andrei Elena Ion Ioana Mihai Olga
Dmitri Natalia Sergei Irina Piotr Katarzyna Tomasz Agnieszka Emre Elif Mehmet Zeynep Ayşe
Kwame Ama Kofi Abena Chinedu Ngozi Emeka Adaeze Olumide Funmilayo Jean-Baptiste Grâce Patrick
Christelle Blaise Josiane Hamza Salma Bilal Imane Anas Meryem Walid Houda Sami Leïla Nabil
""")
NATIONALITIES = [
    "Algeria",
    "Morocco",
    "Tunisia",
    "Mali",
    "Senegal",
    "Côte d'Ivoire",
    "Guinea",
    "Cameroon",
    "Comoros",
    "Congo",
    "China",
    "Vietnam",
    "India",
    "Bangladesh",
    "Pakistan",
    "Sri Lanka",
    "Turkey",
    "Afghanistan",
    "Haiti",
    "Brazil",
    "Romania",
    "Ukraine",
    "Russia",
    "Portugal",
    "Egypt",
    "Nigeria",
    "Ghana",
    "Madagascar",
    "Mauritania",
    "Syria",
]


def log(message: str) -> None:
    print(message, flush=True)


class _SchemaEditor:
    """What the index migrations' create() and drop() use of a schema editor: run on psycopg."""

    def __init__(self, connection: Any) -> None:
        self.connection = types.SimpleNamespace(vendor="postgresql")
        self._connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        self._connection.execute(sql, params)


def index_migrations(url: str, action: str) -> float:
    """Run `action` ("create" or "drop") of each index migration on the database; seconds."""
    import psycopg

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        editor = _SchemaEditor(connection)
        for app, name, _previous in INDEX_MIGRATIONS:
            module = importlib.import_module(f"sejour.{app}.migrations.{name}")
            getattr(module, action)(None, editor)
    return time.perf_counter() - started


def manage(env: dict[str, str], *args: str) -> float:
    """Run manage.py in a subprocess; the seconds it took."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def postgres_answers() -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0][:150]}"
    return None


@contextlib.contextmanager
def postgres_database(name: str, *, create: bool, keep: bool) -> Iterator[str]:
    import psycopg

    if create:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        if not keep:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- The fill ---------------------------------------------------------------------------------


def _slots(shares: dict[Any, float], size: int) -> list[Any]:
    """`size` slots, each key holding a number of them in proportion to its share."""
    total = sum(shares.values())
    slots: list[Any] = []
    for key, share in shares.items():
        slots.extend([key] * round(size * share / total))
    while len(slots) < size:
        slots.append(max(shares, key=lambda k: shares[k]))
    return slots[:size]


def _number_body(column: str) -> str:
    """SQL: eight Crockford base-32 characters, a bijection of `column` below 2**40."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    mixed = f"(({column})::bigint * 2654435761 %% 1099511627776)"
    chars = [f"substr('{alphabet}', (({mixed} >> {shift}) & 31)::int + 1, 1)" for shift in
             range(35, -1, -5)]  # fmt: skip
    return f"{' || '.join(chars[:4])} || '-' || {' || '.join(chars[4:])}"


USERS_SQL = """
INSERT INTO accounts_user (
    id, password, is_superuser, email, email_verified_at, given_name, family_name, role,
    language, is_active, is_staff, date_joined, address, children, city, family_situation,
    postcode, date_of_birth, foreigner_number, nationality)
SELECT g, %(password)s, false, 'demandeur.' || g || '@example.org', joined + interval '6 minutes',
    (%(given)s::text[])[1 + floor(power(random(), 1.7) * %(n_given)s)::int],
    (%(family)s::text[])[1 + floor(power(random(), 1.7) * %(n_family)s)::int],
    'applicant', (ARRAY['fr', 'fr', 'fr', 'en', 'ar'])[1 + floor(random() * 5)::int],
    true, false, joined, '', floor(random() * 4)::int, '',
    (ARRAY['', 'single', 'married', 'pacs', 'separated', 'widowed'])[1 + floor(random() * 6)::int],
    '', date '1950-01-01' + floor(random() * 20000)::int,
    CASE WHEN random() < 0.92
         THEN ((g::bigint * 2654435761) %% 9000000000 + 1000000000)::text ELSE '' END,
    (%(nationalities)s::text[])[1 + floor(random() * %(n_nationalities)s)::int]
FROM (SELECT g, now() - random() * interval '1500 days' AS joined
      FROM generate_series(1, %(n)s) AS g OFFSET 0) AS s
"""

STAFF_SQL = """
INSERT INTO accounts_user (
    id, password, is_superuser, email, email_verified_at, given_name, family_name, role,
    language, is_active, is_staff, date_joined, address, children, city, family_situation,
    postcode, date_of_birth, foreigner_number, nationality)
SELECT %(first)s + a - 1, %(password)s, false,
    CASE WHEN a <= %(agents)s THEN 'agent.' || a ELSE 'superviseur.' || a END
        || '@interieur.example',
    now(),
    (%(given)s::text[])[1 + floor(random() * %(n_given)s)::int],
    (%(family)s::text[])[1 + floor(random() * %(n_family)s)::int],
    CASE WHEN a <= %(agents)s THEN 'agent' ELSE 'supervisor' END,
    'fr', true, false, now() - interval '2 years', '', 0, '', '', '', NULL, '', ''
FROM generate_series(1, %(agents)s + 1) AS a
"""

DOSSIERS_SQL = """
INSERT INTO dossiers_dossier (
    id, created_at, updated_at, number, status, answers, postcode, permit_expires_on, revision,
    needs_attention, first_attempt_at, submitted_at, submission_key, closed_at, applicant_id,
    permit_type_id, prefecture_id, procedure_id, agent_seen_at, assigned_to_id, decided_at,
    decision_due_on, cover_basis)
SELECT id, created_at, coalesce(decided_at, closed_at, submitted_at, created_at),
    to_char(created_at, 'YYYY') || '-' || {number_body}, status,
    jsonb_build_object('married', r2 < 0.4, 'has_children', r3 < 0.35, 'hosted', r4 < 0.2),
    left((%(postcodes)s::text[])[prefecture_id] || lpad(floor(r5 * 1000)::int::text, 3, '0'), 5),
    permit_expires_on, 1 + floor(r4 * 6)::int, needs_attention, submitted_at, submitted_at,
    CASE WHEN submitted_at IS NOT NULL THEN gen_random_uuid() END, closed_at, id,
    permit_type_id, prefecture_id, procedure_id,
    CASE WHEN assigned_to_id IS NOT NULL
         THEN least(now(), submitted_at + r2 * interval '40 days') END,
    assigned_to_id, decided_at,
    CASE WHEN submitted_at IS NOT NULL
         THEN (submitted_at + interval '4 months')::date
              + CASE WHEN status = 'awaiting_applicant' THEN 15 + floor(r3 * 30)::int ELSE 0 END
    END,
    ''
FROM (
    SELECT *,
        coalesce(submitted_at, now() - r1 * interval '90 days') - r2 * interval '20 days'
            AS created_at,
        CASE WHEN procedure_id = %(first_application)s THEN NULL
             WHEN status = ANY(%(pending)s) THEN current_date + (floor(r2 * 300)::int - 120)
             WHEN status = 'draft' THEN current_date + floor(r2 * 200)::int
             ELSE submitted_at::date + (floor(r2 * 150)::int - 30) END AS permit_expires_on,
        status = ANY(%(pending)s) AND r4 < 0.12 AS needs_attention,
        CASE WHEN status IN ('in_review', 'awaiting_applicant', 'approved', 'refused')
                  OR (status = 'submitted' AND r4 > 0.92)
             THEN (%(agent_first)s::bigint[])[prefecture_id]
                  + floor(r5 * (%(agent_count)s::int[])[prefecture_id])::int END AS assigned_to_id,
        CASE WHEN status IN ('approved', 'refused')
             THEN least(now(), submitted_at + interval '20 days' + r3 * interval '120 days')
        END AS decided_at,
        CASE WHEN status IN ('closed', 'withdrawn')
             THEN least(now(), submitted_at + r3 * interval '100 days') END AS closed_at
    FROM (
        SELECT *,
            CASE WHEN status = 'draft' THEN NULL
                 WHEN status = ANY(%(pending)s) THEN now() - r1 * interval '200 days'
                 ELSE now() - interval '60 days' - r1 * interval '900 days' END AS submitted_at
        FROM (
            SELECT g AS id,
                (%(prefecture_slots)s::bigint[])[1 + floor(random() * %(n_slots)s)::int]
                    AS prefecture_id,
                (%(status_slots)s::text[])[1 + floor(random() * %(n_slots)s)::int] AS status,
                (%(procedure_slots)s::bigint[])[1 + floor(random() * %(n_slots)s)::int]
                    AS procedure_id,
                (%(permit_type_slots)s::bigint[])[1 + floor(random() * %(n_slots)s)::int]
                    AS permit_type_id,
                random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
            FROM generate_series(1, %(n)s) AS g OFFSET 0
        ) AS drawn OFFSET 0
    ) AS filed OFFSET 0
) AS dossier
""".replace("{number_body}", _number_body("id"))


def fill(url: str, dossiers: int) -> dict[str, Any]:
    """Fill the database in bulk SQL; what was made and how long it took."""
    import psycopg

    started = time.perf_counter()
    timings: dict[str, float] = {}
    with psycopg.connect(url) as connection:
        connection.execute("SET synchronous_commit = off")
        connection.execute("SET maintenance_work_mem = '512MB'")
        connection.execute("SET work_mem = '64MB'")
        connection.execute("SELECT setseed(0.42)")
        prefectures = connection.execute(
            "SELECT id, departement_code FROM catalog_prefecture ORDER BY id"
        ).fetchall()
        procedures = dict(connection.execute("SELECT code, id FROM catalog_procedure").fetchall())
        permit_types = dict(
            connection.execute("SELECT code, id FROM catalog_permittype").fetchall()
        )
        weights = {pk: PREFECTURE_WEIGHTS.get(code, DEFAULT_WEIGHT) for pk, code in prefectures}
        total_weight = sum(weights.values())
        agents_wanted = 2000
        agent_count = {
            pk: max(3, round(agents_wanted * w / total_weight)) for pk, w in weights.items()
        }
        agents = sum(agent_count.values())
        size = max(weights)  # SQL arrays start at 1: prefecture `pk` is at `pk - 1` here
        first_agent = dossiers + 1
        agent_first: list[int] = [0] * size
        counts: list[int] = [0] * size
        postcodes: list[str] = [""] * size
        memberships: list[tuple[int, int]] = []
        next_agent = first_agent
        for pk, code in prefectures:
            agent_first[pk - 1], counts[pk - 1] = next_agent, agent_count[pk]
            postcodes[pk - 1] = {"2A": "20", "2B": "20"}.get(code, code)
            memberships.extend(
                (pk, user) for user in range(next_agent, next_agent + agent_count[pk])
            )
            next_agent += agent_count[pk]
        params = {
            "password": PASSWORD_HASH,
            "given": GIVEN_NAMES,
            "n_given": len(GIVEN_NAMES),
            "family": FAMILY_NAMES,
            "n_family": len(FAMILY_NAMES),
            "nationalities": NATIONALITIES,
            "n_nationalities": len(NATIONALITIES),
        }

        step = time.perf_counter()
        connection.execute(USERS_SQL, {**params, "n": dossiers})
        connection.execute(STAFF_SQL, {**params, "first": first_agent, "agents": agents})
        with connection.cursor().copy(
            "COPY catalog_prefecture_staff (prefecture_id, user_id) FROM STDIN"
        ) as copy:
            for row in memberships:
                copy.write_row(row)
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), max(id)) "
            "FROM accounts_user"
        )
        connection.commit()
        timings["users"] = time.perf_counter() - step

        step = time.perf_counter()
        n_slots = 1000
        pref_slots = _slots({pk: float(w) for pk, w in weights.items()}, n_slots)
        random.Random(7).shuffle(pref_slots)
        connection.execute(
            DOSSIERS_SQL,
            {
                "n": dossiers,
                "n_slots": n_slots,
                "prefecture_slots": pref_slots,
                "status_slots": _slots(dict(STATUS_SHARES), n_slots),
                "procedure_slots": _slots(
                    {
                        procedures[c]: float(s)
                        for c, s in PROCEDURE_SHARES.items()
                        if c in procedures
                    },
                    n_slots,
                ),
                "permit_type_slots": _slots(
                    {
                        permit_types[c]: float(s)
                        for c, s in PERMIT_TYPE_SHARES.items()
                        if c in permit_types
                    },
                    n_slots,
                ),
                "first_application": procedures.get("first-application", 0),
                "pending": list(PENDING),
                "agent_first": agent_first,
                "agent_count": counts,
                "postcodes": postcodes,
            },
        )
        connection.execute(
            "SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), max(id)) "
            "FROM dossiers_dossier"
        )
        connection.commit()
        timings["dossiers"] = time.perf_counter() - step

    step = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "VACUUM (ANALYZE) accounts_user, dossiers_dossier, catalog_prefecture_staff"
        )
    timings["vacuum_analyze"] = time.perf_counter() - step
    return {
        "users": dossiers + agents + 1,
        "agents": agents,
        "dossiers": dossiers,
        "seconds": {k: round(v, 1) for k, v in timings.items()},
        "fill_seconds": round(time.perf_counter() - started, 1),
    }


# --- The measure ------------------------------------------------------------------------------


def django_setup(url: str) -> None:
    os.environ["SEJOUR_ENV"] = "local"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def django_close() -> None:
    from django.db import connections

    connections.close_all()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _stats(samples: list[float], floor_p95: float | None = None) -> dict[str, Any]:
    ordered = sorted(samples)
    p95 = (
        statistics.quantiles(ordered, n=100, method="inclusive")[94]
        if len(ordered) > 1
        else ordered[0]
    )
    stats: dict[str, Any] = {
        "n": len(ordered),
        "p50_ms": _ms(statistics.median(ordered)),
        "p95_ms": _ms(p95),
        "max_ms": _ms(ordered[-1]),
    }
    if floor_p95:
        stats["p95_ratio_to_select_1"] = round(p95 / floor_p95, 1)
    return stats


def _viewers() -> tuple[list[Any], Any]:
    """Agents of the three biggest prefectures (one prefecture each); the national supervisor."""
    from django.db.models import Count

    from sejour.accounts.models import User
    from sejour.catalog.models import Prefecture

    biggest = sorted(PREFECTURE_WEIGHTS, key=lambda code: -PREFECTURE_WEIGHTS[code])[:3]
    agents = []
    for code in biggest:
        prefecture = Prefecture.objects.get(departement_code=code)
        agents.append(
            User.objects.filter(role="agent", prefectures=prefecture)
            .annotate(scopes=Count("prefectures"))
            .filter(scopes=1)
            .order_by("pk")
            .first()
        )
    supervisor = User.objects.filter(role="supervisor", prefectures__isnull=True).get()
    return agents, supervisor


def _inputs(agents: list[Any], count: int, seed: int) -> dict[str, list[tuple[Any, str]]]:
    """Varied searches by the agents, for dossiers of their prefectures that exist."""
    from django.db import connection

    rng = random.Random(seed)
    by_prefecture = {agent.prefectures.get().pk: agent for agent in agents}
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM dossiers_dossier")
        top = cursor.fetchone()[0]
        cursor.execute(
            "SELECT d.prefecture_id, d.number, u.foreigner_number, u.date_of_birth, "
            "u.family_name, u.given_name FROM dossiers_dossier d "
            "JOIN accounts_user u ON u.id = d.applicant_id "
            "WHERE d.id = ANY(%s) AND d.prefecture_id = ANY(%s) AND d.status <> 'draft'",
            [rng.sample(range(1, top + 1), min(top, count * 40)), list(by_prefecture)],
        )
        rows = cursor.fetchall()
    rng.shuffle(rows)
    # A few more than needed: some applicants have no foreigner number.
    rows = rows[: count + count // 5]
    inputs: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for prefecture, number, foreigner, birth, family, given in rows:
        agent = by_prefecture[prefecture]
        inputs["search_number"].append((agent, number.lower() if rng.random() < 0.2 else number))
        if foreigner:
            inputs["search_foreigner_number"].append((agent, foreigner))
        inputs["search_birth_date"].append(
            (agent, birth.strftime("%d/%m/%Y" if rng.random() < 0.8 else "%Y-%m-%d"))
        )
        words = [family, given] if rng.random() < 0.5 else [given, family]
        query = words[0][: rng.randint(3, 6)]
        if rng.random() < 0.2:
            query += " " + words[1][: rng.randint(3, 6)]
        inputs["search_name"].append((agent, query.lower() if rng.random() < 0.7 else query))
    return inputs


def _search(viewer: Any, query: str) -> int:
    from sejour.dossiers import selectors

    return len(list(selectors.staff_search(viewer=viewer, query=query)[:100]))


def _queue_page(viewer: Any) -> int:
    """What the queue view asks the database: the agents of the viewer's scope (for the filter
    form and the bulk form), the paginator's count and page, and the counts."""
    from django.core.paginator import Paginator

    from sejour.backoffice.views import _colleagues
    from sejour.dossiers import selectors

    _colleagues(viewer)
    page = Paginator(selectors.staff_queue(viewer=viewer, filters={}), 50).get_page(None)
    rows = list(page)
    selectors.staff_counts(viewer=viewer)
    return len(rows)


def _select_1() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _explain(operation: Callable[..., Any], args: tuple[Any, ...], title: str, out: Any) -> None:
    """Run `operation` again, and EXPLAIN (ANALYZE, BUFFERS) its slowest queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        operation(*args)
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    out.write(f"\n{'=' * 100}\n{title}: {len(queries)} queries, "
              f"{sum(float(q['time']) for q in queries) * 1000:.1f} ms in all\n")  # fmt: skip
    with connection.cursor() as cursor:
        for query in queries[:4]:
            if query["sql"].lstrip().upper().startswith("SELECT") and float(query["time"]) > 0.0005:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                out.write(f"\n-- {float(query['time']) * 1000:.1f} ms\n{query['sql']}\n{plan}\n")


def measure(phase: str, rounds: int, warmup: int, plans: Path) -> dict[str, Any]:
    agents, supervisor = _viewers()
    inputs = _inputs(agents, rounds + warmup, seed=11)
    tasks: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = []
    for kind in SEARCH_KINDS:
        tasks.extend((kind, _search, args) for args in inputs[kind][: rounds + warmup])
    for i in range(rounds + warmup):
        tasks.append(("queue_agent", _queue_page, (agents[i % len(agents)],)))
        tasks.append(("queue_supervisor", _queue_page, (supervisor,)))
    rng = random.Random(5)
    rng.shuffle(tasks)
    seen: dict[str, int] = defaultdict(int)
    samples: dict[str, list[float]] = defaultdict(list)
    slowest: dict[str, tuple[float, tuple[Any, ...]]] = {}
    results: dict[str, list[int]] = defaultdict(list)
    floor = []
    started = time.perf_counter()
    for kind, operation, args in tasks:
        seen[kind] += 1
        tick = time.perf_counter()
        found = operation(*args)
        elapsed = time.perf_counter() - tick
        if seen[kind] <= warmup:
            continue
        samples[kind].append(elapsed)
        results[kind].append(found)
        if elapsed > slowest.get(kind, (0.0, ()))[0]:
            slowest[kind] = (elapsed, args)
        for _ in range(2):
            tick = time.perf_counter()
            _select_1()
            floor.append(time.perf_counter() - tick)
    floor_p95 = statistics.quantiles(floor, n=100, method="inclusive")[94]
    kinds = {}
    for kind in (*SEARCH_KINDS, *QUEUE_KINDS):
        kinds[kind] = _stats(samples[kind], floor_p95)
        kinds[kind]["mean_rows"] = round(statistics.mean(results[kind]), 1)
    all_searches = [s for kind in SEARCH_KINDS for s in samples[kind]]
    with plans.open("a") as out:
        out.write(f"\n\n{'#' * 100}\n# phase: {phase}\n{'#' * 100}\n")
        for kind, (elapsed, args) in slowest.items():
            operation = _queue_page if kind in QUEUE_KINDS else _search
            viewer, *rest = args
            title = f"[{phase}] slowest {kind} ({_ms(elapsed)} ms): viewer {viewer.pk} {rest}"
            _explain(operation, args, title, out)
    return {
        "load_average_1min": round(os.getloadavg()[0], 2),
        "select_1": _stats(floor),
        "searches": _stats(all_searches, floor_p95),
        "kinds": kinds,
        "seconds": round(time.perf_counter() - started, 1),
    }


def print_phase(phase: str, result: dict[str, Any]) -> None:
    log(f"[{phase}] SELECT 1 round trip: p50 {result['select_1']['p50_ms']} ms, "
        f"p95 {result['select_1']['p95_ms']} ms; load average at the end "
        f"{result['load_average_1min']} on {os.cpu_count()} cores")  # fmt: skip
    for kind, stats in [("all searches", result["searches"]), *result["kinds"].items()]:
        log(
            f"[{phase}] {kind:24} n={stats['n']:4}  p50 {stats['p50_ms']:8.2f} ms  "
            f"p95 {stats['p95_ms']:8.2f} ms  max {stats['max_ms']:8.2f} ms  "
            f"p95/SELECT1 x{stats['p95_ratio_to_select_1']}"
            + (f"  rows {stats['mean_rows']}" if "mean_rows" in stats else "")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200, help="timed operations per kind")
    parser.add_argument("--warmup", type=int, default=10, help="untimed operations per kind")
    parser.add_argument(
        "--before-rounds", type=int, default=40, help="timed operations per kind, before"
    )
    parser.add_argument("--skip-before", action="store_true", help="measure with indexes only")
    parser.add_argument("--plans", default=str(ROOT / "var" / "bench-search-plans.txt"))
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--reuse", action="store_true", help="measure the existing database")
    parser.add_argument("--strict", action="store_true", help="exit 2 when a target is missed")
    args = parser.parse_args()

    why = postgres_answers()
    if why is not None:
        log(f"skipped: no PostgreSQL server at {PG_SERVER} ({why})")
        print(json.dumps({"skipped": why, "search_met": None, "queue_met": None}))
        return 0
    started = time.perf_counter()
    plans = Path(args.plans)
    plans.parent.mkdir(parents=True, exist_ok=True)
    when = dt.datetime.now(dt.UTC)
    plans.write_text(
        f"EXPLAIN (ANALYZE, BUFFERS) of the slowest operations, {when:%Y-%m-%d %H:%M} UTC\n"
    )
    summary: dict[str, Any] = {}
    with postgres_database(DATABASE, create=not args.reuse, keep=args.keep or args.reuse) as url:
        env = {**os.environ, "SEJOUR_ENV": "local", "DATABASE_URL": url}
        try:
            if not args.reuse:
                manage(env, "migrate", "--verbosity", "0")
                manage(env, "load_catalog", "--verbosity", "0")
                if not args.skip_before:
                    index_migrations(url, "drop")
                log(f"filling {args.dossiers:,} dossiers...")
                made = fill(url, args.dossiers)
                log(
                    f"filled {made['users']:,} users ({made['agents']:,} agents), "
                    f"{made['dossiers']:,} dossiers in {made['fill_seconds']} s {made['seconds']}"
                )
                summary["fill"] = made
            django_setup(url)
            if not args.skip_before and not args.reuse:
                warmup = min(args.warmup, 3)
                summary["before"] = measure("before", args.before_rounds, warmup, plans)
                print_phase("before", summary["before"])
                django_close()
                seconds = index_migrations(url, "create")
                summary["index_migrations_seconds"] = round(seconds, 1)
                log(f"index migrations applied on the full base in {seconds:.1f} s")
            summary["after"] = measure("after", args.rounds, args.warmup, plans)
            print_phase("after", summary["after"])
        finally:
            if "django" in sys.modules:
                django_close()

    after = summary["after"]["kinds"]
    search_p95 = max(after[kind]["p95_ms"] for kind in SEARCH_KINDS)
    queue_p95 = after["queue_agent"]["p95_ms"]
    supervisor_p95 = after["queue_supervisor"]["p95_ms"]
    summary.update(
        {
            "select_1_p95_ms": summary["after"]["select_1"]["p95_ms"],
            "search_p95_ms": search_p95,
            "search_p95_ms_all_kinds_pooled": summary["after"]["searches"]["p95_ms"],
            "queue_p95_ms": queue_p95,
            "queue_supervisor_p95_ms": supervisor_p95,
            "targets": {
                "search_p95_ms_max": TARGET_SEARCH_P95_MS,
                "queue_p95_ms_max": TARGET_QUEUE_P95_MS,
            },
            "search_met": search_p95 < TARGET_SEARCH_P95_MS,
            "queue_met": queue_p95 < TARGET_QUEUE_P95_MS,
            "queue_supervisor_met": supervisor_p95 < TARGET_QUEUE_P95_MS,
            "plans": str(plans),
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
    log(f"plans of the slowest operations: {plans}")
    print(json.dumps(summary), flush=True)
    if args.strict and not (summary["search_met"] and summary["queue_met"]):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
