"""Form fields that choose one of thousands of rows by typing, instead of a drop-down listing every row."""

from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy

from ..models import Organization, User


class OrganizationSearchInput(forms.TextInput):
    """A text input whose browser suggestions (a <datalist>) come from the staff organisation search.

    Without JavaScript it is a plain text input: typing the whole name works the same.
    """

    template_name = "surveys/widgets/organization_search.html"

    class Media:
        js = ["js/organization-search.js"]

    def __init__(self, attrs=None):
        super().__init__(
            {"autocomplete": "off", "data-organization-search": reverse_lazy("surveys:organization-search")}
            | (attrs or {})
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        datalist = f"{context['widget']['attrs'].get('id') or 'id_' + name}-suggestions"
        context["widget"]["attrs"]["list"] = datalist
        context["widget"]["datalist_id"] = datalist
        return context


class OrganizationChoiceField(forms.Field):
    """An organisation typed by name (its id is accepted too, for links); one query to find it."""

    widget = OrganizationSearchInput
    default_error_messages = {
        "unknown": "No organisation is called “%(name)s”.",
    }

    def __init__(self, *, queryset: QuerySet | None = None, **kwargs):
        self.queryset = queryset if queryset is not None else Organization.objects.all()
        kwargs.setdefault("help_text", "Type part of the name and pick it from the suggestions.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Organization):
            return value.name
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return self.queryset.filter(pk=int(value)).values_list("name", flat=True).first() or value
        return value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        found = self.queryset.filter(name__iexact=text).order_by("id").first()
        if found is None and text.isdigit():
            found = self.queryset.filter(pk=int(text)).first()
        if found is None:
            close = list(
                self.queryset.filter(name__icontains=text).order_by("name").values_list("name", flat=True)[:5]
            )
            message = self.error_messages["unknown"] % {"name": text}
            message += f" Did you mean {', '.join(close)}?" if close else " Check the spelling."
            raise forms.ValidationError(message, code="unknown")
        return found


class UserEmailField(forms.Field):
    """A person chosen by their e-mail address (their id is accepted too, for links)."""

    widget = forms.TextInput(attrs={"autocomplete": "off", "inputmode": "email"})

    def prepare_value(self, value):
        return value.email if isinstance(value, User) else value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        found = User.objects.filter(email__iexact=text).first()
        if found is None and text.isdigit():
            found = User.objects.filter(pk=int(text)).first()
        if found is None:
            raise forms.ValidationError(f"Nobody has the e-mail address “{text}”. Check the spelling.")
        return found
