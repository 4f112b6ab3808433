from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import ListView

from kit.view_helpers import on_this_site, safe_next
from notifications import services
from notifications.followables import FOLLOWABLE
from notifications.forms import MailingListForm
from notifications.kinds import NotificationKind
from notifications.mailing_list import list_stop_token_read, mailing_list_mode_set
from notifications.models import Follow, MailingListMode, Notification


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.for_member(self.request.user)


@login_required
@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    target = services.notification_open(notification=notification)
    if target and on_this_site(request, target):
        return HttpResponseRedirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_mark_all_read(request):
    count = services.notifications_mark_all_read(member=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications:list")


@login_required
@require_POST
def follow_toggle(request, kind, pk):
    followable = FOLLOWABLE.get(kind)
    if followable is None:
        raise Http404("Nothing of that kind can be followed.")
    # what its page would answer 404 for (a hidden profile, a deactivated account) is 404
    # here too, so walking the ids names no one
    target = get_object_or_404(followable.visible_to(request.user), pk=pk)
    if target == request.user:
        messages.error(request, "You can’t follow yourself.")
    elif services.follow_toggle(member=request.user, target=target):
        messages.success(request, f"You now follow {target}.")
    else:
        messages.success(request, f"You no longer follow {target}.")
    return HttpResponseRedirect(safe_next(request, reverse("notifications:following")))


class FollowingListView(LoginRequiredMixin, ListView):
    template_name = "notifications/following_list.html"
    context_object_name = "follows"
    paginate_by = 50

    def get_queryset(self):
        return (
            Follow.objects.of(self.request.user)
            .visible_to(self.request.user)
            .select_related("content_type")
            .prefetch_related("target")
            .order_by("-created_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for follow in context["follows"]:
            if follow.target is not None:
                follow.target.viewer_follows = True  # every one listed here is followed
        return context


@csrf_exempt  # mail clients POST one-click unsubscribes (RFC 8058); the signed token authorises
def unsubscribe(request, token):
    found = services.unsubscribe_token_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    member, kind = found
    if request.method == "POST":
        services.email_preference_set(member=member, kind=kind, enabled=False)
        return render(
            request, "notifications/unsubscribed.html", {"kind_label": NotificationKind(kind).label}
        )
    return render(
        request,
        "notifications/unsubscribe_confirm.html",
        {"kind_label": NotificationKind(kind).label, "token": token},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mailing_list(request):
    """Mailing-list mode: on or off, and the daily cap."""
    mode = MailingListMode.objects.filter(member=request.user).first()
    initial = {"enabled": mode is not None, "daily_cap": mode.daily_cap if mode else 20}
    form = MailingListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        enabled = form.cleaned_data["enabled"]
        mailing_list_mode_set(
            member=request.user, enabled=enabled, daily_cap=form.cleaned_data["daily_cap"]
        )
        messages.success(
            request,
            f"Mailing-list mode is on: at most {form.cleaned_data['daily_cap']} emails a day."
            if enabled
            else "Mailing-list mode is off.",
        )
        return redirect("notifications:mailing_list")
    return render(request, "notifications/mailing_list.html", {"form": form})


@csrf_exempt  # mail clients POST one-click unsubscribes (RFC 8058); the signed token authorises
@require_http_methods(["GET", "POST"])
def list_stop(request, token):
    member = list_stop_token_read(token)
    if member is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        mailing_list_mode_set(member=member, enabled=False)
        return render(request, "notifications/list_stop.html", {"stopped": True})
    return render(request, "notifications/list_stop.html", {"stopped": False})
