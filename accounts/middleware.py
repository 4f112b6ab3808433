"""Onboarding first: a signed-in member completes library type and region before anything else."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import Profile

ONBOARDED_SESSION_KEY = "accounts_onboarded"
# views a member can use before onboarding: signing in and out, email and password (allauth's
# views are named account_*), admin, health check, and leaving (their data, deleting)
EXEMPT_URL_NAMES = {
    "accounts:onboarding",
    "accounts:export",
    "accounts:delete",
    "healthz",
}
EXEMPT_NAMESPACES = {"admin"}


class OnboardingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.session.get(ONBOARDED_SESSION_KEY) == user.pk:
            return None
        match = request.resolver_match
        if match is None or self._is_exempt(match):
            return None
        profile = Profile.objects.filter(user=user).only("library_type", "state").first()
        if profile is not None and profile.is_onboarded:
            request.session[ONBOARDED_SESSION_KEY] = user.pk
            return None
        onboarding = reverse("accounts:onboarding")
        if request.method in ("GET", "HEAD") and request.path != "/":
            # back to where they were going afterwards
            return redirect(f"{onboarding}?{urlencode({'next': request.get_full_path()})}")
        return redirect(onboarding)

    @staticmethod
    def _is_exempt(match) -> bool:
        name = match.view_name or ""
        if name in EXEMPT_URL_NAMES or set(match.namespaces) & EXEMPT_NAMESPACES:
            return True
        # allauth's own views (sign-in, sign-out, email, password…)
        return name.startswith("account_") or match.func.__module__.startswith("allauth.")
