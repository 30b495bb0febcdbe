"""Sign-in (password, then a TOTP code for those who enrolled one), the staff directory."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from communeos.people import selectors, services
from communeos.people.forms import TokenForm

PENDING_USER = "otp_pending_user"
PENDING_BACKEND = "otp_pending_backend"
PENDING_NEXT = "otp_pending_next"


def _next_url(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return "/"


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    """Step one: username and password. The same message answers an unknown user and a
    wrong password (Django's form); django-axes locks a username+address pair out after
    repeated failures. An official who enrolled a TOTP device goes on to step two."""
    form = AuthenticationForm(request, data=request.POST or None)
    next_url = _next_url(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        if device is None:
            login(request, user)
            return redirect(next_url)
        request.session.cycle_key()
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_BACKEND] = user.backend
        request.session[PENDING_NEXT] = next_url
        return redirect("people:login_otp")
    return render(request, "people/login.html", {"form": form, "next": next_url})


@csrf_protect
@never_cache
def login_otp_view(request):
    """Step two: the six-digit code. Devices throttle repeated wrong codes themselves."""
    user_id = request.session.get(PENDING_USER)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("people:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next(
            (
                d
                for d in TOTPDevice.objects.devices_for_user(user, confirmed=True)
                if d.verify_token(form.cleaned_data["token"])
            ),
            None,
        )
        if device is not None:
            next_url = request.session.get(PENDING_NEXT, "/")
            user.backend = request.session[PENDING_BACKEND]
            login(request, user)
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("token", _("This code is not valid. Wait for a new one and try again."))
    return render(request, "people/login_otp.html", {"form": form})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("people:login")


@login_required
def otp_setup(request):
    """Enrol a TOTP authenticator: show the QR code, confirm with a first code."""
    device = TOTPDevice.objects.filter(user=request.user).order_by("-id").first()
    if device is not None and device.confirmed:
        return render(request, "people/otp_setup.html", {"enrolled": True})
    if device is None:
        device = services.totp_device_start(actor=request.user, person=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(actor=request.user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-step sign-in is on. You will be asked for a code at each sign-in."))
            return redirect("core:home")
        form.add_error("token", _("This code is not valid. Check the time on your phone and try again."))
    return render(
        request, "people/otp_setup.html", {"form": form, "device": device, "qr": services.totp_qr_svg(device)}
    )


@login_required
def staff_list(request):
    q = request.GET.get("q", "")[:100]
    people = selectors.staff_list(user=request.user, q=q)
    return render(request, "people/staff_list.html", {"people": people, "q": q})


@login_required
def person_detail(request, person_id: int):
    person = selectors.person_detail(user=request.user, person_id=person_id)
    return render(request, "people/person_detail.html", {"person": person})


@login_required
@require_POST
def unit_switch(request):
    _unit, choices = selectors.current_unit_for(request)
    wanted = request.POST.get("unit")
    if wanted and wanted.isdigit() and int(wanted) in {u.pk for u in choices}:
        request.session[selectors.SESSION_UNIT] = int(wanted)
    return redirect(_next_url(request, request.POST.get("next")))
