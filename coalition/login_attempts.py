"""Who is trying to log in, as django-axes counts failures: the account typed and the address it came from.

Failures are counted per (account, address) pair, so a burst of wrong passwords locks that account from that
address only: neither other people behind the same address (an office, or every visitor when the proxy's
address is all the app sees) nor the account's owner elsewhere.
"""

from django.conf import settings


def login_username(request, credentials: dict | None = None) -> str:
    """The e-mail address typed into the login form (field `username`), compared case-insensitively."""
    if credentials and credentials.get("username"):
        typed = credentials["username"]
    else:
        typed = getattr(request, "POST", {}).get("username", "") if request is not None else ""
    return (typed or "").strip().lower()


def client_ip(request) -> str | None:
    """The visitor's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost
    of them saw, from X-Forwarded-For.

    Only the entries our own proxies appended are believed: a visitor can send any X-Forwarded-For they
    like, but each proxy appends the address it was connected from, so the entry `count` places from the
    right is the last one a trusted proxy wrote.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out person sees (HTTP 429): how long to wait and what else they can do."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
