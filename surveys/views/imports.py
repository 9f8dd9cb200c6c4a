"""The staff import page: upload a CSV file, see per organisation what it would change, confirm.

The uploaded file is kept on disk (not in the cache) between the preview and the confirmation, and read one
line at a time, so a 50 MB file never sits in memory. A file with problems shows the first
PROBLEMS_SHOWN of them and offers every one as a CSV download.
"""

import csv
import io
import secrets
import tempfile
import zlib
from pathlib import Path

from django.contrib import messages
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import selectors
from ..forms.review import ImportConfirmForm, ImportUploadForm
from ..permissions import administrator_required
from ..services import imports

IMPORT_CACHE_SECONDS = 60 * 60
PROBLEMS_SHOWN = 200
PREVIEW_ROWS = 500
uploads = FileSystemStorage(location=Path(tempfile.gettempdir()) / "milepost-imports")


def _key(request, token: str, kind: str = "preview") -> str:
    return f"surveys:import:{kind}:{request.user.pk}:{token}"


def _store(upload) -> str:
    """Keep the upload until it is confirmed; previews never confirmed are cleared after the cache expires."""
    import time

    if uploads.exists(""):
        for name in uploads.listdir("")[1]:
            if time.time() - uploads.get_modified_time(name).timestamp() > IMPORT_CACHE_SECONDS:
                uploads.delete(name)
    return uploads.save(f"{secrets.token_hex(16)}.csv", upload)


@administrator_required
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "cycle": selectors.current_cycle()}
    if request.method != "POST" or not form.is_valid():
        return render(request, "surveys/import_upload.html", context)
    options = {
        "create_organizations": form.cleaned_data["create_organizations"],
        "replace": form.cleaned_data["replace"],
        "approve": form.cleaned_data["approve"],
    }
    filename = form.cleaned_data["file"].name
    path = _store(form.cleaned_data["file"])
    with uploads.open(path, "rb") as handle:
        plan = imports.responses_parse(
            file=handle, create_organizations=options["create_organizations"], replace=options["replace"]
        )
    token = secrets.token_urlsafe(16)
    context.update({"plan": plan, "filename": filename, "options": options})
    problems = plan.problems
    if options["approve"] and plan.is_valid:
        problems = imports.incomplete_problems(plan)
    if problems:
        uploads.delete(path)
        if len(problems) > PROBLEMS_SHOWN:
            cache.set(_key(request, token, "problems"), _problems_csv(problems), IMPORT_CACHE_SECONDS)
            context["problems_token"] = token
        context.update({"problems": problems[:PROBLEMS_SHOWN], "problem_count": len(problems)})
        return render(request, "surveys/import_upload.html", context)
    cache.set(_key(request, token), {"path": path, "filename": filename, **options}, IMPORT_CACHE_SECONDS)
    planned = list(plan.submissions.values())
    context.update(
        {
            "confirm_form": ImportConfirmForm(initial={"token": token}),
            "summary": plan.summary(),
            "planned": planned[:PREVIEW_ROWS],
            "incomplete": imports.incomplete_problems(plan)[:PROBLEMS_SHOWN],
        }
    )
    return render(request, "surveys/import_preview.html", context)


def _problems_csv(problems) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "problem"])
    writer.writerows((p.line, p.message) for p in problems)
    # Compressed: 200,000 problems are ~30 MB of text but repeat themselves.

    return zlib.compress(buffer.getvalue().encode("utf-8"))


@administrator_required
def import_problems(request, token: str):
    """Every problem of a refused file, as CSV (the page shows only the first ones)."""

    stored = cache.get(_key(request, token, "problems"))
    if stored is None:
        raise Http404("This list has expired. Upload the file again.")
    response = HttpResponse(
        "\ufeff" + zlib.decompress(stored).decode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="import-problems.csv"'
    return response


@administrator_required
@require_POST
def import_confirm(request):
    form = ImportConfirmForm(request.POST)
    key = _key(request, form.data.get("token", ""))
    stored = cache.get(key) if form.is_valid() else None
    # Claim the preview before importing: of two clicks on "Confirm", only the one whose delete wins imports.
    if stored is None or not cache.delete(key):
        messages.error(request, "This preview has expired or was already imported. Upload the file again.")
        return redirect("surveys:import-upload")
    try:
        with uploads.open(stored["path"], "rb") as handle:
            result = imports.responses_import(
                file=handle,
                actor=request.user,
                approve=stored["approve"],
                replace=stored["replace"],
                create_organizations=stored["create_organizations"],
                source=stored["filename"],
            )
    except FileNotFoundError:
        messages.error(request, "The uploaded file is no longer on the server. Upload it again.")
        return redirect("surveys:import-upload")
    except imports.ImportRejected as error:
        # The data changed since the preview (e.g. a submission was approved meanwhile).
        messages.error(
            request, f"Nothing was imported: {error.problems[0]}. Fix the file and upload it again."
        )
        return redirect("surveys:import-upload")
    finally:
        uploads.delete(stored["path"])
    message = (
        f"Imported {_count(result.answers, 'answer')} and {_count(result.mileposts, 'milepost')} into "
        f"{_count(result.submissions_created + result.submissions_updated, 'submission')} "
        f"({result.added} added, {result.changed} changed, {result.removed} removed)"
    )
    if result.approved:
        message += f", and approved {result.approved}"
    messages.success(request, message + ".")
    return redirect("surveys:review-queue")


def _count(number: int, noun: str) -> str:
    """'1 answer', '3 answers': never '1 answers'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _csv_download(filename: str, write) -> HttpResponse:
    buffer = io.StringIO()
    write(buffer)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@administrator_required
def import_template(request, year: int):
    cycle = _cycle(year)
    return _csv_download(
        f"milepost-import-template-{year}.csv",
        lambda out: imports.import_template_csv(
            cycle=cycle, organization_name="Example Organisation", out=out
        ),
    )


@administrator_required
def import_codebook(request, year: int):
    cycle = _cycle(year)
    return _csv_download(
        f"milepost-codebook-{year}.csv", lambda out: imports.import_codebook_csv(cycle=cycle, out=out)
    )


def _cycle(year: int):
    from ..models import SurveyCycle

    cycle = SurveyCycle.objects.filter(year=year).first()
    if cycle is None:
        raise Http404("No survey for that year.")
    return cycle
