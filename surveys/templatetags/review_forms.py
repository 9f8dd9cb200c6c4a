"""The comment and reply forms repeated on the review pages, one per question, milepost or comment."""

from django import template

from ..forms.review import CommentForm, ReplyForm

register = template.Library()


@register.simple_tag
def comment_form(target: str = "", target_id: int | None = None, subject: str = "") -> CommentForm:
    """A reviewer's comment on the whole submission, or on one question or milepost (`target`)."""
    return CommentForm(target=target, target_id=target_id, subject=subject)


@register.simple_tag
def reply_form(comment) -> ReplyForm:
    return ReplyForm(auto_id=f"reply-{comment.pk}-%s")
