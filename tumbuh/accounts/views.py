"""Sign-in, the console home and the organisation pages."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tumbuh.accounts import services
from tumbuh.accounts.forms import APIKeyForm, LoginForm, OrganisationFilterForm, ResetRequestForm
from tumbuh.accounts.models import APIKey
from tumbuh.accounts.permissions import Capability, has_capability, require
from tumbuh.accounts.queries import visible_organisations
from tumbuh.accounts.work import Specificity, landing_url, work_of
from tumbuh.core.htmx import render_page


class LoginView(auth_views.LoginView):
    """Sign in, then go to the person's work (``work.landing_url``).

    A ``next`` given to the form wins when Django finds it safe (same host, no scheme change);
    anything else, such as ``//elsewhere.example`` or ``https://elsewhere.example/``, is ignored
    and the person lands on their work.
    """

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail; people with only a phone ask their administrator."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password through a link (by e-mail, or from an administrator); recorded."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_reset(user=form.user)
        return response


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


@login_required
@require_POST
def member_password_reset(request, slug):
    """An administrator resets a member's password: the link is shown once, to pass on."""
    organisation = _visible_organisation(request, slug)
    membership = get_object_or_404(
        organisation.memberships.select_related("user"), pk=request.POST.get("membership") or 0
    )
    path = services.reset_password_by_administrator(
        user=membership.user, organisation=organisation, by=request.user
    )
    return render(
        request,
        "accounts/password_reset_issued.html",
        {
            "organisation": organisation,
            "person": membership.user,
            "link": request.build_absolute_uri(path),
        },
    )


@login_required
@require_GET
def console_home(request):
    """Every piece of the person's work, most specific first, and their roles."""
    work = work_of(request.user)
    return render(
        request,
        "accounts/console_home.html",
        {
            "memberships": list(request.user.memberships.select_related("organisation")),
            "own_work": [item for item in work if item.specificity > Specificity.CONSOLE],
            "console_work": [item for item in work if item.specificity <= Specificity.CONSOLE],
            "headlines": [item for item in work if item.figures],
        },
    )


@login_required
@require_GET
def organisation_list(request):
    require(request.user, Capability.VIEW_ORGANISATIONS)
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = visible_organisations(
        request.user, q=filters.get("q", ""), kind=filters.get("kind", "")
    )
    return render_page(
        request,
        "accounts/organisation_list.html",
        {"form": form, "organisations": organisations},
        partial="results",
    )


def _visible_organisation(request, slug):
    require(request.user, Capability.VIEW_ORGANISATIONS)
    # Out of scope and missing look the same: 404, so a slug does not reveal a record exists.
    return get_object_or_404(visible_organisations(request.user), slug=slug)


def _may_manage_keys(user, organisation) -> bool:
    return has_capability(user, Capability.ISSUE_API_KEYS) and (
        user.is_superuser
        or user.memberships.filter(organisation=organisation, role="admin").exists()
    )


@login_required
@require_GET
def organisation_detail(request, slug):
    organisation = _visible_organisation(request, slug)
    may_manage_keys = _may_manage_keys(request.user, organisation)
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": organisation.memberships.select_related("user").order_by(
                "user__full_name", "role"
            ),
            "may_manage_keys": may_manage_keys,
            "may_manage_people": services.may_manage_people(request.user, organisation),
            "api_keys": organisation.api_keys.all() if may_manage_keys else [],
            "key_form": APIKeyForm() if may_manage_keys else None,
        },
    )


@login_required
@require_http_methods(["POST"])
def api_key_issue(request, slug):
    organisation = _visible_organisation(request, slug)
    if not _may_manage_keys(request.user, organisation):
        raise PermissionDenied(Capability.ISSUE_API_KEYS.label)
    form = APIKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The key was not issued: say what it is for."))
        return redirect(organisation)
    api_key, secret = services.issue_api_key(
        organisation=organisation,
        label=form.cleaned_data["label"],
        role=form.cleaned_data["role"],
        by=request.user,
    )
    # Shown once, on this response only; never stored, never in a URL.
    return render(
        request,
        "accounts/api_key_issued.html",
        {"organisation": organisation, "api_key": api_key, "secret": secret},
    )


@login_required
@require_POST
def api_key_revoke(request, slug, prefix):
    organisation = _visible_organisation(request, slug)
    if not _may_manage_keys(request.user, organisation):
        raise PermissionDenied(Capability.ISSUE_API_KEYS.label)
    api_key = get_object_or_404(APIKey, organisation=organisation, prefix=prefix)
    if services.revoke_api_key(api_key=api_key, by=request.user):
        messages.success(request, _("The key %(label)s was revoked.") % {"label": api_key.label})
    return redirect(organisation)
