from axes.decorators import axes_dispatch
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django_otp.admin import OTPAdminSite

from surveys.forms.accounts import EmailAuthenticationForm
from surveys.views import accounts

from .converters import YearConverter
from .health import readyz

# Before the apps' URL modules are included: they use <year:year>.
register_converter(YearConverter, "year")

# Staff reach the Django admin only after two-factor authentication.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Milepost administration"
admin.site.site_title = "Milepost admin"

account_patterns = [
    path(
        "login/",
        axes_dispatch(auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm)),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password-change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/", accounts.profile, name="profile"),
    path("two-factor/setup/", accounts.two_factor_setup, name="two-factor-setup"),
    path("two-factor/verify/", accounts.two_factor_verify, name="two-factor-verify"),
    path("two-factor/backup/", accounts.two_factor_backup, name="two-factor-backup"),
    path("two-factor/backup-codes/", accounts.backup_codes, name="backup-codes"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("readyz", readyz, name="readyz"),
    path("accounts/", include(account_patterns)),
    path("invitations/<str:token>/", accounts.invitation_accept, name="invitation-accept"),
    path("", include("surveys.urls")),
    path("", include("metrics.urls")),
]
