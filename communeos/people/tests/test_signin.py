"""Sign-in: one message for unknown user and wrong password, lockout, optional TOTP, sessions
that end; per-integration API tokens."""

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from communeos.conftest import PASSWORD
from communeos.people import services


def sign_in(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def error_text(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_a_good_password_signs_in(client, cast):
    response = sign_in(client, "officer.a", PASSWORD)
    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == "officer.a"


def test_an_unknown_user_and_a_wrong_password_get_the_same_message(client, cast):
    unknown = sign_in(client, "nobody", PASSWORD)
    wrong = sign_in(client, "officer.a", "wrong-password")
    assert unknown.status_code == wrong.status_code == 200
    assert error_text(unknown) == error_text(wrong) != ""


def test_repeated_failures_lock_the_account_out_from_that_address(client, cast):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "officer.a", "wrong-password")
    locked = sign_in(client, "officer.a", PASSWORD)
    assert locked.status_code == 429
    assert "people/locked_out.html" in [t.name for t in locked.templates]
    assert client.get("/api/v1/me/").status_code == 401
    # another address is not locked out
    assert sign_in(client, "officer.a", PASSWORD, REMOTE_ADDR="10.9.8.7").status_code == 302


def totp_now(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_an_official_with_totp_needs_the_code_after_the_password(client, cast):
    device = services.totp_device_start(actor=cast.chair_a, person=cast.chair_a)
    assert services.totp_device_confirm(actor=cast.chair_a, device=device, token=totp_now(device))
    device.refresh_from_db()
    device.last_t = -1  # let the same time step be used again for sign-in in this test
    device.save()
    response = sign_in(client, "chair.a", PASSWORD)
    assert response.status_code == 302 and response.url == "/accounts/login/code/"
    assert client.get("/api/v1/me/").status_code == 401  # not signed in yet
    bad = client.post("/accounts/login/code/", {"token": "000000" if totp_now(device) != "000000" else "111111"})
    assert bad.status_code == 200 and bad.context["form"].errors
    # Right after a wrong code the device throttles: even the right code waits.
    assert client.post("/accounts/login/code/", {"token": totp_now(device)}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # as if the wait had passed
    good = client.post("/accounts/login/code/", {"token": totp_now(device)})
    assert good.status_code == 302
    assert client.get("/api/v1/me/").json()["username"] == "chair.a"


def test_enrolling_totp_shows_a_qr_code_and_confirms_with_a_code(client, cast):
    client.force_login(cast.chair_a)
    page = client.get("/accounts/two-step/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=cast.chair_a)
    assert client.post("/accounts/two-step/", {"token": totp_now(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_sessions_end_with_the_browser_and_after_a_working_day():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_an_api_token_authenticates_an_integration_until_revoked(client, cast):
    token, raw = services.api_token_create(actor=None, person=cast.officer_a, name="portal")
    assert raw not in token.digest and token.digest == token.digest_of(raw)
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "officer.a"
    assert [a["unit"]["code"] for a in body["assignments"]] == [cast.commune_a.code]
    assert client.get(f"/api/v1/people/{cast.officer_b.pk}/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 404
    services.api_token_revoke(actor=None, token=token)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_sign_in_never_redirects_to_another_site(client, cast, next_url):
    response = client.post("/accounts/login/", {"username": "officer.a", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302 and response.url == "/"
