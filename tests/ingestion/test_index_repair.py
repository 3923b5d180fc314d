"""Security decisions read from the database (issue 13, finding 7): a document raised to
restricted while the index is down never reaches the cloud, though the index's copy still
says confidential; the repair job brings that copy back in line, when asked, when a worker
gets the repair queued by the failed update, and at the end of an ingestion that an access
change overtook. Against the real Chroma server (stopped for the outage), the real worker
and the loopback cloud that records every payload."""

import json
import re
import time

import pytest
from django.conf import settings

from ingestion.models import Document, Status
from ingestion.repair import index_repair
from ingestion.services import document_set_access, document_submit
from ingestion.store import ChunkAccess, IndexUnavailable, index_access, index_chunks
from router.pipeline import AskRequest, ask
from tests import processes
from tests.conftest import group
from tests.ingestion.test_services import ingested

CASE_NOTE = b"""# Case note: warehouse grievance

## Outcome of the mediation
The grievance of the night-shift warehouse supervisor was settled in mediation in May.
The settlement amount agreed with the supervisor was 18,500 EUR, paid with the June payroll.

## Why mediation rather than a tribunal
Mediation was chosen because two managers were involved and a tribunal would have taken a year.
"""
QUESTION = (
    "Explain why mediation was chosen over a tribunal for the warehouse supervisor's grievance, "
    "and compare the settlement amount with what a tribunal would have cost?"
)


def sentences(document: Document) -> list[str]:
    text = " ".join(c.text for c in index_chunks(document_id=document.pk))
    return [s.strip() for s in re.split(r"[.\n]", text) if len(s.strip()) >= 20]


def sent_to_cloud(cloud) -> str:
    return json.dumps([r["messages"] for r in cloud.requests], ensure_ascii=False)


def stamps(document: Document) -> set[ChunkAccess]:
    return index_access(document_ids=[document.pk])[document.pk]


def stamp(groups: list[str], sensitivity: str) -> ChunkAccess:
    return ChunkAccess(tuple(f"g{group(name).pk}" for name in groups), sensitivity)


@pytest.mark.django_db
def test_after_an_index_outage_during_an_access_change_nothing_restricted_reaches_the_cloud(
    empty_index, alice, cloud, chroma_outage
):
    cloud.mode = "echo"
    case = ingested("case-note.md", CASE_NOTE, groups=[group("hr")], sensitivity="confidential")
    trace, _ = ask(AskRequest(question=QUESTION, user=alice, channel="chat"))
    assert trace.route == "cloud", trace.reason_texts  # confidential goes, condensed: the test can fail
    assert any(s in sent_to_cloud(cloud) for s in sentences(case))
    cloud.requests.clear()

    with chroma_outage(), pytest.raises(IndexUnavailable):
        document_set_access(document=case, groups=[group("hr")], sensitivity="restricted", by=alice)
    assert stamps(case) == {stamp(["hr"], "confidential")}  # the index's copy is stale
    trace, _ = ask(AskRequest(question=QUESTION, user=alice, channel="chat"))

    assert case.pk in {r.document_id for r in trace.retrieved}
    assert trace.route == "local" and any("restricted" in r for r in trace.reason_texts), trace.reason_texts
    assert {r.sensitivity for r in trace.retrieved if r.document_id == case.pk} == {"restricted"}
    assert [s for s in sentences(case) if s in sent_to_cloud(cloud)] == []


@pytest.mark.django_db
def test_the_repair_job_brings_stale_copies_back_in_line(empty_index, chroma_outage):
    hr, finance = group("hr"), group("finance")
    case = ingested("case-note.md", CASE_NOTE, groups=[hr], sensitivity="confidential")
    other = ingested("other.md", b"# Other\n\nThe canteen opens at eight every weekday.\n", groups=[finance])
    with chroma_outage(), pytest.raises(IndexUnavailable):
        document_set_access(document=case, groups=[finance], sensitivity="restricted")

    report = index_repair()

    assert (report.checked, report.repaired) == (2, [case.pk])
    assert stamps(case) == {stamp(["finance"], "restricted")}
    assert stamps(other) == {stamp(["finance"], "internal")}
    assert index_repair().repaired == []


HANDBOOK = "\n\n".join(
    f"## Section {n}\nRule {n}: overtime above {n} hours a month needs the approval of the shift lead."
    for n in range(1, 400)
).encode()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_failed_index_update_queues_a_repair_that_the_worker_runs_once_the_index_is_back(
    celery_worker, empty_index, chroma_outage
):
    case = ingested("case-note.md", CASE_NOTE, groups=[group("hr")], sensitivity="confidential")
    with chroma_outage():
        with pytest.raises(IndexUnavailable):
            document_set_access(document=case, groups=[group("hr")], sensitivity="restricted")
        time.sleep(3)  # the worker's first attempt meets the outage and is retried
    started = time.monotonic()

    processes.wait_until(
        lambda: stamps(case) == {stamp(["hr"], "restricted")}, timeout=90, what="the queued index repair"
    )
    print(f"index copy repaired {time.monotonic() - started:.1f}s after the index came back")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_access_change_during_ingestion_ends_with_the_rows_access_on_every_chunk(
    celery_worker, empty_index
):
    hr = group("hr")
    handbook = document_submit(
        filename="overtime.md", data=HANDBOOK, uploaded_by=None, groups=[], sensitivity="internal",
        max_bytes=settings.KB_UPLOAD_MAX_BYTES,
    ).document  # fmt: skip
    processes.wait_until(
        lambda: Document.objects.get(pk=handbook.pk).status == Status.EMBEDDING, timeout=60, what="embedding"
    )

    document_set_access(document=handbook, groups=[hr], sensitivity="restricted")
    assert index_chunks(document_id=handbook.pk) == [], "the change came after the chunks were written"
    processes.wait_until(
        lambda: Document.objects.get(pk=handbook.pk).status == Status.INDEXED, timeout=120, what="indexed"
    )

    assert stamps(handbook) == {stamp(["hr"], "restricted")}
