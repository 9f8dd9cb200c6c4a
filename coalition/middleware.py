"""Session limits and caching rules for signed-in pages: one place each, for every view."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.cache import patch_cache_control

LOGGED_IN_AT = "session_logged_in_at"
LAST_SEEN_AT = "session_last_seen_at"
# The last-seen time is written at most this often, so an active person's requests do not each save the session.
LAST_SEEN_PRECISION = 60


@receiver(user_logged_in)
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGGED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


def _idle_limit_seconds(user) -> int:
    minutes = (
        settings.SESSION_IDLE_STAFF_MINUTES
        if user.is_coalition_staff or user.is_staff
        else settings.SESSION_IDLE_MEMBER_MINUTES
    )
    return minutes * 60


class SessionLifetimeMiddleware:
    """Log a person out after a spell without requests (staff 30 minutes, members 8 hours by default) and at
    the latest SESSION_ABSOLUTE_HOURS after they logged in, with a word on why for the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Anonymous visitors of the public pages carry no session cookie: leave their session unloaded.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            reason = self._expired(request)
            if reason:
                # Carry on as an anonymous visitor, exactly as after an expired cookie: private pages send
                # them to the login page and back, and a survey save keeps what they typed meanwhile.
                logout(request)
                messages.info(request, reason)
        return self.get_response(request)

    def _expired(self, request) -> str:
        session, now = request.session, int(time.time())
        logged_in_at = session.setdefault(LOGGED_IN_AT, now)
        last_seen_at = session.get(LAST_SEEN_AT, now)
        if now - logged_in_at > settings.SESSION_ABSOLUTE_HOURS * 60 * 60:
            return (
                f"You were logged out because sessions last at most {settings.SESSION_ABSOLUTE_HOURS} "
                "hours. Log in again to carry on."
            )
        if now - last_seen_at > _idle_limit_seconds(request.user):
            return "You were logged out after a while without activity. Log in again to carry on."
        if now - last_seen_at >= LAST_SEEN_PRECISION or LAST_SEEN_AT not in session:
            session[LAST_SEEN_AT] = now
        return ""


class PrivatePagesNotStoredMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person, so neither a shared proxy
    nor the browser's history keeps a page only they may see (a member's answers, the audit log, a preview
    of unpublished figures) after they log out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = (
            settings.SESSION_COOKIE_NAME in request.COOKIES and user is not None and user.is_authenticated
        )
        if signed_in:
            response.headers.pop("Cache-Control", None)
            patch_cache_control(response, private=True, no_store=True)
        return response
