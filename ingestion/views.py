from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ingestion.forms import AccessForm, UploadForm
from ingestion.models import Document
from ingestion.permissions import kb_admin_required
from ingestion.selectors import document_list, document_live_chunks, document_status_rows
from ingestion.services import (
    UploadRejected,
    document_delete,
    document_reingest,
    document_set_access,
    document_submit,
)
from ingestion.store import IndexUnavailable

_OUTCOME_MESSAGES = {
    "created": gettext_lazy("%(name)s uploaded; ingestion queued."),
    "new_version": gettext_lazy("%(name)s is a new version of an existing document; ingestion queued."),
    "duplicate": gettext_lazy(
        "%(name)s has the same content as “%(title)s”, which is already in the knowledge base."
    ),
}


@kb_admin_required
def document_list_view(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        for upload in form.cleaned_data["files"]:
            _submit(request, upload, form.cleaned_data)
        return redirect("kb:list")
    context = {
        "form": form,
        "documents": document_list(),
        "max_mb": settings.KB_UPLOAD_MAX_BYTES // 1_048_576,
    }
    return render(request, "ingestion/list.html", context)


def _submit(request: HttpRequest, upload, cleaned: dict) -> None:
    if upload.size > settings.KB_UPLOAD_MAX_BYTES:  # refuse before reading it into memory
        messages.error(request, _("%(name)s is over the upload size limit.") % {"name": upload.name})
        return
    try:
        result = document_submit(
            filename=upload.name,
            data=upload.read(),
            uploaded_by=request.user,
            groups=list(cleaned["groups"]),
            sensitivity=cleaned["sensitivity"],
            max_bytes=settings.KB_UPLOAD_MAX_BYTES,
        )
    except UploadRejected as exc:
        messages.error(request, str(exc))
        return
    text = _OUTCOME_MESSAGES[result.outcome] % {"name": upload.name, "title": result.document.title}
    (messages.warning if result.outcome == "duplicate" else messages.success)(request, text)


@kb_admin_required
@require_GET
def document_status_view(request: HttpRequest) -> JsonResponse:
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()] or None
    return JsonResponse({"documents": document_status_rows(ids=ids)})


@kb_admin_required
def document_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=pk)
    form = AccessForm(
        request.POST or None,
        initial={"groups": document.groups.all(), "sensitivity": document.sensitivity},
    )
    if request.method == "POST" and form.is_valid():
        try:
            document_set_access(
                document=document,
                groups=list(form.cleaned_data["groups"]),
                sensitivity=form.cleaned_data["sensitivity"],
                by=request.user,
            )
            messages.success(request, _("Access updated."))
        except IndexUnavailable as exc:
            messages.error(request, _("Access saved, but the index could not be updated: %s") % exc)
        return redirect("kb:detail", pk=pk)
    chunks, index_error = document_live_chunks(document=document)
    context = {"document": document, "form": form, "chunks": chunks, "index_error": index_error}
    return render(request, "ingestion/detail.html", context)


@kb_admin_required
@require_POST
def document_reingest_view(request: HttpRequest, pk: int) -> HttpResponse:
    document_reingest(document=get_object_or_404(Document, pk=pk), by=request.user)
    messages.success(request, _("Re-ingestion queued."))
    return redirect("kb:detail", pk=pk)


@kb_admin_required
@require_POST
def document_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=pk)
    title = document.title
    try:
        document_delete(document=document, by=request.user)
    except IndexUnavailable as exc:
        messages.error(request, _("Not deleted: the index is unavailable (%s). Try again.") % exc)
        return redirect("kb:detail", pk=pk)
    messages.success(request, _("“%s” and all its chunks were deleted.") % title)
    return redirect("kb:list")
