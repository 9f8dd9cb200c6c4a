"""The staff import page: upload a CSV file, see per organisation what it would change, confirm.

Between the preview and the confirmation the file waits in `services.import_previews`.
"""

import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import selectors
from ..forms.review import ImportConfirmForm, ImportUploadForm
from ..permissions import administrator_required
from ..services import import_previews, imports


@administrator_required
def import_upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "cycle": selectors.current_cycle()}
    if request.method != "POST" or not form.is_valid():
        return render(request, "surveys/import_upload.html", context)
    preview = import_previews.import_preview_create(
        user=request.user,
        upload=form.cleaned_data["file"],
        create_organizations=form.cleaned_data["create_organizations"],
        replace=form.cleaned_data["replace"],
        approve=form.cleaned_data["approve"],
    )
    context.update(preview.page_context())
    if preview.problems:
        return render(request, "surveys/import_upload.html", context)
    context["confirm_form"] = ImportConfirmForm(initial={"token": preview.token})
    return render(request, "surveys/import_preview.html", context)


@administrator_required
def import_problems(request, token: str):
    """Every problem of a refused file, as CSV (the page shows only the first ones)."""
    text = import_previews.import_problems_csv(user=request.user, token=token)
    if text is None:
        raise Http404("This list has expired. Upload the file again.")
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-problems.csv"'
    return response


@administrator_required
@require_POST
def import_confirm(request):
    form = ImportConfirmForm(request.POST)
    try:
        result = import_previews.import_preview_confirm(
            user=request.user, token=form.cleaned_data["token"] if form.is_valid() else None
        )
    except import_previews.ImportPreviewError as error:
        messages.error(request, str(error))
        return redirect("surveys:import-upload")
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
