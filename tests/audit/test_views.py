"""The review pages: auditors only, filters that export exactly what is shown, the whole trace."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kb_assistant.audit.models import AuditRecord
from kb_assistant.audit.selectors import AuditFilters, audit_record_filter, audit_record_page
from kb_assistant.audit.services import audit_event, audit_request, feedback_record
from router.trace import StageRecord
from tests.audit.conftest import cloud_trace, local_trace
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def audit_urls(record_pk: int) -> list[str]:
    return [
        reverse("audit:list"),
        reverse("audit:list") + "?route=cloud",
        reverse("audit:detail", args=[record_pk]),
        reverse("audit:export") + "?format=csv",
        reverse("audit:export") + "?format=jsonl",
        reverse("audit:dashboard"),
    ]


@pytest.fixture
def log(alice, bob, kim) -> dict[str, AuditRecord]:
    return {
        "cloud": audit_request(trace=cloud_trace(alice)),
        "local": audit_request(trace=local_trace(bob)),
        "fallback": audit_request(trace=cloud_trace(bob, route="fallback", compliance_actions=[])),
        "upload": audit_event(
            kind="document_upload", user=kim, detail={"document_id": 9, "title": "Leave policy"}
        ),
    }


def as_user(client, user):
    client.force_login(user)
    return client


def exported(client, query: str) -> str:
    response = client.get(reverse("audit:export") + query)
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("persona", ["alice", "kim", "oscar"])
def test_everyone_but_auditors_gets_403_on_every_audit_url(client, log, persona, request):
    client = as_user(client, request.getfixturevalue(persona))

    for url in audit_urls(log["cloud"].pk):
        assert client.get(url).status_code == 403, url


def test_an_anonymous_visitor_is_sent_to_log_in(client, log):
    for url in audit_urls(log["cloud"].pk):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_an_auditor_reaches_every_audit_url(client, log, audrey):
    client = as_user(client, audrey)

    for url in audit_urls(log["cloud"].pk):
        assert client.get(url).status_code == 200, url


def test_the_list_shows_newest_first_and_filters_by_route(client, log, audrey):
    client = as_user(client, audrey)

    everything = client.get(reverse("audit:list")).context["page"].records
    cloud_only = client.get(reverse("audit:list"), {"route": "cloud"}).context["page"].records

    assert [r.kind for r in everything] == ["login", "document_upload", "request", "request", "request"]
    assert [r.pk for r in cloud_only] == [log["cloud"].pk]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "bob"}, {"local", "fallback"}),
        ({"intent": "hr_admin"}, {"local"}),
        ({"route": "fallback"}, {"fallback"}),
        ({"cloud": "yes"}, {"cloud", "fallback"}),
        ({"cloud": "no", "kind": "request"}, {"local"}),
        ({"compliance": "any"}, {"cloud"}),
        ({"compliance": "placeholder_restored"}, {"cloud"}),
        ({"compliance": "none", "kind": "request"}, {"local", "fallback"}),
        ({"document": 9}, {"cloud", "local", "fallback", "upload"}),
        ({"document": 7}, {"cloud", "fallback"}),
        ({"kind": "document_upload"}, {"upload"}),
    ],
)
def test_each_filter_narrows_the_list(client, log, audrey, query, expected):
    records = as_user(client, audrey).get(reverse("audit:list"), query).context["page"].records

    assert {name for name, record in log.items() if record in records} == expected


def test_the_date_range_filter(client, log, audrey, alice, write_at):
    old = write_at(timezone.now() - timedelta(days=10), local_trace(alice))
    day = (timezone.now() - timedelta(days=10)).date().isoformat()
    client = as_user(client, audrey)

    only_then = client.get(reverse("audit:list"), {"date_from": day, "date_to": day}).context["page"].records
    since_then = client.get(reverse("audit:list"), {"date_from": day}).context["page"].records

    assert [r.pk for r in only_then] == [old.pk]
    assert len(since_then) == 6  # the old one, the log and the auditor's login


def test_pages_follow_each_other_without_gaps_or_repeats(alice):
    for _ in range(7):
        audit_request(trace=local_trace(alice))
    records = audit_record_filter(filters=AuditFilters())

    first = audit_record_page(records=records, size=3)
    second = audit_record_page(records=records, before=first.older, size=3)
    third = audit_record_page(records=records, before=second.older, size=3)
    back = audit_record_page(records=records, after=second.newer, size=3)

    assert [[r.seq for r in p.records] for p in (first, second, third)] == [[7, 6, 5], [4, 3, 2], [1]]
    assert (first.newer, third.older) == (None, None)
    assert [r.seq for r in back.records] == [7, 6, 5]


def test_the_detail_shows_the_payload_beside_the_local_context(client, log, audrey, alice):
    feedback_record(request_id=log["cloud"].request_id, user=alice, rating=-1, comment="too vague")

    response = as_user(client, audrey).get(reverse("audit:detail", args=[log["cloud"].pk]))
    page = response.content.decode()

    assert "maria.gonzalez@northwind.example" in page  # the local context, kept back
    assert "Ask &lt;PERSON_1&gt; (&lt;EMAIL_1&gt;) if unsure." in page  # what the cloud saw
    assert "sending 61 tokens instead of 540" in page
    assert "placeholders restored" in page and "too vague" in page  # the compliance kind, in words
    assert "generate" in page and "820.0" in page
    assert log["cloud"].hash in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_detail_of_a_local_answer_says_nothing_was_sent(client, log, audrey):
    page = as_user(client, audrey).get(reverse("audit:detail", args=[log["local"].pk])).content.decode()

    assert "Nothing was sent to the cloud." in page


def test_an_unknown_record_is_404(client, log, audrey):
    assert as_user(client, audrey).get(reverse("audit:detail", args=[9999])).status_code == 404


def test_the_csv_export_is_the_filtered_set(client, log, audrey, alice):
    feedback_record(request_id=log["cloud"].request_id, user=alice, rating=1)

    rows = list(csv.DictReader(io.StringIO(exported(as_user(client, audrey), "?format=csv&cloud=yes"))))

    assert [int(r["seq"]) for r in rows] == [log["fallback"].seq, log["cloud"].seq]
    cloud = rows[1]
    assert json.loads(cloud["cloud_payload"])[1]["content"].startswith("Context:")
    assert cloud["documents"] == "7 9" and cloud["feedback"] == "up by alice"
    assert cloud["hash"] == log["cloud"].hash


def test_the_csv_export_defuses_spreadsheet_formulas(client, audrey, alice):
    audit_request(trace=local_trace(alice, question='=HYPERLINK("http://evil.example")'))

    rows = list(csv.DictReader(io.StringIO(exported(as_user(client, audrey), "?format=csv&kind=request"))))

    assert rows[0]["question"].startswith("'=HYPERLINK")


def test_the_jsonl_export_carries_whole_records_that_can_be_rechecked(client, log, audrey):
    from kb_assistant.audit.chain import content_hash

    lines = exported(as_user(client, audrey), "?format=jsonl").splitlines()
    objects = [json.loads(line) for line in lines]

    assert [o["seq"] for o in objects] == [5, 4, 3, 2, 1]  # the auditor's own login is the newest
    for item in objects:
        content = {k: v for k, v in item.items() if k not in {"id", "prev_hash", "hash", "feedback"}}
        assert content_hash(prev_hash=item["prev_hash"], content=content) == item["hash"]


def test_an_unknown_export_format_is_400(client, log, audrey):
    assert as_user(client, audrey).get(reverse("audit:export"), {"format": "xlsx"}).status_code == 400


def test_the_dashboard_counts_routes_savings_and_compliance(client, log, audrey):
    response = as_user(client, audrey).get(reverse("audit:dashboard"))
    stats = response.context["stats"]

    assert stats.route_totals == {"local": 1, "cloud": 1, "fallback": 1}
    assert stats.savings.cloud_tokens_sent == 122 and stats.savings.plain_rag_tokens == 540 * 2 + 300
    assert stats.fallbacks == 1
    assert {row.stage for row in stats.latency_table} >= {"retrieve", "generate", "total"}
    assert b"<svg" in response.content and b"placeholder_restored" in response.content
    assert b"Travel and expense policy" in response.content


def test_logging_in_through_the_form_is_on_the_record(client, audrey):
    client.post(reverse("login"), {"username": "audrey", "password": PASSWORD})

    assert AuditRecord.objects.get().kind == "login"


def test_the_detail_of_an_event_shows_what_was_done_to_which_document(client, log, audrey):
    page = as_user(client, audrey).get(reverse("audit:detail", args=[log["upload"].pk])).content.decode()

    assert "document upload" in page and "Leave policy" in page and "kim" in page


def test_a_request_record_says_how_many_passages_access_withheld_without_naming_them(client, audrey, bob):
    trace = local_trace(bob)
    trace.stages = [
        s
        if s.name != "retrieve"
        else StageRecord("retrieve", "local", 20.5, {"chunks": 1, "withheld_by_access": 3})
        for s in trace.stages
    ]
    record = audit_request(trace=trace)

    page = as_user(client, audrey).get(reverse("audit:detail", args=[record.pk])).content.decode()
    assert "access excluded 3 of the nearest candidate passages (not shown here)" in page
