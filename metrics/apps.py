from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Indicators and publication"

    def ready(self):
        from surveys.signals import submission_approval_changed

        submission_approval_changed.connect(
            recompute_on_approval_change, dispatch_uid="metrics-recompute-on-approval-change"
        )


def recompute_on_approval_change(sender, *, year: int, **kwargs) -> None:
    """A submission entered or left the approved state: its year's indicators are owed a recompute."""
    from .services import indicators_recompute_request

    indicators_recompute_request(year=year)
