"""File imports: upload, progress, row errors (JSON and a workbook to fix), the original file; mapping
profiles; and support's cross-tenant view with reprocess and cancel."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import make_response, send_file, url_for
from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from werkzeug.datastructures import FileStorage

from prorata.application.access import fetch, require
from prorata.application.contract_result import problem_json
from prorata.application.errors import Forbidden
from prorata.application.import_admin import cancel, reprocess
from prorata.application.receive_file import receive_file
from prorata.application.retry_import import retry
from prorata.domain.access.principal import Action, Role
from prorata.domain.imports.model import ImportJob, ImportSource, MappingProfile
from prorata.domain.imports.safe_text import safe_file_name
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.import_schemas import (
    ImportQuerySchema,
    ImportSchema,
    MappingProfileSchema,
    ReprocessSchema,
    RetrySchema,
    RowErrorSchema,
    UploadSchema,
)
from prorata.entrypoints.api.resources import ResourceBlueprint, paged, window

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = ResourceBlueprint(
    "imports", __name__, url_prefix="/v1", description="Files received and their processing"
)


def import_json(job: ImportJob, settlements: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": job.id,
        "url": url_for("imports.get_import", import_id=job.id),
        "tenant_id": job.tenant_id,
        "source": job.source.value,
        "original_name": job.original_name,
        "sha256": job.sha256,
        "size": job.size,
        "status": job.status.value,
        "progress": job.progress,
        "reason": job.reason,
        "community_id": job.community_id,
        "mapping_profile_id": job.mapping_profile_id,
        "received_at": job.received_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "attempts": job.attempts,
        "generation": job.generation,
        "rows": {
            "total": job.rows_total,
            "processed": job.rows_processed,
            "accepted": job.rows_accepted,
            "rejected": job.rows_rejected,
        },
        "errors": job.errors,
        "changes": job.changes,
    }
    if settlements is not None:
        body["settlements"] = settlements
    return body


def _where(query: dict[str, Any]) -> dict[str, Any]:
    where: dict[str, Any] = {}
    for name in ("status", "community_id"):
        if name in query:
            where[name] = query[name]
    if "received_from" in query:
        where["received_at__from"] = query["received_from"]
    if "received_to" in query:
        where["received_at__to"] = query["received_to"]
    return where


@blp.route("/imports")
class Imports(MethodView):
    @blp.arguments(ImportQuerySchema, location="query")
    @blp.response(200, ImportSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            page = uow.imports.list(caller.tenant_scope, **_where(query), **window(pagination_parameters))
        return [import_json(job) for job in paged(page, pagination_parameters)]

    @blp.arguments(UploadSchema, location="form")
    @blp.arguments(UploadSchema.Files, location="files")
    @blp.response(202, ImportSchema)
    @blp.alt_response(200, schema=ImportSchema, description="the same file was received before: its job")
    def post(self, form: dict[str, Any], files: dict[str, Any]) -> Any:
        """Upload a file (CSV, XLSX, XLS, ODS); it is processed asynchronously. 202 with the job and its URL;
        the same file again answers 200 with the job it already has."""
        upload: FileStorage = files["file"]
        parts = components()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload"
            upload.save(path)
            with work() as uow:
                job, new = receive_file(
                    uow,
                    parts.services,
                    principal(),
                    path,
                    Path(upload.filename or "upload").name,
                    ImportSource.UPLOAD,
                    form.get("community_id"),
                    form.get("mapping_profile_id"),
                )
        response = make_response(ImportSchema().dump(import_json(job)), 202 if new else 200)
        response.headers["Location"] = url_for("imports.get_import", import_id=job.id)
        return response


@blp.route("/imports/<import_id>")
@blp.response(200, ImportSchema)
def get_import(import_id: str) -> dict[str, Any]:
    caller = principal()
    require(caller, Action.READ)
    with work() as uow:
        job = fetch(uow.imports, caller, import_id, "import")
        settlements = uow.settlements.list(job.tenant_id, import_id=job.id).items
    return import_json(
        job,
        [
            {
                "id": s.id,
                "community_id": s.community_id,
                "service": s.service.value,
                "status": s.status.value,
                "supersedes": s.supersedes,
            }
            for s in settlements
        ],
    )


@blp.route("/imports/<import_id>/retry", methods=["POST"])
@blp.arguments(RetrySchema)
@blp.response(202, ImportSchema)
def retry_import(data: dict[str, Any], import_id: str) -> dict[str, Any]:
    """Run an import that did not settle again — a failed one, say, with the `community_id` or
    `mapping_profile_id` it lacked. 409 while it is being processed or once it settled. Uploading the same
    bytes again while the import is failed does the same."""
    with work() as uow:
        job = retry(
            uow,
            components().services,
            principal(),
            import_id,
            data.get("community_id"),
            data.get("mapping_profile_id"),
        )
    return import_json(job)


@blp.route("/imports/<import_id>/errors")
@blp.response(200, RowErrorSchema(many=True))
@blp.paginate()
def import_errors(import_id: str, pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    caller = principal()
    require(caller, Action.READ)
    with work() as uow:
        job = fetch(uow.imports, caller, import_id, "import")
        page = uow.import_errors.list(job.tenant_id, import_id=job.id, **window(pagination_parameters))
    return [problem_json(e.problem) for e in paged(page, pagination_parameters)]


@blp.route("/imports/<import_id>/errors.xlsx")
@blp.response(200, description="the file's rows with an error column", content_type=XLSX)
def import_errors_workbook(import_id: str) -> Any:
    """The file's sheets as received, each row followed by its errors, and a summary sheet; every text
    as text (never a formula). Built once, outside this process, within limits: 422 (`file_too_large`,
    `unsupported_file`) when it cannot be."""
    caller = principal()
    require(caller, Action.READ)
    parts = components()
    with work() as uow:
        job = fetch(uow.imports, caller, import_id, "import")
        problems = [e.problem for e in uow.import_errors.list(job.tenant_id, import_id=job.id).items]
    content = parts.error_workbooks.workbook(
        parts.blobs.local_path(job.sha256), job.sha256, job.original_name, problems
    )
    name = safe_file_name(Path(job.original_name).stem, "import") + ".errors.xlsx"
    return send_file(content, mimetype=XLSX, as_attachment=True, download_name=name)


@blp.route("/imports/<import_id>/file")
@blp.response(200, description="the file as it was received", content_type="application/octet-stream")
def import_file(import_id: str) -> Any:
    caller = principal()
    require(caller, Action.READ)
    parts = components()
    with work() as uow:
        job = fetch(uow.imports, caller, import_id, "import")
    return send_file(
        parts.blobs.local_path(job.sha256),
        as_attachment=True,
        download_name=job.original_name,
        mimetype="application/octet-stream",
    )


@blp.route("/mapping-profiles")
class MappingProfiles(MethodView):
    @blp.response(200, MappingProfileSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: PaginationParameters) -> list[MappingProfile]:
        caller = principal()
        require(caller, Action.READ)
        with work() as uow:
            page = uow.mapping_profiles.list(caller.tenant_scope, **window(pagination_parameters))
        return paged(page, pagination_parameters)

    @blp.arguments(MappingProfileSchema)
    @blp.response(201, MappingProfileSchema)
    def post(self, data: dict[str, Any]) -> MappingProfile:
        """A layout no synonym knows: field -> the header that holds it. Picked for a file whose headers
        include all of its headers, or named at upload."""
        caller = principal()
        require(caller, Action.WRITE)
        assert caller.tenant_id is not None
        parts = components()
        profile = MappingProfile(parts.ids.new(), caller.tenant_id, data["name"], data["mapping"])
        with work() as uow:
            uow.mapping_profiles.add(profile)
            uow.commit()
        return profile


admin = ResourceBlueprint(
    "admin", __name__, url_prefix="/v1/admin", description="Support: every tenant's files"
)


def _support() -> Any:
    caller = principal()
    if caller.role is not Role.SUPPORT:
        raise Forbidden("only support staff may use /v1/admin")
    return caller


@admin.route("/imports")
@admin.arguments(ImportQuerySchema, location="query")
@admin.response(200, ImportSchema(many=True))
@admin.paginate()
def admin_imports(query: dict[str, Any], pagination_parameters: PaginationParameters) -> list[dict[str, Any]]:
    _support()
    where = _where(query)
    if "tenant_id" in query:
        where["tenant_id"] = query["tenant_id"]
    with work() as uow:
        page = uow.imports.list(None, **where, **window(pagination_parameters))
    return [import_json(job) for job in paged(page, pagination_parameters)]


@admin.route("/imports/<import_id>/reprocess", methods=["POST"])
@admin.arguments(ReprocessSchema)
@admin.response(202, ImportSchema)
def admin_reprocess(data: dict[str, Any], import_id: str) -> dict[str, Any]:
    """Process the file again (optionally with another community or mapping profile): unpublished results
    are replaced, a published settlement gets one correction — never a duplicate."""
    parts = components()
    with work() as uow:
        job = reprocess(
            uow,
            parts.services,
            _support(),
            import_id,
            data.get("community_id"),
            data.get("mapping_profile_id"),
        )
    return import_json(job)


@admin.route("/imports/<import_id>/cancel", methods=["POST"])
@admin.response(200, ImportSchema)
def admin_cancel(import_id: str) -> dict[str, Any]:
    parts = components()
    with work() as uow:
        return import_json(cancel(uow, parts.clock, _support(), import_id))
