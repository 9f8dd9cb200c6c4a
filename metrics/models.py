"""Indicator definitions, computed values, releases frozen at publication and imported history."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from surveys.models import Area


class IndicatorDefinition(models.Model):
    """What one indicator counts; the single definition behind computation, charts, tables, CSV and API.

    Codes follow the reference convention: `QUESTION.OPTION` (members whose answer includes the option),
    `QUESTION` (members answering yes), and the built-in `members` and `mileposts.*` codes.
    """

    class Kind(models.TextChoices):
        OPTION_COUNT = "option_count", "Members choosing an option"
        YES_COUNT = "yes_count", "Members answering yes"
        RESPONDENTS = "respondents", "Members reporting"
        MILEPOSTS = "mileposts", "Mileposts advanced"
        MILEPOSTS_IN_AREA = "mileposts_in_area", "Mileposts advanced in one area"
        MEMBERS_ADVANCING = "members_advancing", "Members advancing a milepost"
        MILEPOSTS_PER_MEMBER = "mileposts_per_member", "Mileposts per member"

    # Kinds whose value counts members, and so fall under disclosure control.
    MEMBER_COUNT_KINDS = (Kind.OPTION_COUNT, Kind.YES_COUNT, Kind.MEMBERS_ADVANCING)

    code = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    area = models.CharField(max_length=20, choices=Area.choices, blank=True)
    group = models.CharField(max_length=80, help_text="Chart group, e.g. image_hashing.")
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    question_code = models.CharField(max_length=80, blank=True)
    option_code = models.CharField(max_length=80, blank=True)
    position = models.PositiveIntegerField(default=0)
    # The label last derived from the questionnaire: when `label` differs, staff edited it, and syncing the
    # definitions from a new questionnaire leaves it alone.
    synced_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self):
        return self.code

    @property
    def counts_members(self) -> bool:
        return self.kind in self.MEMBER_COUNT_KINDS


class IndicatorValue(models.Model):
    """The latest computed (or imported) value of an indicator for a year; not public until released."""

    year = models.PositiveIntegerField(db_index=True)
    indicator = models.ForeignKey(IndicatorDefinition, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=12, decimal_places=1)
    # For a question's figures: the members it was shown to who answered it (who was asked), not everyone.
    denominator = models.PositiveIntegerField(null=True, blank=True)
    # For a mileposts figure: how many members advanced those mileposts (never public; the k rule uses it).
    contributors = models.PositiveIntegerField(null=True, blank=True)
    is_imported = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["year", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["year", "indicator"], name="one_value_per_year_indicator")
        ]

    def __str__(self):
        return f"{self.year} {self.indicator.code} = {self.value}"


class YearState(models.Model):
    """Bookkeeping for one survey year's computation: whether a recompute is owed, and the respondents."""

    year = models.PositiveIntegerField(unique=True)
    needs_recompute = models.BooleanField(default=False)
    requested_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # Organisation ids of the approved respondents the stored values were computed from (never public).
    respondent_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class Release(models.Model):
    """A year's figures frozen at publication; each republication is a new, numbered release."""

    class Status(models.TextChoices):
        FINAL = "final", "Final"
        # Published while the year's survey is still open: more members may yet be approved.
        INTERIM = "interim", "Interim"

    year = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    respondents = models.PositiveIntegerField(null=True, blank=True)
    respondent_ids = models.JSONField(default=list, blank=True)
    min_published_count = models.PositiveIntegerField()
    override_reason = models.TextField(blank=True)
    # Published after the interval audit (docs/disclosure.md): its denominators say who was asked, and the
    # values behind its withheld figures are kept (staff only) for auditing later releases of the year.
    audited = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FINAL)

    class Meta:
        ordering = ["-year", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="release_number_unique_per_year")
        ]

    def __str__(self):
        return f"{self.year} release {self.number}"

    @property
    def is_interim(self) -> bool:
        return self.status == self.Status.INTERIM

    @property
    def year_label(self) -> str:
        """The year as every public page, chart and CSV names it: "2026 (interim)" or "2026"."""
        return f"{self.year} (interim)" if self.is_interim else str(self.year)

    @property
    def public_note(self) -> str:
        """The note the public reads with this release: its corrections-log note ("" for a first release).

        `note` is the staff's own and is never shown. Load with `select_related("correction")`.
        """
        try:
            return self.correction.public_note
        except Correction.DoesNotExist:
            return ""


class ReleaseValue(models.Model):
    """One published figure, frozen with its label so later edits never rewrite what was published.

    A suppressed value is stored with `value` empty: the real count never leaves the computation tables.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(max_length=120)
    area = models.CharField(max_length=20, choices=Area.choices, blank=True)
    group = models.CharField(max_length=80)
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    value = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    is_imported = models.BooleanField(default=False)

    class Meta:
        ordering = ["release", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["release", "code"], name="release_value_code_unique"),
            models.CheckConstraint(
                condition=models.Q(suppressed=False) | models.Q(value__isnull=True),
                name="suppressed_value_is_empty",
            ),
        ]

    def __str__(self):
        return f"{self.release}: {self.code}"


class WithheldFigure(models.Model):
    """The real value behind a figure a release withheld, or behind a sensitive count it never publishes.

    Staff only: never read by the public side. Kept so that a later release of the year is audited together
    with what this one published (a correction must not pin a value withheld here).
    """

    class Reason(models.TextChoices):
        SMALL = "small", "Fewer than the minimum count"
        PROTECTS = "protects", "Withheld to protect another figure"
        HIDDEN = "hidden", "Never published, but could be derived"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="withheld_figures")
    code = models.CharField(max_length=130)
    value = models.DecimalField(max_digits=12, decimal_places=1)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["release", "code"]
        constraints = [
            models.UniqueConstraint(fields=["release", "code"], name="withheld_figure_code_unique"),
        ]

    def __str__(self):
        return f"{self.release}: {self.code} withheld"


class Correction(models.Model):
    """The corrections log: which figures changed, the public note saying why, and the staff's own note."""

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="correction")
    # Internal: the staff note (and any differencing override); never shown to the public.
    reason = models.TextField()
    # The only words the public log shows, written for the public and previewed before publishing.
    public_note = models.TextField(blank=True)
    changes = models.JSONField(default=list, help_text="[{code, label, old, new}] as shown to the public.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Correction to {self.release}"
