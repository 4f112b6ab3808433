"""Sign-up, verification, sign-in and their limits, through allauth in the site's layout."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def sign_up(
    client,
    email="new.member@district.example",
    password="quiet-stacks-2026",
    display_name="Nina Newcomer",
):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": display_name,
            "password1": password,
            "password2": password,
        },
    )


@pytest.fixture
def hashing(monkeypatch):
    """Counts passwords hashed (the tests' hasher; the work that costs a quarter of a second
    with production's)."""
    calls = []
    encode = MD5PasswordHasher.encode

    def counted(self, password, salt):
        calls.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted)
    return calls


def test_signup_sends_verification_and_the_link_leads_to_onboarding(client, task_queue):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.member@district.example")
    assert user.profile.library_type == ""
    assert mail.outbox == []  # sent from the task queue, never in the request
    task_queue.run_all()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Librarian Commons" in body
    assert "example.com" not in body
    link = LINK.search(body).group(0)

    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm your email address" in page.content
    confirmed = client.post(link)

    assert EmailAddress.objects.get(user=user).verified is True
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("accounts:onboarding")
    # and any other page sends the new member to onboarding first
    elsewhere = client.get(reverse("accounts:list"))
    assert elsewhere.status_code == 302
    assert elsewhere["Location"].startswith(reverse("accounts:onboarding"))


def test_unverified_member_cannot_log_in(client, task_queue):
    UserFactory(email="pending@library.example", verified=False)

    response = client.post(
        reverse("account_login"), {"login": "pending@library.example", "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_signup_with_a_taken_address_looks_the_same_and_tells_the_owner(client, task_queue):
    UserFactory(email="taken@library.example")

    response = sign_up(client, email="taken@library.example")

    # same answer as a fresh sign-up: no way to learn that the address has an account
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="taken@library.example").count() == 1
    task_queue.run_all()
    assert len(mail.outbox) == 1
    assert "already exists" in mail.outbox[0].body


def test_signing_up_with_a_taken_address_does_the_same_work_as_with_a_new_one(
    client, task_queue, hashing
):
    """Hashing the new account's password was the only slow step, so a taken address
    answered six times faster: the taken path hashes the password it was given too."""
    UserFactory(email="taken@library.example")
    hashing.clear()

    fresh = sign_up(client, email="fresh@library.example")
    fresh_hashes, fresh_jobs = len(hashing), len(task_queue.jobs())
    hashing.clear()
    client.logout()
    taken = sign_up(client, email="taken@library.example")

    assert fresh["Location"] == taken["Location"]
    assert fresh_hashes == len(hashing) == 1
    assert len(task_queue.jobs()) - fresh_jobs == fresh_jobs == 1  # one email each


def test_logging_in_with_an_unknown_address_hashes_as_much_as_a_wrong_password(client, hashing):
    UserFactory(email="known@library.example")
    hashing.clear()

    client.post(reverse("account_login"), {"login": "known@library.example", "password": "nope"})
    known = len(hashing)
    hashing.clear()
    client.post(reverse("account_login"), {"login": "nobody@library.example", "password": "nope"})

    assert known == len(hashing) > 0


def test_signup_asks_the_name_members_will_see(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert '<label for="id_display_name">Your name' in page
    assert 'autocomplete="name"' in page

    response = sign_up(client, display_name="   ")

    assert response.status_code == 200
    assert "Tell colleagues your name." in response.content.decode()
    assert not User.objects.filter(email="new.member@district.example").exists()

    sign_up(client, display_name="  Nina   Newcomer ")
    assert User.objects.get(email="new.member@district.example").display_name == "Nina Newcomer"


def test_password_reset_does_not_reveal_whether_an_address_has_an_account(client, task_queue):
    UserFactory(email="known@library.example")

    known = client.post(reverse("account_reset_password"), {"email": "known@library.example"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@library.example"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("new.member.district", "too similar"),
    ],
)
def test_weak_passwords_are_refused(client, password, message):
    response = sign_up(client, password=password)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new.member@district.example").exists()


def test_login_form_fields_have_labels_and_errors_tied_to_them(client):
    page = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login">' in page
    assert '<label for="id_password">' in page
    signup = client.get(reverse("account_signup")).content.decode()
    # the password rules are a list: in a <div>, so the whole list is the description
    assert '<div class="helptext" id="id_password1_helptext"><ul>' in signup
    assert 'aria-describedby="id_password1_helptext"' in signup

    response = client.post(reverse("account_signup"), {"email": "not-an-email", "password1": "x"})
    html = response.content.decode()
    assert 'id="id_email_error"' in html
    assert re.search(
        r'<input[^>]*aria-describedby="[^"]*id_email_error[^"]*"[^>]*id="id_email"', html
    )
    assert 'aria-invalid="true"' in html


def test_repeated_failed_logins_are_refused_even_with_the_right_password(client):
    UserFactory(email="target@library.example")
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "target@library.example", "password": "wrong-guess"}
        )
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()

    response = client.post(
        reverse("account_login"), {"login": "target@library.example", "password": TEST_PASSWORD}
    )

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"


def test_admin_login_form_cannot_be_used_directly(client):
    staff = UserFactory(email="staff@library.example", is_staff=True, is_superuser=True)

    response = client.post(
        "/admin/login/", {"username": staff.email, "password": TEST_PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_sixth_wrong_admin_password_in_a_row_is_refused(client):
    UserFactory(email="staff@library.example", is_staff=True, is_superuser=True)
    login_url = client.get("/admin/login/?next=/admin/")["Location"]
    for _ in range(5):
        client.post(login_url, {"login": "staff@library.example", "password": "wrong-guess"})

    sixth = client.post(login_url, {"login": "staff@library.example", "password": "wrong-again"})

    assert "Too many failed login attempts" in sixth.content.decode()
    # the right password is refused too until the window passes
    right = client.post(login_url, {"login": "staff@library.example", "password": TEST_PASSWORD})
    assert "Too many failed login attempts" in right.content.decode()
    assert client.get("/admin/").status_code == 302


def test_staff_reach_the_admin_after_the_site_login(client):
    UserFactory(email="staff@library.example", is_staff=True, is_superuser=True)
    login_url = client.get("/admin/login/?next=/admin/")["Location"]

    response = client.post(login_url, {"login": "staff@library.example", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_members_without_staff_status_are_refused_by_the_admin(member_client):
    assert member_client.get("/admin/login/").status_code == 403


def test_login_by_emailed_code(client, task_queue):
    member = UserFactory(email="forgetful@library.example")

    response = client.post(reverse("account_request_login_code"), {"email": member.email})
    assert response.status_code == 302
    task_queue.run_all()
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    confirmed = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert confirmed.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_allauth_pages_render_in_the_site_layout_without_inline_scripts_or_styles(client, member):
    pages = [
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("account_request_login_code"),
    ]
    client.force_login(member)
    pages_signed_in = [reverse("account_email"), reverse("account_change_password")]
    for url in pages_signed_in:
        html = client.get(url).content.decode()
        assert 'aria-label="Main"' in html, url
        assert "<script>" not in html, url
        assert "<script " not in html.replace('<script src="/static', ""), url
        assert 'style="' not in html, url
    client.logout()
    for url in pages:
        html = client.get(url).content.decode()
        assert 'aria-label="Main"' in html, url
        assert html.count("<h1") == 1, url
        assert 'style="' not in html, url
        assert "<script>" not in html, url


def test_change_email_asks_to_verify_the_new_address(client, member, task_queue):
    client.force_login(member)

    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "moved@library.example"}
    )

    assert response.status_code == 302
    task_queue.run_all()
    assert mail.outbox[-1].to == ["moved@library.example"]
    assert EmailAddress.objects.filter(email="moved@library.example", verified=False).exists()


def test_an_admin_made_with_createsuperuser_reaches_the_admin_at_once(client, monkeypatch):
    """The README's way to make the first admin: no "Verify your email address" in between."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an operator's long passphrase")
    call_command(
        "createsuperuser", "--noinput", "--email", "ops@library.example", stdout=StringIO()
    )

    login_page = client.get("/admin/", follow=True)
    response = client.post(
        login_page.redirect_chain[-1][0],
        {"login": "ops@library.example", "password": "an operator's long passphrase"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200
    assert "Site administration" in response.content.decode()
    address = EmailAddress.objects.get(email="ops@library.example")
    assert (address.primary, address.verified) == (True, True)
