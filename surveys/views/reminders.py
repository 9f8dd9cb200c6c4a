"""Staff: the deadline reminders, what will be sent to whom and when, and sending the due ones now."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..permissions import administrator_required, reviewer_required
from ..services import reminders


@reviewer_required
def reminder_list(request):
    """Each open or upcoming cycle's 14-, 7- and 1-day reminders: sent, due today or upcoming, and to whom."""
    return render(
        request,
        "surveys/reminders.html",
        {
            "plan": reminders.reminders_plan(),
            "days_text": ", ".join(str(d) for d in reminders.REMINDER_DAYS[:-1])
            + f" and {reminders.REMINDER_DAYS[-1]}",
        },
    )


@administrator_required
@require_POST
def reminder_send(request):
    """Send the reminders due today now, as the daily job would (each still goes out only once)."""
    sent = reminders.reminders_send()
    if sent:
        messages.success(request, f"Sent today's reminder to {sent} organisation{'s' if sent != 1 else ''}.")
    else:
        messages.info(
            request,
            "Nothing was sent: no reminder is due today, or every organisation due one already has it.",
        )
    return redirect("surveys:reminders")
