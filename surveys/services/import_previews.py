"""The browser import between its preview and its confirmation.

The uploaded file is kept on disk (not in the cache) between the preview and the confirmation, and read one
line at a time, so a 50 MB file never sits in memory. A file with problems shows the first PROBLEMS_SHOWN of
them and keeps every one, compressed, as a CSV for the person who uploaded it.
"""

import csv
import io
import secrets
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.core.files.storage import FileSystemStorage

from ..models import User
from . import imports

IMPORT_CACHE_SECONDS = 60 * 60
PROBLEMS_SHOWN = 200
PREVIEW_ROWS = 500
uploads = FileSystemStorage(location=Path(tempfile.gettempdir()) / "milepost-imports")


class ImportPreviewError(Exception):
    """The confirmed preview cannot be imported; the message says what to do."""


@dataclass
class ImportPreview:
    """What the import page shows for an uploaded file: its problems, or what it would change."""

    plan: imports.ImportPlan
    filename: str
    options: dict[str, bool]
    token: str
    problems: list[imports.Problem] = field(default_factory=list)  # the first PROBLEMS_SHOWN
    problem_count: int = 0
    problems_token: str | None = None  # set when there are more problems than shown
    summary: dict[str, int] = field(default_factory=dict)
    planned: list = field(default_factory=list)  # the first PREVIEW_ROWS submissions
    incomplete: list[imports.Problem] = field(default_factory=list)

    def page_context(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _key(user: User, token: str, kind: str = "preview") -> str:
    return f"surveys:import:{kind}:{user.pk}:{token}"


def _store(upload) -> str:
    """Keep the upload until it is confirmed; previews never confirmed are cleared after the cache expires."""
    if uploads.exists(""):
        for name in uploads.listdir("")[1]:
            if time.time() - uploads.get_modified_time(name).timestamp() > IMPORT_CACHE_SECONDS:
                uploads.delete(name)
    return uploads.save(f"{secrets.token_hex(16)}.csv", upload)


def import_preview_create(
    *, user: User, upload, create_organizations: bool, replace: bool, approve: bool
) -> ImportPreview:
    """Check an uploaded file; keep it for `import_preview_confirm` if it can be imported, else drop it."""
    options = {"create_organizations": create_organizations, "replace": replace, "approve": approve}
    path = _store(upload)
    with uploads.open(path, "rb") as handle:
        plan = imports.responses_parse(
            file=handle, create_organizations=create_organizations, replace=replace
        )
    preview = ImportPreview(plan=plan, filename=upload.name, options=options, token=secrets.token_urlsafe(16))
    problems = plan.problems
    if approve and plan.is_valid:
        problems = imports.incomplete_problems(plan)
    if problems:
        uploads.delete(path)
        if len(problems) > PROBLEMS_SHOWN:
            cache.set(_key(user, preview.token, "problems"), _problems_csv(problems), IMPORT_CACHE_SECONDS)
            preview.problems_token = preview.token
        preview.problems, preview.problem_count = problems[:PROBLEMS_SHOWN], len(problems)
        return preview
    cache.set(
        _key(user, preview.token),
        {"path": path, "filename": preview.filename, **options},
        IMPORT_CACHE_SECONDS,
    )
    preview.summary = plan.summary()
    preview.planned = list(plan.submissions.values())[:PREVIEW_ROWS]
    preview.incomplete = imports.incomplete_problems(plan)[:PROBLEMS_SHOWN]
    return preview


def _problems_csv(problems) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "problem"])
    writer.writerows((p.line, p.message) for p in problems)
    # Compressed: 200,000 problems are ~30 MB of text but repeat themselves.
    return zlib.compress(buffer.getvalue().encode("utf-8"))


def import_problems_csv(*, user: User, token: str) -> str | None:
    """Every problem of a file `user` uploaded, as CSV text; None once it has expired."""
    stored = cache.get(_key(user, token, "problems"))
    return None if stored is None else zlib.decompress(stored).decode("utf-8")


def import_preview_confirm(*, user: User, token: str | None) -> imports.ImportResult:
    """Import the file `user` previewed under `token`, once: of two confirmations only one imports."""
    key = _key(user, token or "")
    stored = cache.get(key) if token else None
    # Claim the preview before importing: of two clicks on "Confirm", only the one whose delete wins imports.
    if stored is None or not cache.delete(key):
        raise ImportPreviewError("This preview has expired or was already imported. Upload the file again.")
    try:
        with uploads.open(stored["path"], "rb") as handle:
            return imports.responses_import(
                file=handle,
                actor=user,
                approve=stored["approve"],
                replace=stored["replace"],
                create_organizations=stored["create_organizations"],
                source=stored["filename"],
            )
    except FileNotFoundError as error:
        raise ImportPreviewError("The uploaded file is no longer on the server. Upload it again.") from error
    except imports.ImportRejected as error:
        # The data changed since the preview (e.g. a submission was approved meanwhile).
        raise ImportPreviewError(
            f"Nothing was imported: {error.problems[0]}. Fix the file and upload it again."
        ) from error
    finally:
        uploads.delete(stored["path"])
