"""REST API for ingestion: upload, list, status, re-ingest, delete (KB admins, bearer token)."""

from dataclasses import asdict

from django.conf import settings
from django.contrib.auth.models import Group
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ingestion.models import Document, Sensitivity
from ingestion.permissions import IsKbAdmin
from ingestion.services import UploadRejected, document_delete, document_reingest, document_submit
from ingestion.store import IndexUnavailable


class DocumentSerializer(serializers.ModelSerializer):
    groups = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Document
        fields = [
            "id", "title", "original_name", "sha256", "detected_type", "detected_encoding", "size_bytes",
            "groups", "sensitivity", "version", "indexed_version", "status", "progress", "failure_reason", "chunk_count",
            "created_at", "updated_at", "indexed_at",
        ]  # fmt: skip
        read_only_fields = fields


class GroupNamesField(serializers.ListField):
    """Group names; one empty value (`groups=`) means every employee. Absent means "not given",
    which a ListField, unlike a many=True related field, can tell from an empty list."""

    child = serializers.CharField(allow_blank=True)

    def to_internal_value(self, data) -> list[Group]:
        names = {name for name in super().to_internal_value(data) if name}
        found = list(Group.objects.filter(name__in=names))
        if missing := names - {g.name for g in found}:
            raise serializers.ValidationError(f"unknown groups: {', '.join(sorted(missing))}")
        return found


class UploadSerializer(serializers.Serializer):
    """Access fields left out are not given: a new version keeps its document's access, a new
    document is open to every employee and internal."""

    file = serializers.FileField()
    groups = GroupNamesField(required=False)
    sensitivity = serializers.ChoiceField(choices=Sensitivity.choices, required=False)
    replace = serializers.IntegerField(
        required=False, min_value=1, help_text="Upload as a new version of this document."
    )
    same_name = serializers.ChoiceField(
        choices=["new_document", "new_version"],
        default="new_document",
        help_text="For a file named like an existing document: a new document under a numbered "
        "name (outcome `renamed`), or a new version of it.",
    )


class AccessSerializer(serializers.Serializer):
    groups = serializers.ListField(child=serializers.CharField())
    sensitivity = serializers.CharField()


class UploadResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["created", "renamed", "new_version", "duplicate"])
    document = DocumentSerializer()
    access_before = AccessSerializer(allow_null=True)
    same_name_as = serializers.IntegerField(allow_null=True)


class DocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    queryset = Document.objects.prefetch_related("groups").order_by("-updated_at")
    serializer_class = DocumentSerializer
    permission_classes = [IsKbAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=UploadSerializer, responses={201: UploadResultSerializer, 200: UploadResultSerializer}
    )
    def create(self, request):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        if file.size > settings.KB_UPLOAD_MAX_BYTES:
            return Response({"detail": f"{file.name}: over the upload size limit"}, status=413)
        given = upload.validated_data
        try:
            result = document_submit(
                filename=file.name,
                data=file.read(),
                uploaded_by=request.user,
                groups=given.get("groups"),
                sensitivity=given.get("sensitivity"),
                replace=given.get("replace"),
                same_name=given["same_name"],
                max_bytes=settings.KB_UPLOAD_MAX_BYTES,
            )
        except UploadRejected as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        code = status.HTTP_200_OK if result.outcome == "duplicate" else status.HTTP_201_CREATED
        body = {
            "outcome": result.outcome,
            "document": DocumentSerializer(result.document).data,
            "access_before": asdict(result.access_before) if result.access_before else None,
            "same_name_as": result.same_name_as.pk if result.same_name_as else None,
        }
        return Response(body, code)

    @extend_schema(request=None, responses={202: DocumentSerializer})
    @action(detail=True, methods=["post"])
    def reingest(self, request, pk=None):
        document = self.get_object()
        document_reingest(document=document, by=request.user)
        document.refresh_from_db()
        return Response(DocumentSerializer(document).data, status=status.HTTP_202_ACCEPTED)

    def perform_destroy(self, instance: Document) -> None:
        try:
            document_delete(document=instance, by=self.request.user)
        except IndexUnavailable as exc:
            raise serializers.ValidationError(
                {"detail": f"the index is unavailable, nothing deleted: {exc}"}
            ) from exc
