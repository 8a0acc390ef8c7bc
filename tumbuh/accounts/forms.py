from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts.models import Membership, Organisation


class LoginForm(AuthenticationForm):
    """Sign in with an e-mail address or a phone number, and a password."""

    username = forms.CharField(
        label=_("E-mail or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        help_text=_("For example nama@contoh.id or 0812-3456-7890."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "The e-mail or phone number and the password do not match an account. "
            "Check both and try again; the password is case-sensitive."
        ),
        "inactive": _("This account has been deactivated."),
    }


class ResetRequestForm(PasswordResetForm):
    """Ask for a reset link by e-mail. The answer is the same whether or not an account has the
    address, so the form does not tell who has an account."""

    email = forms.EmailField(
        label=_("E-mail address of your account"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        """Active accounts with this address, including those whose password an administrator
        has just reset (Django's form leaves those out)."""
        from tumbuh.accounts.models import User

        return User.objects.filter(email__iexact=email.strip(), is_active=True)


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Organisation.Kind.choices],
    )


class APIKeyForm(forms.Form):
    label = forms.CharField(
        label=_("What the key is for"),
        max_length=100,
        help_text=_("For example: nightly upload from our CRM."),
    )
    role = forms.ChoiceField(
        label=_("Acts as"),
        choices=[
            (Membership.Role.OFFICER, Membership.Role.OFFICER.label),
            (Membership.Role.ADMIN, Membership.Role.ADMIN.label),
        ],
    )
