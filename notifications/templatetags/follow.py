from django import template

from notifications.followables import followable_name
from notifications.models import Follow

register = template.Library()


@register.inclusion_tag("includes/_follow_button.html", takes_context=True)
def follow_button(context, target):
    """A Follow / Following button for `target` (a member, tag, group or organisation).

    When the view loaded `target` with `viewer_follows` (`Follow.objects.followed_by()`), that
    answers whether the viewer follows it; otherwise it costs one query."""
    request = context["request"]
    kind = followable_name(type(target))
    following = getattr(target, "viewer_follows", None)
    if following is None:
        following = (
            request.user.is_authenticated
            and Follow.objects.of(request.user).targeting(target).exists()
        )
    return {
        "kind": kind,
        "target": target,
        "following": following,
        "user": request.user,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
