"""The GOV.UK-style error summary: one link per invalid field, pointing at the field's first input."""

from django import forms, template

register = template.Library()


@register.filter
def error_links(form: forms.Form) -> list[dict]:
    """[{"href", "label", "message"}] for each field error of `form`, in the order the fields are shown."""
    links = []
    for name, field in form.fields.items():
        if name not in form.errors:
            continue
        bound = form[name]
        # A radio or checkbox list has no input with the field's own id: its first option's id is `<id>_0`.
        many = isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
        href = f"#{bound.auto_id}_0" if many else f"#{bound.auto_id}"
        label = getattr(field, "summary_label", None) or field.label or name
        links += [{"href": href, "label": label, "message": message} for message in form.errors[name]]
    return links
