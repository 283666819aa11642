"""Import (upload, dry run, apply) and export of the registry, and the import template. The import
is `PremisesResource`'s (django-import-export); the dry run and the apply run the same rows.

The upload is kept in a private folder (never under MEDIA_ROOT) under a random token that only
the uploader's session knows; the dry run and the apply both read it from there.
"""

import re
import secrets
import tempfile
import time
from collections import Counter
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from accounts.views_registry import registry_admin_required
from premises.exporter import csv_lines, template_csv, write_template, write_xlsx
from premises.forms import ImportUploadForm
from premises.import_sheet import MAX_FILE_BYTES, ImportFileError, Sheet, read_sheet
from premises.resources import PremisesResource, PremisesRowResult
from premises.views.registry import filtered_premises

SESSION_KEY = "registry_imports"  # token → the uploaded file's name
KEEP_SECONDS = 24 * 3600  # an upload nobody confirmed is swept after a day
KEEP_PER_SESSION = 5
PREVIEW_ROWS = 500  # rows shown besides the refused ones, which are always all shown
TOKEN_RE = re.compile(r"[0-9a-f]{32}")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENCODINGS = {
    "xlsx": gettext_lazy("Excel workbook (XLSX)"),
    "utf-8": gettext_lazy("CSV, UTF-8"),
    "gb18030": gettext_lazy("CSV, GBK (GB18030)"),
    "utf-16": gettext_lazy("CSV, UTF-16"),
}


class ImportReport:
    """What the dry run page shows of an import: the counts, the refused rows, the others."""

    def __init__(self, sheet: Sheet, rows: list[PremisesRowResult]) -> None:
        self.sheet, self.rows = sheet, rows

    @cached_property
    def counts(self) -> Counter:
        return Counter(row.action for row in self.rows)

    @property
    def refused(self) -> list[PremisesRowResult]:
        return [row for row in self.rows if row.action == "refused"]

    @property
    def changes(self) -> int:
        return self.counts["create"] + self.counts["update"]

    @property
    def can_apply(self) -> bool:
        return bool(self.rows) and not self.counts["refused"] and self.changes > 0


def run_import(sheet: Sheet, *, dry_run: bool, **resource_kwargs) -> ImportReport:
    """Run the resource over the sheet: a dry run writes nothing; otherwise every row is written
    in one transaction, or none when a row is refused. A database error (say, a credit code
    registered meanwhile) has rolled everything back and is raised again."""
    resource = PremisesResource(headers=sheet.headers, **resource_kwargs)
    result = resource.import_data(
        sheet.dataset, dry_run=dry_run, rollback_on_validation_errors=True
    )
    errors = [*result.base_errors, *(error for _n, row in result.row_errors() for error in row)]
    if errors:
        raise errors[0].error
    return ImportReport(sheet, result.rows)


class CappedUploadHandler(FileUploadHandler):
    """Stops reading an upload once it passes the cap: the rest of the request is read and
    dropped, so a file that is too big is never written to disk, let alone parsed."""

    def __init__(self, request=None, limit: int = MAX_FILE_BYTES) -> None:
        super().__init__(request)
        self.limit, self.too_big = limit, False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


# CSRF is checked by csrf_protect on the inner view, once the cap is in place: checking the
# token reads the request body, and the cap must be installed before anything reads it.
@csrf_exempt
@registry_admin_required
def import_upload(request):
    cap = None
    if request.method == "POST":
        cap = CappedUploadHandler(request)
        request.upload_handlers.insert(0, cap)
    return _import_upload(request, cap)


@csrf_protect
def _import_upload(request, cap: CappedUploadHandler | None):
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if cap.too_big or (upload is not None and upload.size > MAX_FILE_BYTES):
            error = _("The file is larger than 50 MB. Split it into smaller files.")
        elif upload is None:
            error = _("Choose a CSV or XLSX file.")
        else:
            data = upload.read()
            try:
                read_sheet(data)  # a file that is not a registry list is refused right here
            except ImportFileError as problem:
                error = str(problem)
            else:
                token = _store(request, data, upload.name)
                return redirect("premises:import_preview", token=token)
    return render(
        request,
        "premises/import_upload.html",
        {"form": ImportUploadForm(), "error": error},
        status=400 if error else 200,
    )


@registry_admin_required
def import_preview(request, token: str):
    """The dry run: what the file would create, update or refuse, row by row."""
    data, name = _load(request, token)
    return _preview(request, run_import(_sheet(data), dry_run=True), token, name)


@require_POST
@registry_admin_required
def import_apply(request, token: str):
    data, name = _load(request, token)
    try:
        report = run_import(
            _sheet(data),
            dry_run=False,
            by=request.user,
            today=timezone.localdate(),
            source=name,
        )
    except IntegrityError:
        messages.error(
            request,
            _("The registry changed during the import, so nothing was imported. Check again."),
        )
        return redirect("premises:import_preview", token=token)
    if not report.can_apply:
        messages.error(request, _("Nothing was imported: the file has rows to fix."))
        return _preview(request, report, token, name)
    _discard(request, token)
    messages.success(
        request,
        _("Imported %(file)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
        % {
            "file": name,
            "new": report.counts["create"],
            "updated": report.counts["update"],
            "unchanged": report.counts["unchanged"],
        },
    )
    return redirect("premises:list")


def _preview(request, report: ImportReport, token: str, name: str):
    ok_rows = [row for row in report.rows if row.action != "refused"]
    return render(
        request,
        "premises/import_preview.html",
        {
            "report": report,
            "token": token,
            "file_name": name,
            "file_kind": ENCODINGS[report.sheet.encoding],
            "shown": ok_rows[:PREVIEW_ROWS],
            "not_shown": max(0, len(ok_rows) - PREVIEW_ROWS),
        },
    )


def _sheet(data: bytes) -> Sheet:
    try:
        return read_sheet(data)
    except ImportFileError as error:  # it was read at upload: only a changed parser gets here
        raise Http404 from error


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store(request, data: bytes, name: str) -> str:
    folder = _folder()
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / token).write_bytes(data)
    uploads = request.session.get(SESSION_KEY, {})
    uploads[token] = Path(name).name[:80]
    request.session[SESSION_KEY] = dict(list(uploads.items())[-KEEP_PER_SESSION:])
    return token


def _load(request, token: str) -> tuple[bytes, str]:
    """The upload behind the token, if this session uploaded it; 404 otherwise."""
    name = request.session.get(SESSION_KEY, {}).get(token)
    path = _folder() / token
    if name is None or not TOKEN_RE.fullmatch(token) or not path.is_file():
        raise Http404
    return path.read_bytes(), name


def _discard(request, token: str) -> None:
    (_folder() / token).unlink(missing_ok=True)
    uploads = request.session.get(SESSION_KEY, {})
    uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads


@registry_admin_required
def import_template(request, fmt: str):
    if fmt == "csv":
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(content_type=XLSX_TYPE)
        write_template(response)
    response["Content-Disposition"] = content_disposition_header(
        True, f"premises-import-template.{fmt}"
    )
    return response


@registry_admin_required
def export(request, fmt: str):
    """The filtered registry, every matching row, with the import template's columns."""
    premises = filtered_premises(request).qs
    filename = f"premises-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(premises), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(premises, handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
