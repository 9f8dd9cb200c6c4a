"""Organisations, people, questionnaires, submissions, mileposts and the review workflow's records."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("staff_role", User.StaffRole.ADMINISTRATOR)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Logging in as "Lead@AuroraSocial.example" finds lead@aurorasocial.example, as reset and invitations do.
        return self.get(email__iexact=username.strip())


class User(AbstractUser):
    """A person who logs in with their e-mail address; coalition staff carry a staff role."""

    class StaffRole(models.TextChoices):
        NONE = "", "Not staff"
        REVIEWER = "reviewer", "Reviewer"
        ADMINISTRATOR = "administrator", "Administrator"

    username = None
    email = models.EmailField("e-mail address", unique=True)
    staff_role = models.CharField(max_length=20, choices=StaffRole.choices, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            # One address, one account, whatever the case it was typed in (login compares case-insensitively).
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        # Stored lower-case whatever path saved it (the admin too), so one address is one account.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_coalition_staff(self) -> bool:
        return bool(self.staff_role)

    @property
    def is_reviewer(self) -> bool:
        """Reviewers and administrators both review submissions."""
        return self.staff_role in (self.StaffRole.REVIEWER, self.StaffRole.ADMINISTRATOR)

    @property
    def is_administrator(self) -> bool:
        return self.staff_role == self.StaffRole.ADMINISTRATOR


class Organization(models.Model):
    """A member company of the coalition."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    website = models.URLField(blank=True)
    joined_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person's role in one member organisation."""

    class Role(models.TextChoices):
        CONTRIBUTOR = "contributor", "Contributor (edits answers)"
        LEAD = "lead", "Lead (edits and submits)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTRIBUTOR)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_user_and_org"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organization} ({self.get_role_display()})"

    @property
    def can_submit(self) -> bool:
        return self.role == self.Role.LEAD


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Invitations neither accepted nor revoked (expired ones included)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self):
        """Invitations not yet accepted, not revoked and not expired."""
        return self.open().filter(expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use, expiring link that lets a person join an organisation with a role.

    Only a hash of the token is stored: the link in the e-mail is the only copy of the secret.
    """

    email = models.EmailField()
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(
        max_length=20, choices=Membership.Role.choices, default=Membership.Role.CONTRIBUTOR
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "organization"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_person_and_org",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


# --- Questionnaires -------------------------------------------------------------------------------------


class Area(models.TextChoices):
    """The three areas the coalition reports on."""

    PREVENTION = "prevention", "Prevention"
    DETECTION = "detection", "Detection"
    RESPONSE = "response", "Response"


class SurveyCycle(models.Model):
    """One year's survey: its dates and its own questionnaire (sections and questions)."""

    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    year = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="cycle_closes_after_open"
            ),
        ]

    def __str__(self):
        return self.title or f"Survey {self.year}"

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if today < self.opens_on:
            return self.Status.UPCOMING
        if today > self.closes_on:
            return self.Status.CLOSED
        return self.Status.OPEN

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Section(models.Model):
    cycle = models.ForeignKey(SurveyCycle, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(max_length=50)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["cycle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="section_code_unique_per_cycle")
        ]

    def __str__(self):
        return f"{self.cycle.year} · {self.title}"


class Question(models.Model):
    """A question with a stable `code` that stays the same across years, whatever its wording."""

    class Type(models.TextChoices):
        YES_NO = "yes_no", "Yes / no"
        SINGLE_CHOICE = "single_choice", "Single choice"
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        INTEGER = "integer", "Whole number"
        PERCENTAGE = "percentage", "Percentage"
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"

    class ConditionOperator(models.TextChoices):
        EQUALS = "equals", "equals"
        INCLUDES = "includes", "includes"

    # What each type does with its answers is in surveys/answer_types.py.

    cycle = models.ForeignKey(SurveyCycle, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=80)
    type = models.CharField(max_length=20, choices=Type.choices)
    text = models.TextField()
    help_text = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    min_value = models.IntegerField(null=True, blank=True)
    max_value = models.IntegerField(null=True, blank=True)
    # Shown only when another (earlier) question's answer equals / includes condition_value.
    condition_question = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="dependent_questions"
    )
    condition_operator = models.CharField(max_length=10, choices=ConditionOperator.choices, blank=True)
    condition_value = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="question_code_unique_per_cycle"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="question_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=(Q(condition_question__isnull=True) & Q(condition_operator=""))
                | (Q(condition_question__isnull=False) & ~Q(condition_operator="")),
                name="question_condition_complete",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.text[:60]}"

    @property
    def is_choice(self) -> bool:
        from .answer_types import CHOICE_TYPES  # answer_types imports the models

        return self.type in CHOICE_TYPES

    @property
    def has_condition(self) -> bool:
        return self.condition_question_id is not None


class Option(models.Model):
    """A choice of a single or multiple choice question; the code `none` is exclusive."""

    EXCLUSIVE_CODE = "none"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(max_length=80)
    label = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_unique_per_question")
        ]

    def __str__(self):
        return f"{self.question.code}.{self.code}"


# --- Mileposts ------------------------------------------------------------------------------------------


class Milepost(models.Model):
    """A concrete improvement step in the catalogue; available from `introduced_year` on."""

    class Category2024(models.TextChoices):
        REPORTING = "reporting", "Reporting"
        TRANSPARENCY = "transparency", "Transparency"
        TOOLING_INVESTIGATIONS = "tooling_investigations", "Tooling & investigations"
        WELLNESS = "wellness", "Wellness"
        PREVENTION = "prevention", "Prevention"
        DETECTION = "detection", "Detection"
        USER_REPORTING = "user_reporting", "User reporting"

    code = models.SlugField(max_length=80, unique=True)
    area = models.CharField(max_length=20, choices=Area.choices)
    category_2024 = models.CharField(max_length=30, choices=Category2024.choices, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    introduced_year = models.PositiveIntegerField(default=2024)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["area", "title"]

    def __str__(self):
        return self.title


# --- Submissions ----------------------------------------------------------------------------------------


class SubmissionQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Submission.Status.APPROVED)


class Submission(models.Model):
    """One organisation's answers and mileposts for one survey cycle."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned with comments"
        APPROVED = "approved", "Approved"
        REOPENED = "reopened", "Reopened"

    # Members may edit only in these states (and only while the cycle is open, unless staff returned it).
    MEMBER_EDITABLE = (Status.DRAFT, Status.RETURNED, Status.REOPENED)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="submissions")
    cycle = models.ForeignKey(SurveyCycle, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cycle"], name="one_submission_per_org_and_cycle"
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.cycle.year}"

    @property
    def is_member_editable(self) -> bool:
        return self.status in self.MEMBER_EDITABLE


class Answer(models.Model):
    """One answer; typed columns and option rows let the database count answers with GROUP BY.

    `is_visible` is kept in step with the questionnaire's conditions by the service that saves answers:
    an answer to a hidden question is kept (so nothing typed is lost) but never counted or required.
    """

    class Provenance(models.TextChoices):
        NEW = "new", "New"
        CARRIED = "carried", "From last year"
        CONFIRMED = "confirmed", "Confirmed from last year"
        CHANGED = "changed", "Changed from last year"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value_bool = models.BooleanField(null=True, blank=True)
    value_int = models.BigIntegerField(null=True, blank=True)
    value_text = models.TextField(blank=True)
    options = models.ManyToManyField(Option, blank=True, related_name="answers")
    is_visible = models.BooleanField(default=True)
    provenance = models.CharField(max_length=20, choices=Provenance.choices, default=Provenance.NEW)
    # Incremented on every change; a save based on an older version is a co-editing conflict.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="one_answer_per_question"),
        ]

    def __str__(self):
        return f"{self.submission} · {self.question.code}"


class SubmissionMilepost(models.Model):
    """A catalogue milepost the organisation advanced in the cycle's year, with what it did."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="mileposts")
    milepost = models.ForeignKey(Milepost, on_delete=models.PROTECT, related_name="advancements")
    description = models.TextField()
    provenance = models.CharField(
        max_length=20, choices=Answer.Provenance.choices, default=Answer.Provenance.NEW
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["milepost__area", "milepost__title"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "milepost"], name="milepost_once_per_submission"),
        ]

    def __str__(self):
        return f"{self.submission} · {self.milepost.code}"


class MilepostProposal(models.Model):
    """A milepost a member proposes that is not in the catalogue; staff accept or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="milepost_proposals")
    area = models.CharField(max_length=20, choices=Area.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    milepost = models.ForeignKey(Milepost, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


# --- Review and audit -----------------------------------------------------------------------------------


class ReviewComment(models.Model):
    """A reviewer's comment on one answer or milepost (or the whole submission), or a member's reply."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    milepost = models.ForeignKey(Milepost, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Comment by {self.author} on {self.submission}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Append-only record of every answer change, transition and comment.

    For a transition, `old_value` / `new_value` hold the statuses; for an answer, the values.
    """

    class Kind(models.TextChoices):
        ANSWER_CHANGED = "answer_changed", "Answer changed"
        MILEPOST_CHANGED = "milepost_changed", "Milepost changed"
        TRANSITION = "transition", "Status changed"
        COMMENT = "comment", "Comment"
        IMPORT = "import", "Imported"
        MILEPOST_PROPOSAL = "milepost_proposal", "Milepost proposal"
        INVITATION = "invitation", "Invitation"
        PUBLICATION = "publication", "Figures published"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(max_length=120, blank=True, help_text="Question or milepost code.")
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "created_at"]),
            # The audit log pages by (created_at, id) from a cursor (keyset), never by OFFSET.
            models.Index(fields=["created_at", "id"], name="auditevent_keyset"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.subject or self.submission_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    @classmethod
    def about(
        cls, submission, *, kind, actor, subject="", old=None, new=None, note="", **extra
    ) -> "AuditEvent":
        """An unsaved event about one submission (for bulk_create), filed under its organisation."""
        return cls(
            kind=kind,
            submission=submission,
            organization_id=submission.organization_id,
            actor=actor,
            subject=subject,
            old_value=old,
            new_value=new,
            note=note,
            **extra,
        )


class ExportJob(models.Model):
    """A large CSV export made by a background worker and kept privately until it expires.

    The file lives in settings.EXPORTS_DIR (never under the static or media URLs) as `<id>.csv`; staff fetch it
    through a view that checks who is asking.
    """

    class Kind(models.TextChoices):
        AUDIT = "audit", "Audit log"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Being written"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    filters = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=300, blank=True, help_text="The filters, in words.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} export of {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def progress(self) -> int:
        """Percent written, 0–100."""
        if self.status == self.Status.DONE:
            return 100
        return min(99, 100 * self.rows_done // self.rows_total) if self.rows_total else 0


class ReminderSent(models.Model):
    """A deadline reminder e-mailed to an organisation; the unique key makes each one go out once."""

    cycle = models.ForeignKey(SurveyCycle, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organization", "days_before"], name="reminder_once"),
        ]

    def __str__(self):
        return f"{self.organization}: {self.days_before} days before {self.cycle.year} closes"
