"""Schemathesis hooks of the contract test (test/contract/run-schemathesis.ts loads them).

They change what is generated, never what is checked:

- the document's example URLs point at the run's loopback target (CONTRACT_TARGET), so the
  examples phase and the stateful phase create tasks that really call something and record a
  real result; its example runAt is tomorrow, so that the tasks made from it are still scheduled
  when later cases change or cancel them;
- of the coverage phase's cases that try each time zone of the enum (597 of them, in every
  timing alternative of POST and PATCH /schedules), those of a fixed sample are sent: every 20th
  zone and a few with unusual offsets or spellings;
- a positive case never breaks a rule the document states in words because JSON Schema cannot
  say it (a cursor is a nextCursor this API gave; every `at` time is in the future; endAt is
  after startAt; a cron range runs forwards; an orchestration's call ids are unique, and a
  reference `{{calls.<id>...}}` names a call that answers before; a retry's fromStep is one of the
  orchestration's steps, and the steps from it on refer to no call before it): a client that
  reads the document does not send such requests, and the API answers them 400, as documented.
  Where the rule depends on the resource, which the hook does not know, positive cases keep to
  what holds for any: a PATCH of an orchestration changes its whole plan (steps, conditionCheck
  and fallback) or none of it (the parts it gives are checked with the parts it keeps), and a
  retry of one starts from step 1 (every orchestration has it, and it drops no step; without a
  body, the failed step may drop one);
- every positive creation gets an Idempotency-Key of its own (generated keys repeat across cases,
  and a key reused with another body is a 409 before anything is created);
- schedules fire at most every 5 minutes, so that the worker spends the run's few minutes on the
  calls the fuzzer makes rather than on hundreds of once-a-second schedules;
- a task or orchestration the stateful phase creates is due in an hour at the earliest: its
  links lead on to PATCH and cancel, which only a run that is still scheduled takes; so is one
  the coverage phase creates, and a schedule it creates is paused unless the case says: that
  phase sends thousands of positive creations (2,598 orchestrations and 988 schedules in one
  run), and run at once they kept the 2 cores busy with 8,000 failing calls, until queries timed
  out (503) and Updates took over 10 s in the later phases. The examples and fuzzing phases
  create runs due at any time, now included, so runs that ended are read too.
"""

from __future__ import annotations

import itertools
import os
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import schemathesis

EXAMPLE_ORIGIN = "https://abc123.lambda-url.eu-central-1.on.aws"
EXAMPLE_RUN_AT = "2026-11-24T14:05:00Z"
TIME_ZONE_COVERAGE = "Object with valid 'timezone' value: Enum value"
# Filled from the document's TimeZone enum when it loads.
TIME_ZONE_SAMPLE = {"UTC", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Etc/GMT+12", "Etc/GMT-14"}
TARGET = os.environ["CONTRACT_TARGET"]
# A generated `at` time this close to now may be in the past when the API reads it.
FUTURE_MARGIN = timedelta(minutes=2)
LEAST_EVERY_MS = 300_000
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRY_ORCHESTRATION = "/orchestrations/{id}/retry"
# An orchestration's plan, and the rules between its calls (apps/api/src/orchestrations/orchestration-plan.ts).
PLAN_PARTS = ("steps", "conditionCheck", "fallback")
MAX_CALLS = 100
REFERENCE = re.compile(r"\{\{\s*calls\.([a-z][a-z0-9_]{0,39})\.(status|body)((?:\.[^.{}\s]+)*)\s*\}\}")
LOOKS_LIKE_REFERENCE = re.compile(r"\{\{\s*calls\.")
# The creations of runs the stateful and coverage phases make due in an hour, by the field that delays them.
DELAY_FIELDS = {"/tasks": "delayMs", "/orchestrations": "initialDelayMs"}
LATER_PHASES = ("stateful", "coverage")
STATEFUL_LEAD = timedelta(hours=1)
_KEY_SUFFIXES = itertools.count(1)

CRON_FIELDS = [
    (0, 59, []),
    (0, 23, []),
    (1, 31, []),
    (1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
    (0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
]


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    _rewrite_examples(raw_schema, (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    zones = raw_schema.get("components", {}).get("schemas", {}).get("TimeZone", {}).get("enum", [])
    TIME_ZONE_SAMPLE.update(zones[::20])


def _rewrite_examples(node: Any, tomorrow: str) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = tomorrow if key == "example" and value == EXAMPLE_RUN_AT else _rewrite_examples(value, tomorrow)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            node[index] = _rewrite_examples(value, tomorrow)
    elif isinstance(node, str) and node.startswith(EXAMPLE_ORIGIN):
        return TARGET + node[len(EXAMPLE_ORIGIN) :]
    return node


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    if not _is_positive(case):
        return True
    if case.operation.path == RETRY_ORCHESTRATION:
        return isinstance(case.body, dict)
    if not isinstance(case.body, dict):
        return True
    description = getattr(case.meta.phase.data, "description", None) or ""
    if description.startswith(TIME_ZONE_COVERAGE) and case.body.get("timezone") not in TIME_ZONE_SAMPLE:
        return False
    if case.operation.path in ("/schedules", "/schedules/{id}") and case.method.upper() in ("POST", "PATCH"):
        return _schedule_rules_hold(case.body)
    if case.operation.path == "/orchestrations" and case.method.upper() == "POST":
        return _plan_rules_hold(case.body)
    if case.operation.path == "/orchestrations/{id}" and case.method.upper() == "PATCH":
        given = [part for part in PLAN_PARTS if part in case.body]
        if len(given) == len(PLAN_PARTS):
            return _plan_rules_hold(case.body)
        # A part of the plan alone is dropped (map_case): something else must be left to change.
        return any(key not in PLAN_PARTS for key in case.body)
    return True


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    if not _is_positive(case):
        return case
    if isinstance(case.query, dict):
        case.query.pop("cursor", None)
    # Headers are a case-insensitive mapping, not a dict.
    key = case.headers.get(IDEMPOTENCY_HEADER) if case.headers is not None else None
    if isinstance(key, str):
        # Generated keys repeat across cases with other bodies, and a reused key is a 409 (as
        # documented) before anything is created: a run's own suffix makes every creation real.
        case.headers[IDEMPOTENCY_HEADER] = f"{key[:180]}-{next(_KEY_SUFFIXES)}"
    if case.operation.path in ("/schedules", "/schedules/{id}") and isinstance(case.body, dict):
        every = case.body.get("everyMs")
        if isinstance(every, int) and not isinstance(every, bool) and every < LEAST_EVERY_MS:
            case.body["everyMs"] = LEAST_EVERY_MS
    if case.operation.path == RETRY_ORCHESTRATION and isinstance(case.body, dict):
        case.body["fromStep"] = 1
    if case.operation.path == "/orchestrations/{id}" and case.method.upper() == "PATCH" and isinstance(case.body, dict):
        if not all(part in case.body for part in PLAN_PARTS):
            for part in PLAN_PARTS:
                case.body.pop(part, None)
    if case.meta.phase.name in LATER_PHASES and case.method.upper() == "POST" and isinstance(case.body, dict):
        delay_field = DELAY_FIELDS.get(case.operation.path)
        if delay_field is not None:
            _due_in_an_hour_at_least(case.body, delay_field)
        if case.meta.phase.name == "coverage" and case.operation.path == "/schedules":
            case.body.setdefault("paused", True)
    return case


def _due_in_an_hour_at_least(body: dict[str, Any], delay_field: str) -> None:
    """A run created in the stateful phase stays scheduled long enough for the links that change or cancel it."""
    run_at = _instant(body.get("runAt"))
    if run_at is not None:
        if run_at < datetime.now(timezone.utc) + STATEFUL_LEAD:
            body["runAt"] = (datetime.now(timezone.utc) + STATEFUL_LEAD).strftime("%Y-%m-%dT%H:%M:%SZ")
        return
    delay = body.get(delay_field)
    lead_ms = STATEFUL_LEAD // timedelta(milliseconds=1)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < lead_ms:
        body[delay_field] = lead_ms


def _is_positive(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_positive


def _schedule_rules_hold(body: dict[str, Any]) -> bool:
    at = body.get("at")
    if isinstance(at, list):
        soonest = datetime.now(timezone.utc) + FUTURE_MARGIN
        if any(isinstance(t, str) and _instant(t) is not None and _instant(t) <= soonest for t in at):
            return False
    start, end = _instant(body.get("startAt")), _instant(body.get("endAt"))
    # In whole milliseconds, as the API compares them.
    if start is not None and end is not None and _ms(end) <= _ms(start):
        return False
    cron = body.get("cron")
    return not isinstance(cron, str) or _cron_ranges_run_forwards(cron)


def _plan_rules_hold(body: dict[str, Any]) -> bool:
    """
    The rules between an orchestration's calls, kept on the safe side: ids unique, at most 100
    calls, and references only from a step's call to a call or wait step before it (the API takes
    more: references from the check, the fallback and branch calls too).
    """
    ids: list[str] = []
    answered: set[str] = set()
    calls = 0
    steps = body.get("steps")
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict):
            continue
        if "parallel" in step:
            branches = step["parallel"] if isinstance(step["parallel"], list) else []
            group = [call for branch in branches if isinstance(branch, list) for call in branch if isinstance(call, dict)]
            calls += len(group)
            ids += [call["id"] for call in group if "id" in call]
            if any(_mentions_reference(call) for call in group):
                return False
            continue
        if "waitFor" not in step:
            calls += 1
            if not _refers_only_to(step, answered):
                return False
        if "id" in step:
            ids.append(step["id"])
            answered.add(step["id"])
    for part in ("conditionCheck", "fallback"):
        call = body.get(part)
        if isinstance(call, dict):
            calls += 1
            ids += [call["id"]] if "id" in call else []
            if _mentions_reference(call):
                return False
    return len(ids) == len(set(ids)) and calls <= MAX_CALLS


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _mentions_reference(call: dict[str, Any]) -> bool:
    return any(LOOKS_LIKE_REFERENCE.search(text) for text in _strings(call))


def _refers_only_to(call: dict[str, Any], answered: set[str]) -> bool:
    """Every reference in the call is well-formed and names one of `answered`."""
    for text in _strings(call):
        if any(match.group(1) not in answered for match in REFERENCE.finditer(text)):
            return False
        if LOOKS_LIKE_REFERENCE.search(REFERENCE.sub("", text)):
            return False
    return True


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _ms(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(milliseconds=1)


def _cron_ranges_run_forwards(cron: str) -> bool:
    fields = re.split(r"[ \t]+", cron.strip(" \t"))
    if len(fields) != len(CRON_FIELDS):
        return True  # a shorthand
    for text, (_, _, names) in zip(fields, CRON_FIELDS):
        for item in text.split(","):
            body = item.split("/")[0]
            if "-" in body:
                low, high = (_cron_value(part, names) for part in body.split("-", 1))
                if low > high:
                    return False
    return True


def _cron_value(text: str, names: list[str]) -> int:
    if text.upper() in names:
        return names.index(text.upper()) + (1 if len(names) == 12 else 0)
    return int(text)
