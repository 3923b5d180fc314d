from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from ingestion.files import document_file_response, preview_kind
from ingestion.forms import AccessForm, DocumentFilterForm, UploadForm, VersionForm
from ingestion.models import Document, Sensitivity
from ingestion.permissions import kb_admin_required
from ingestion.selectors import (
    document_batch_state,
    document_list,
    document_live_chunks,
    document_status_rows,
    document_versions,
    readable_documents,
)
from ingestion.services import (
    Access,
    SubmitResult,
    UploadRejected,
    document_delete,
    document_reingest,
    document_set_access,
    document_submit,
    documents_resume,
    documents_stop,
)
from ingestion.store import IndexUnavailable
from kb_assistant.accounts.roles import is_kb_admin
from kb_assistant.labels import label

_OUTCOME_MESSAGES = {
    "created": gettext_lazy("%(name)s uploaded; ingestion queued."),
    "renamed": gettext_lazy(
        "%(name)s has the same name as “%(namesake)s” but other content, so it was added as a new "
        "document, “%(title)s”, and “%(namesake)s” is unchanged. To make it a new version instead, "
        "upload it from that document's page."
    ),
    "new_version": gettext_lazy("%(name)s is version %(version)s of “%(title)s”; ingestion queued."),
    "duplicate": gettext_lazy(
        "%(name)s has the same content as “%(title)s”, which is already in the knowledge base."
    ),
}
_ACCESS_KEPT = gettext_lazy("It keeps its access: %(after)s.")
_ACCESS_CHANGED = gettext_lazy("Its access changed from %(before)s to %(after)s.")


@kb_admin_required
def document_list_view(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, uploader=request.user)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        for upload in cleaned["files"]:
            _submit(
                request,
                upload,
                groups=list(cleaned["groups"]),
                sensitivity=cleaned["sensitivity"],
                access_for_new_only=True,
                same_name="new_version" if cleaned["same_name_versions"] else "new_document",
            )
        return redirect("kb:list")
    filters = DocumentFilterForm(request.GET)
    status, group = filters.selected()
    context = {
        "form": form,
        "filters": filters,
        "filtered": bool(status or group),
        "documents": document_list(status=status, group=group),
        **document_batch_state(),
        "max_mb": settings.KB_UPLOAD_MAX_BYTES // 1_048_576,
    }
    return render(request, "ingestion/list.html", context)


def _submit(request: HttpRequest, upload, **choices) -> None:
    """One file through document_submit; `choices`: its access and same-name arguments."""
    if upload.size > settings.KB_UPLOAD_MAX_BYTES:  # refuse before reading it into memory
        messages.error(request, _("%(name)s is over the upload size limit.") % {"name": upload.name})
        return
    try:
        result = document_submit(
            filename=upload.name,
            data=upload.read(),
            uploaded_by=request.user,
            max_bytes=settings.KB_UPLOAD_MAX_BYTES,
            **choices,
        )
    except UploadRejected as exc:
        messages.error(request, str(exc))
        return
    notify = messages.success if result.outcome in ("created", "new_version") else messages.warning
    notify(request, _outcome_text(upload.name, result))


def _outcome_text(name: str, result: SubmitResult) -> str:
    document = result.document
    text = _OUTCOME_MESSAGES[result.outcome] % {
        "name": name,
        "title": document.title,
        "version": document.version,
        "namesake": result.same_name_as.title if result.same_name_as else "",
    }
    if result.outcome != "new_version" or result.access_before is None:
        return text
    before, after = _access_text(result.access_before), _access_text(Access.of(document))
    change = _ACCESS_KEPT if before == after else _ACCESS_CHANGED
    return f"{text} {change % {'before': before, 'after': after}}"


def _access_text(access: Access) -> str:
    readers = ", ".join(label("group", name) for name in access.groups) or _("every employee")
    return f"{readers} · {Sensitivity(access.sensitivity).label}"


@kb_admin_required
@require_POST
def documents_stop_view(request: HttpRequest) -> HttpResponse:
    stopped = documents_stop()
    messages.success(
        request, _("%(n)s queued documents stopped; resume them when you are ready.") % {"n": stopped}
    )
    return redirect("kb:list")


@kb_admin_required
@require_POST
def documents_resume_view(request: HttpRequest) -> HttpResponse:
    resumed = documents_resume()
    messages.success(request, _("%(n)s stopped documents queued again.") % {"n": resumed})
    return redirect("kb:list")


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
            messages.error(
                request,
                _(
                    "Access saved, and answers follow it now; the index's copy could not be updated "
                    "(%s), so a repair is queued that brings it in line when the index is back."
                )
                % exc,
            )
        return redirect("kb:detail", pk=pk)
    chunks, index_error = document_live_chunks(document=document)
    context = {
        "document": document,
        "form": form,
        "version_form": VersionForm(document=document),
        "access": _access_text(Access.of(document)),
        "versions": document_versions(document=document),
        "preview": preview_kind(document) if document.file else "",
        "chunks": chunks,
        "index_error": index_error,
        "max_mb": settings.KB_UPLOAD_MAX_BYTES // 1_048_576,
    }
    return render(request, "ingestion/detail.html", context)


@kb_admin_required
@require_POST
def document_new_version_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace one document's file: an explicit replace, keeping its access unless the admin
    changed it in the form."""
    document = get_object_or_404(Document, pk=pk)
    form = VersionForm(request.POST, request.FILES, document=document)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("kb:detail", pk=pk)
    groups, sensitivity = form.access_given()
    _submit(request, form.cleaned_data["file"], groups=groups, sensitivity=sensitivity, replace=pk)
    return redirect("kb:detail", pk=pk)


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


@login_required
@xframe_options_sameorigin  # the document page shows the preview in a frame
@require_GET
def document_file_view(request: HttpRequest, pk: int) -> FileResponse:
    """The original file, for KB admins and for whoever may read the document; `?preview`
    shows it in the browser when that is safe (ingestion.files)."""
    document = get_object_or_404(Document, pk=pk)
    allowed = is_kb_admin(request.user) or readable_documents(user=request.user).filter(pk=pk).exists()
    if not allowed:
        raise PermissionDenied("not a reader of this document")
    if not document.file:
        raise Http404("no file stored")
    return document_file_response(document=document, inline="preview" in request.GET)
