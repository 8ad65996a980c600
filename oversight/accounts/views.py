"""Signing in and out, and the administrators' list of users (under ``/staff/``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from oversight.accounts import services, throttle
from oversight.accounts.forms import SignInForm, UserAddForm
from oversight.accounts.models import Role
from oversight.accounts.roles import role_required
from oversight.staff.govuk import form_errors, staff_page
from oversight.staff.work import when


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return ""


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in; after too many wrong attempts for a user name or from an address, refuse
    for a while, right password or not (``oversight.accounts.throttle``)."""
    next_url = _safe_next(request)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    errors = []
    status = 200
    if form.is_bound:
        username = request.POST.get("username", "")
        address = throttle.client_address(request)
        lock = throttle.lock_for(username, address) if username.strip() else None
        if lock is not None:
            throttle.record(username, address, throttle.Outcome.REFUSED)
            errors, status = [("username", _locked_message(lock))], 429
        elif form.is_valid():
            throttle.record(username, address, throttle.Outcome.SUCCEEDED)
            login(request, form.user)
            return redirect(next_url or services.landing_url(form.user))
        else:
            errors = form_errors(form)
            if form.authentication_failed:
                lock = throttle.record(username, address, throttle.Outcome.FAILED)
                if lock is not None:
                    errors, status = [("username", _locked_message(lock))], 429
    return staff_page(request, "accounts/sign_in.html", "Sign in", errors=errors, form=form,
                      next=next_url, signed_out="signed-out" in request.GET, status=status)


def _locked_message(lock: throttle.Lock) -> str:
    return (f"You have entered a wrong user name or password too many times. Wait "
            f"{throttle.LOCKOUT.seconds // 60} minutes, until {when(lock.until)}, then try "
            "again. If you have forgotten your password, ask an administrator")


@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        return redirect("/staff/login/?signed-out=1")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return staff_page(request, "accounts/sign_out.html", "Sign out")


@role_required(Role.ADMINISTRATOR)
def users(request: HttpRequest) -> HttpResponse:
    people = (get_user_model().objects.select_related("profile__organisation")
              .order_by("username"))
    return staff_page(request, "accounts/users.html", "Users", people=people,
                      breadcrumbs=[{"text": "Dashboard", "href": "/staff/"}])


@sensitive_post_parameters("password")
@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def user_add(request: HttpRequest) -> HttpResponse:
    form = UserAddForm(request.POST if request.method == "POST" else None)
    errors = []
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.create_user(
                    data["username"], data["role"], organisation=data["organisation"] or None,
                    password=data["password"], email=data["email"], by=request.user)
            except services.UserError as exc:
                errors = [(exc.field, str(exc))]
            else:
                messages.success(request, f"{user.username} was added as "
                                          f"{user.profile.get_role_display().lower()}.")
                return redirect("staff:users")
        else:
            errors = form_errors(form)
    return staff_page(request, "accounts/user_add.html", "Add a user", errors=errors, form=form,
                      roles=Role.choices,
                      breadcrumbs=[{"text": "Dashboard", "href": "/staff/"},
                                   {"text": "Users", "href": "/staff/users/"}])
