"""Person-days without a valid document over a year of renewals, Séjour against the current portal.

Usage: python bench/continuity.py [--renewals 100000] [--seed 1] [--capacity-ratio 0.85]
                                  [--outages 60:3,150:5,270:8] [--lead-days 15] [--late-share 0.10]

A simulation in pure Python (sejour.rules and the standard library: no Django, no database),
deterministic for a given --seed. See bench/README.md, section "Continuity".

1. The population: permits expiring on days spread evenly over a year (the first one expires
   when its renewal window opens on day 0), a few percent held by refugees or beneficiaries of
   subsidiary protection (6-month extension attestations). Each holder files a renewal: most
   inside the window of `rules.filing.renewal_window` (ANEF: day -120 to day -60), on a day
   drawn evenly in it; a few try too early, are refused by the portal and refile on the day the
   window opens; some file late (after the window, before expiry): no attestation is due by
   right, but an agent grants one to a share of them, some days after the filing.
2. The agents: one queue, first in first out, a daily decision capacity below the average
   daily filings (--capacity-ratio of it), behind an initial backlog of older dossiers; so
   the wait grows through the year and many decisions come after the old permit expired.
   Approvals and refusals are drawn; after an approval the card is handed over after a delay.
3. The task worker: down during the outages (--outages); it issues nothing on those days and
   catches up on its first day back, issuing every item whose day has come.
4. Two policies for the documents, on the same population and the same decisions:
   - Séjour: the daily sweep issues each extension attestation --lead-days before the day it
     must start (the first one starts the day after expiry, each next one the day after the
     previous one ends: `rules.attestations.next_period`, renewed on `renewal_due_on`) for as
     long as no decision is made; on approval a favourable-decision attestation from the
     approval day, renewed the same way until the card is handed over.
   - The current portal as documented ("attestation on request, issued late"): nothing is
     issued unless asked; the holder asks some days after the old permit (or the previous
     attestation) lapses and receives it weeks later, dated from its issue; the same for the
     favourable-decision attestation. See CURRENT_* below: modelling assumptions.
5. The count: for each holder, from the filing day until the card is handed over (or the
   refusal, after which no cover is owed), the days on which no valid document is in hand:
   the old permit through its expiry day, an attestation whose period contains the day and
   that was issued on or before it, the new card from the hand-over.

Printed for each policy: person-days without a valid document (timely filers, late filers),
people affected, the longest single gap, attestations issued; then the ratio of the two. The
last line is JSON. Target: zero person-days for timely filers under Séjour, outages included
(`target_met`). The exit status is 0 whether the target is met or not.
"""

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sejour.rules.attestations import (
    RENEWAL_LEAD_DAYS,
    extension_due,
    extension_max_months,
    favourable_decision_periods,
    next_period,
    renewal_due_on,
)
from sejour.rules.dates import Period, add_days
from sejour.rules.filing import (
    RENEWAL_WINDOW_OPENS_DAYS_BEFORE,
    Timeliness,
    filing_timeliness,
    renewal_window,
)

# --- Modelling assumptions for the current portal ------------------------------------------------
# Not measured figures: orders of magnitude read loosely from the Défenseur des droits' findings
# and the users' accounts summed up in /work/shared/DOMAIN.md ("no attestation at all after
# filing, or attestations late"; delays of weeks). No attestation is issued without a request;
# the holder asks once the old permit (or the previous attestation) has lapsed, a few days
# later, and receives it weeks after asking, dated from the day it is issued. "Not at all" is
# not modelled: every request is eventually answered, so the current figures are a floor.
CURRENT_REQUEST_AFTER_LAPSE_DAYS = (0, 10)  # from the last valid day to the request, drawn evenly
CURRENT_ISSUE_DELAY_DAYS = (15, 60)  # from the request to the attestation in hand, drawn evenly

# --- Modelling assumptions shared by both policies -----------------------------------------------
# An agent's answer to a late filer's request for an extension attestation (not due by right,
# R.431-15-1): days after the filing, drawn evenly. Whether it is granted: --late-grant-share.
LATE_GRANT_DELAY_DAYS = (0, 20)
# A dossier is decided at the earliest the day after it was filed.
MIN_REVIEW_DAYS = 1
# Everyone files inside this many days after the first window opens; the year of expiries.
YEAR_DAYS = 365

# A worker's item: (person, favourable-decision attestation?, period). Séjour's extension items
# carry the period to issue; its favourable-decision items carry the previous period (None for
# the first, which starts on the approval day). The current portal's items carry None.
Item = tuple[int, bool, Period | None]


@dataclass(frozen=True)
class Config:
    """The parameters of one run; the defaults are those of `make bench`."""

    renewals: int = 100_000
    seed: int = 1
    start: date = date(2027, 1, 1)
    capacity_ratio: float = 0.85
    initial_backlog_days: int = 90
    outages: tuple[tuple[int, int], ...] = ((60, 3), (150, 5), (270, 8))
    lead_days: int = RENEWAL_LEAD_DAYS
    early_share: float = 0.05
    late_share: float = 0.10
    late_grant_share: float = 0.5
    protection_share: float = 0.03
    approval_share: float = 0.90
    handover_days: tuple[int, int] = (21, 56)
    horizon_cap_days: int = 3 * 365
    current_request_after_lapse_days: tuple[int, int] = CURRENT_REQUEST_AFTER_LAPSE_DAYS
    current_issue_delay_days: tuple[int, int] = CURRENT_ISSUE_DELAY_DAYS


@dataclass
class Population:
    """One list per attribute, indexed by person; days are offsets from `Config.start`."""

    expiry: list[int] = field(default_factory=list)
    filed: list[int] = field(default_factory=list)
    timely: list[bool] = field(default_factory=list)
    early: list[bool] = field(default_factory=list)
    # The first day an extension attestation may be issued (entitlement), or None if never.
    entitled_from: list[int | None] = field(default_factory=list)
    max_months: list[int] = field(default_factory=list)
    decided: list[int] = field(default_factory=list)
    approved: list[bool] = field(default_factory=list)
    handed_over: list[int | None] = field(default_factory=list)


def parse_outages(text: str) -> tuple[tuple[int, int], ...]:
    """'60:3,150:5' -> ((60, 3), (150, 5)): first day (offset from the start) and length."""
    outages = []
    for part in text.split(","):
        if not part.strip():
            continue
        first, _, length = part.partition(":")
        outage = (int(first), int(length))
        if outage[0] < 0 or outage[1] < 1:
            raise ValueError(f"Bad outage {part!r}: need day >= 0 and length >= 1.")
        outages.append(outage)
    return tuple(outages)


def _worker_down(config: Config, size: int) -> list[bool]:
    down = [False] * size
    for first, length in config.outages:
        for day in range(first, min(first + length, size)):
            down[day] = True
    return down


def _population(config: Config, rng: random.Random) -> Population:
    people = Population()
    start = config.start
    for _ in range(config.renewals):
        expiry = add_days(start, RENEWAL_WINDOW_OPENS_DAYS_BEFORE + rng.randrange(YEAR_DAYS))
        window = renewal_window(expiry=expiry, anef=True)
        draw = rng.random()
        early = draw < config.early_share
        if early:
            # Refused by the portal as too early; refiled on the day the window opens.
            filed_on = window.opens
        elif draw < config.early_share + config.late_share:
            filed_on = add_days(window.closes, rng.randint(1, (expiry - window.closes).days))
        else:
            filed_on = add_days(
                window.opens, rng.randrange((window.closes - window.opens).days + 1)
            )
        timeliness = filing_timeliness(filed_on=filed_on, expiry=expiry, anef=True)
        filed = (filed_on - start).days
        if extension_due(timeliness=timeliness, complete=True):
            entitled_from: int | None = filed
        elif timeliness is Timeliness.LATE and rng.random() < config.late_grant_share:
            entitled_from = filed + rng.randint(*LATE_GRANT_DELAY_DAYS)
        else:
            entitled_from = None
        people.expiry.append((expiry - start).days)
        people.filed.append(filed)
        people.timely.append(timeliness is Timeliness.TIMELY)
        people.early.append(early)
        people.entitled_from.append(entitled_from)
        people.max_months.append(
            extension_max_months(protection=rng.random() < config.protection_share)
        )
    return people


def _decide(config: Config, people: Population, rng: random.Random) -> dict[str, float | int]:
    """The agents' queue, first in first out, one day at a time; fills decided/approved/handed_over."""
    count = len(people.filed)
    capacity = config.capacity_ratio * count / YEAR_DAYS
    ties = [rng.random() for _ in range(count)]
    order = sorted(range(count), key=lambda i: (people.filed[i], ties[i]))
    people.decided = [0] * count
    people.approved = [False] * count
    people.handed_over = [None] * count
    phantoms = round(config.initial_backlog_days * capacity)
    credit = 0.0
    arrived = decided = 0
    longest_queue = 0
    day = 0
    while decided < count and day <= config.horizon_cap_days:
        while arrived < count and people.filed[order[arrived]] + MIN_REVIEW_DAYS <= day:
            arrived += 1
        longest_queue = max(longest_queue, phantoms + arrived - decided)
        credit += capacity
        slots = int(credit)
        credit -= slots
        taken = min(slots, phantoms)
        phantoms -= taken
        slots -= taken
        while slots and decided < arrived:
            person = order[decided]
            people.decided[person] = day
            if rng.random() < config.approval_share:
                people.approved[person] = True
                people.handed_over[person] = day + rng.randint(*config.handover_days)
            decided += 1
            slots -= 1
        day += 1
    for person in order[decided:]:  # never decided within the cap
        people.decided[person] = config.horizon_cap_days + 1
    after_expiry = sum(people.decided[i] > people.expiry[i] for i in range(count))
    waits = sorted(people.decided[i] - people.filed[i] for i in range(count))
    return {
        "decisions_per_day": round(capacity, 1),
        "filings_per_day": round(count / YEAR_DAYS, 1),
        "longest_queue": longest_queue,
        "last_decision_day": max(people.decided, default=0),
        "decided_after_expiry_share": round(after_expiry / count, 3) if count else 0.0,
        "median_wait_days": waits[len(waits) // 2] if waits else 0,
        "longest_wait_days": waits[-1] if waits else 0,
        "undecided_at_cap": count - decided,
    }


def _stop(people: Population, person: int) -> int:
    """The first day no longer counted: hand-over of the card, or the refusal."""
    handed_over = people.handed_over[person]
    return handed_over if handed_over is not None else people.decided[person]


class _Worker:
    """The task worker's day loop: items wait in per-day buckets; down days carry them over."""

    def __init__(self, config: Config, horizon: int) -> None:
        self.config = config
        self.horizon = horizon
        self.down = _worker_down(config, horizon + 1)
        self.buckets: list[list[Item]] = [[] for _ in range(horizon + 1)]

    def schedule(self, day: int, item: Item) -> None:
        if day <= self.horizon:  # beyond the horizon nothing is counted any more
            self.buckets[day].append(item)

    def run(self, issue: Callable[[int, Item], None]) -> None:
        carried: list[Item] = []
        for day in range(self.horizon + 1):
            items = carried + self.buckets[day] if carried else self.buckets[day]
            self.buckets[day] = []
            if self.down[day]:
                carried = items
                continue
            carried = []
            for item in items:
                issue(day, item)


def _as_date(config: Config, day: int) -> date:
    return add_days(config.start, day)


def _as_day(config: Config, d: date) -> int:
    return (d - config.start).days


def _sejour(config: Config, people: Population, horizon: int) -> list[list[tuple[int, int, int]]]:
    """Séjour's sweep. Returns, per person, (in hand from, valid from, valid to) of each document."""
    held: list[list[tuple[int, int, int]]] = [[] for _ in people.filed]
    worker = _Worker(config, horizon)
    lead = config.lead_days
    for person, entitled_from in enumerate(people.entitled_from):
        if entitled_from is not None:
            first = next_period(
                previous=None,
                old_expiry=_as_date(config, people.expiry[person]),
                max_months=people.max_months[person],
            )
            due = max(_as_day(config, first.start) - lead, entitled_from)
            worker.schedule(due, (person, False, first))
        if people.approved[person]:
            approved_on = people.decided[person]
            worker.schedule(approved_on, (person, True, None))

    def issue(day: int, item: Item) -> None:
        person, favourable, period = item
        if favourable:
            if day >= _stop(people, person):  # the card is in hand
                return
            start = (
                _as_date(config, people.decided[person])
                if period is None
                else add_days(period.end, 1)
            )
            period = favourable_decision_periods(
                approved_on=start, through=start, handed_over_on=None
            )[0]
        else:
            if day >= people.decided[person]:  # decided: no more extension attestations
                return
            assert period is not None
        held[person].append((day, _as_day(config, period.start), _as_day(config, period.end)))
        # A favourable-decision item carries the previous period: see `Item`.
        successor = (
            period
            if favourable
            else next_period(
                previous=period,
                old_expiry=_as_date(config, people.expiry[person]),
                max_months=people.max_months[person],
            )
        )
        due = _as_day(config, renewal_due_on(period, lead_days=lead))
        worker.schedule(max(due, day + 1), (person, favourable, successor))

    worker.run(issue)
    return held


def _current(
    config: Config, people: Population, horizon: int, rng: random.Random
) -> list[list[tuple[int, int, int]]]:
    """The current portal: attestations on request, issued weeks later, dated from their issue."""
    held: list[list[tuple[int, int, int]]] = [[] for _ in people.filed]
    worker = _Worker(config, horizon)

    def ask(person: int, lapsed: int, favourable: bool) -> None:
        # The holder asks some days after `lapsed` (the last valid day), if still owed a document.
        request = lapsed + rng.randint(*config.current_request_after_lapse_days)
        if request >= (_stop(people, person) if favourable else people.decided[person]):
            return
        worker.schedule(
            request + rng.randint(*config.current_issue_delay_days), (person, favourable, None)
        )

    for person, entitled_from in enumerate(people.entitled_from):
        if entitled_from is not None:
            # The first request, some days after expiry (or after an agent's grant, if later).
            ask(person, max(people.expiry[person], entitled_from), favourable=False)
        if people.approved[person]:
            # The favourable-decision attestation, asked for some days after the approval.
            ask(person, people.decided[person], favourable=True)

    def issue(day: int, item: Item) -> None:
        person, favourable, _ = item
        if day >= (_stop(people, person) if favourable else people.decided[person]):
            return
        on = _as_date(config, day)
        if favourable:
            period = favourable_decision_periods(approved_on=on, through=on, handed_over_on=None)[0]
        else:
            period = next_period(
                previous=None, old_expiry=add_days(on, -1), max_months=people.max_months[person]
            )
        end = _as_day(config, period.end)
        held[person].append((day, day, end))
        ask(person, end, favourable)

    worker.run(issue)
    return held


def _gaps(first: int, stop: int, expiry: int, documents: list[tuple[int, int, int]]) -> list[int]:
    """The lengths of the runs of days in [first, stop) covered by no document in hand."""
    covered = sorted(
        [(max(in_hand, valid_from), valid_to) for in_hand, valid_from, valid_to in documents]
        + [(first, expiry)]
    )
    covered = [(begin, end) for begin, end in covered if begin <= end]
    gaps = []
    cursor = first  # the first day not yet known to be covered
    for begin, end in covered:
        if cursor >= stop:
            break
        if begin > cursor:
            gaps.append(min(begin, stop) - cursor)
        cursor = max(cursor, end + 1)
    if cursor < stop:
        gaps.append(stop - cursor)
    return [g for g in gaps if g > 0]


def _tally(
    people: Population, held: list[list[tuple[int, int, int]]], horizon: int
) -> dict[str, int]:
    days = {"timely": 0, "late": 0}
    affected = {"timely": 0, "late": 0}
    worst = 0
    issued = 0
    for person, documents in enumerate(held):
        issued += len(documents)
        stop = min(_stop(people, person), horizon + 1)
        gaps = _gaps(people.filed[person], stop, people.expiry[person], documents)
        if gaps:
            group = "timely" if people.timely[person] else "late"
            days[group] += sum(gaps)
            affected[group] += 1
            worst = max(worst, *gaps)
    return {
        "person_days": days["timely"] + days["late"],
        "person_days_timely": days["timely"],
        "person_days_late": days["late"],
        "people_affected": affected["timely"] + affected["late"],
        "people_affected_timely": affected["timely"],
        "people_affected_late": affected["late"],
        "worst_gap_days": worst,
        "attestations_issued": issued,
    }


def simulate(config: Config) -> dict[str, Any]:
    """Run the simulation; return its figures (no printing)."""
    rng = random.Random(config.seed)
    people = _population(config, rng)
    queue = _decide(config, people, rng)
    stops = [_stop(people, i) for i in range(len(people.filed))]
    horizon = min(max(stops, default=0), config.horizon_cap_days)
    sejour = _tally(people, _sejour(config, people, horizon), horizon)
    current_rng = random.Random(f"{config.seed}-current")
    current = _tally(people, _current(config, people, horizon, current_rng), horizon)
    count = len(people.filed)
    timely = sum(people.timely)
    ratio = current["person_days"] / sejour["person_days"] if sejour["person_days"] else None
    settings = asdict(config)
    settings["start"] = config.start.isoformat()
    return {
        "config": settings,
        "renewals": count,
        "timely_filers": timely,
        "refiled_at_window_opening": sum(people.early),
        "late_filers": count - timely,
        "late_filers_granted": sum(
            1 for i in range(count) if not people.timely[i] and people.entitled_from[i] is not None
        ),
        "protection": sum(m != extension_max_months(protection=False) for m in people.max_months),
        "approved": sum(people.approved),
        "refused": count - sum(people.approved),
        "horizon_days": horizon,
        "queue": queue,
        "sejour": sejour,
        "current": current,
        "ratio_current_to_sejour": None if ratio is None else round(ratio, 1),
        "target_met": sejour["person_days_timely"] == 0,
    }


def report(figures: dict[str, Any], seconds: float) -> None:
    config, queue = figures["config"], figures["queue"]
    outages = ", ".join(f"day {first} ({length} d)" for first, length in config["outages"])
    print(
        f"{figures['renewals']:,} renewals, seed {config['seed']}: {figures['timely_filers']:,} "
        f"timely (of which {figures['refiled_at_window_opening']:,} refiled when the window "
        f"opened), {figures['late_filers']:,} late ({figures['late_filers_granted']:,} granted "
        f"an attestation by an agent), {figures['protection']:,} with protection (6 months)"
    )
    print(
        f"agents: {queue['decisions_per_day']} decisions a day for {queue['filings_per_day']} "
        f"filings a day, behind {config['initial_backlog_days']} days of backlog (queue peak "
        f"{queue['longest_queue']:,}); median wait "
        f"{queue['median_wait_days']} d, longest {queue['longest_wait_days']} d; "
        f"{queue['decided_after_expiry_share']:.0%} decided after the old permit expired; "
        f"{figures['approved']:,} approved, {figures['refused']:,} refused"
    )
    print(
        f"worker outages: {outages or 'none'}; lead {config['lead_days']} days; "
        f"horizon {figures['horizon_days']} days"
    )
    rows = [
        ("person-days without a valid document", "person_days"),
        ("  timely filers", "person_days_timely"),
        ("  late filers", "person_days_late"),
        ("people affected", "people_affected"),
        ("  timely filers", "people_affected_timely"),
        ("  late filers", "people_affected_late"),
        ("longest single gap (days)", "worst_gap_days"),
        ("attestations issued", "attestations_issued"),
    ]
    print(f"{'':40}{'Séjour':>12}{'current portal':>16}")
    for label, key in rows:
        print(f"{label:40}{figures['sejour'][key]:>12,}{figures['current'][key]:>16,}")
    ratio = figures["ratio_current_to_sejour"]
    if ratio is None:
        print("current / Séjour: Séjour has zero person-days without a document (ratio infinite)")
    else:
        print(f"current / Séjour: {ratio}x the person-days without a document")
    if figures["target_met"]:
        print("target met: zero person-days without a document for timely filers under Séjour")
    else:
        print(
            f"TARGET NOT MET: {figures['sejour']['person_days_timely']:,} person-days without a "
            f"document for timely filers under Séjour (target zero)"
        )
    print(f"simulated in {seconds:.1f} s")


def main(argv: list[str] | None = None) -> int:
    defaults = Config()
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--renewals", type=int, default=defaults.renewals)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--capacity-ratio",
        type=float,
        default=defaults.capacity_ratio,
        help="decisions a day, as a share of the average filings a day",
    )
    parser.add_argument(
        "--initial-backlog-days",
        type=int,
        default=defaults.initial_backlog_days,
        help="days of agents' capacity already queued on day 0",
    )
    parser.add_argument(
        "--outages",
        default=",".join(f"{first}:{length}" for first, length in defaults.outages),
        help="worker outages, 'first day:length' separated by commas ('' for none)",
    )
    parser.add_argument("--lead-days", type=int, default=defaults.lead_days)
    parser.add_argument("--early-share", type=float, default=defaults.early_share)
    parser.add_argument("--late-share", type=float, default=defaults.late_share)
    parser.add_argument("--late-grant-share", type=float, default=defaults.late_grant_share)
    parser.add_argument("--protection-share", type=float, default=defaults.protection_share)
    parser.add_argument("--approval-share", type=float, default=defaults.approval_share)
    parser.add_argument(
        "--handover-days",
        default=f"{defaults.handover_days[0]}:{defaults.handover_days[1]}",
        help="days from approval to the card in hand, 'min:max'",
    )
    parser.add_argument("--horizon-cap-days", type=int, default=defaults.horizon_cap_days)
    args = parser.parse_args(argv)
    low, _, high = args.handover_days.partition(":")
    config = Config(
        renewals=args.renewals,
        seed=args.seed,
        capacity_ratio=args.capacity_ratio,
        initial_backlog_days=args.initial_backlog_days,
        outages=parse_outages(args.outages),
        lead_days=args.lead_days,
        early_share=args.early_share,
        late_share=args.late_share,
        late_grant_share=args.late_grant_share,
        protection_share=args.protection_share,
        approval_share=args.approval_share,
        handover_days=(int(low), int(high or low)),
        horizon_cap_days=args.horizon_cap_days,
    )
    started = time.perf_counter()
    figures = simulate(config)
    seconds = time.perf_counter() - started
    figures["seconds"] = round(seconds, 1)
    report(figures, seconds)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
