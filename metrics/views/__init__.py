"""Public dashboard pages, the open-data API, the member's private benchmark and the staff figures pages (staff)."""

from .api import indicators_csv, indicators_json, openapi, years
from .member import member_benchmark
from .public import (
    area_page,
    group_csv,
    healthz,
    methodology,
    mileposts_csv,
    open_data,
    overview,
    trend_csv,
    trends,
)

__all__ = [
    "area_page",
    "group_csv",
    "healthz",
    "indicators_csv",
    "indicators_json",
    "member_benchmark",
    "methodology",
    "mileposts_csv",
    "open_data",
    "openapi",
    "overview",
    "trend_csv",
    "trends",
    "years",
]
