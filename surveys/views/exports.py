"""Staff CSV exports: the answers of a cycle stream from the request; the audit log is a background job
whose page shows its progress and, when done, a download link to a private, expiring file."""

from django.contrib import messages
from django.http import FileResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..forms.review import AuditFilterForm
from ..models import ExportJob, SurveyCycle
from ..permissions import administrator_required, reviewer_required
from ..services import exports


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@reviewer_required
def answers_export(request, year: int):
    cycle = get_object_or_404(SurveyCycle, year=year)
    rows = exports.answers_export_rows(cycle=cycle)
    response = StreamingHttpResponse(exports.csv_chunks(rows), content_type="text/csv; charset=utf-8")
    return _attachment(response, f"milepost-answers-{year}.csv")


@administrator_required
@require_POST
def audit_export(request):
    form = AuditFilterForm(request.POST)
    if not form.is_valid():
        problems = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Fix the filters before exporting: {problems}")
        query = request.POST.copy()
        query.pop("csrfmiddlewaretoken", None)
        return redirect(reverse("surveys:audit-log") + "?" + query.urlencode())
    job = exports.export_job_request(
        kind=ExportJob.Kind.AUDIT,
        filters=exports.audit_filters_json(form.cleaned_data),
        requested_by=request.user,
        description=form.description(),
    )
    messages.success(request, "The export is being prepared. This page shows when it is ready.")
    return redirect("surveys:export-detail", job_id=job.pk)


def _progress_text(job: ExportJob) -> str:
    counted = f": {job.rows_done:,} of {job.rows_total:,} rows" if job.rows_total else ""
    return f"{job.get_status_display()}{counted}."


@administrator_required
def export_detail(request, job_id):
    job = get_object_or_404(ExportJob, pk=job_id)
    if request.GET.get("format") == "json":
        # Polled by static/js/export-progress.js while the worker writes the file.
        return JsonResponse({"status": job.status, "progress": job.progress, "text": _progress_text(job)})
    return render(request, "surveys/export_detail.html", {"job": job, "progress_text": _progress_text(job)})


@administrator_required
def export_download(request, job_id):
    job = get_object_or_404(ExportJob, pk=job_id)
    path = exports.export_file_path(job)
    if job.status != ExportJob.Status.DONE:
        return redirect("surveys:export-detail", job_id=job.pk)
    if job.is_expired or not path.exists():
        return render(request, "surveys/export_detail.html", {"job": job, "gone": True}, status=410)
    response = FileResponse(open(path, "rb"), content_type="text/csv; charset=utf-8")  # noqa: SIM115
    return _attachment(response, f"milepost-audit-log-{job.created_at:%Y-%m-%d-%H%M}.csv")
