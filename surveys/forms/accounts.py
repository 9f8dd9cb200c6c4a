from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from ..models import Membership, Organization, User
from .fields import OrganizationChoiceField


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That e-mail address and password do not match an account. Check both and try again.",
        "inactive": "This account is disabled. Ask the coalition staff to re-enable it.",
    }


class SetPasswordFieldsMixin(forms.Form):
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords are different. Type the same password twice.")
        elif p1:
            try:
                password_validation.validate_password(p1, self.user_for_validation())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def user_for_validation(self):
        return None


class InvitationAcceptForm(SetPasswordFieldsMixin):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    field_order = ["first_name", "last_name", "password1", "password2"]

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def user_for_validation(self):
        return User(email=self.email, first_name=self.data.get("first_name", ""))


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)


class InvitationCreateForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    organization = OrganizationChoiceField(
        queryset=Organization.objects.filter(is_active=True), label="Organisation"
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.CONTRIBUTOR)

    def clean(self):
        cleaned = super().clean()
        email, organization = cleaned.get("email"), cleaned.get("organization")
        if (
            email
            and organization
            and Membership.objects.filter(user__email__iexact=email, organization=organization).exists()
        ):
            self.add_error(
                "email", f"{email} is already a member of {organization}. Change their role in the admin."
            )
        return cleaned


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("Enter the six digits your authenticator app shows.")
        return token


class BackupCodeForm(forms.Form):
    code = forms.CharField(
        label="Backup code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        help_text="One of the codes you saved when you set up two-factor authentication. Each works once.",
    )
