from urllib.parse import urlencode

from django.shortcuts import render
from django.views.decorators.http import require_safe

from home import dashboard as front
from home.forms import SiteSearchForm
from home.search import clean, corrections_shown, site_search
from kit.pagecache import kept_until_change
from kit.scopes import DIRECTORY, GROUPS, MEMBERS, STORIES
from kit.spelling import correction_for, searching_shows

# stories, meetups, colleagues and the directory, each of its lists' rows adding its own
EVERYTHING_PUBLIC = (STORIES, MEMBERS, GROUPS, DIRECTORY)


@require_safe
@kept_until_change(shows=EVERYTHING_PUBLIC)
def home(request):
    """Visitors see what Librarian Commons is; members see their dashboard."""
    if request.user.is_authenticated:
        board = front.dashboard(request.user)
        # the header's count came with the member's profile: the context processor's query
        # is not needed
        context = {
            "board": board,
            "unread_notification_count": board.profile.unread_notification_count,
        }
        return render(request, "home/dashboard.html", context)
    return render(request, "home/landing.html", front.landing(request.user))


@require_safe
# timeless: its upcoming meetups name the moment they change (home/search.py)
@kept_until_change(shows=searching_shows(*EVERYTHING_PUBLIC), timeless=True)
def search(request):
    form = SiteSearchForm(request.GET or None)
    # words the box refused (too many) are shown again with the error, and not searched for
    text = clean(form.cleaned_data["q"]) if form.is_valid() else ""
    results, corrected_text, exact_found = {}, "", False
    if text:
        correction = correction_for(text, request.user)
        results = site_search(request.user, text, correction)
        corrected_text, exact_found = corrections_shown(results, correction)
    return render(
        request,
        "home/search.html",
        {
            "form": form,
            "q": text,
            "results": results,
            "found_anything": any(results.values()),
            "corrected_text": corrected_text,
            "exact_found": exact_found,
            "encoded_q": urlencode({"q": text}),
        },
    )
