from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AuditEvent,
    Invitation,
    Membership,
    Milepost,
    MilepostProposal,
    Option,
    Organization,
    Question,
    Section,
    Submission,
    SurveyCycle,
    User,
)
from .services import accounts as account_services


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "staff_role", "is_active", "last_login"]
    list_filter = ["staff_role", "is_active", "memberships__role"]
    search_fields = ["email", "first_name", "last_name", "memberships__organization__name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name"]}),
        ("Coalition staff", {"fields": ["staff_role", "is_staff", "is_superuser", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "staff_role"]})
    ]
    filter_horizontal: list[str] = []


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "joined_on"]
    list_filter = ["is_active", "joined_on"]
    search_fields = ["name", "slug", "website"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]  # organisations are searched, not listed: there may be thousands
    search_fields = ["user__email", "user__first_name", "user__last_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["email", "organization__name"]
    fields = ["email", "organization", "role"]
    readonly_fields = ["invited_by", "created_at", "expires_at", "accepted_at", "accepted_by"]
    autocomplete_fields = ["organization"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.fields + self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        # New invitations go through the service, which creates the token and sends the e-mail.
        if not change:
            invitation, _ = account_services.invitation_create(
                organization=obj.organization, email=obj.email, role=obj.role, invited_by=request.user
            )
            obj.pk = invitation.pk


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(SurveyCycle)
class SurveyCycleAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "opens_on", "closes_on"]
    inlines = [SectionInline]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "cycle", "section", "type", "required"]
    list_filter = ["cycle", "type", "section__code"]
    search_fields = ["code", "text"]
    inlines = [OptionInline]


@admin.register(Milepost)
class MilepostAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "area", "category_2024", "introduced_year", "is_active"]
    list_filter = ["area", "category_2024", "is_active"]
    search_fields = ["code", "title"]


@admin.register(MilepostProposal)
class MilepostProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "status", "submission", "created_at"]
    list_filter = ["status", "area"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: submissions change only through the member pages and the review workflow."""

    list_display = ["organization", "cycle", "status", "submitted_at", "approved_at"]
    list_filter = ["status", "cycle"]
    search_fields = ["organization__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log can be read and searched, never changed."""

    list_display = ["created_at", "kind", "organization", "actor", "subject"]
    list_filter = ["kind", "created_at"]
    search_fields = ["organization__name", "actor__email", "subject", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
