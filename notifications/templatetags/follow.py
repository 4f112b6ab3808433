from django import template

from notifications.followables import FOLLOWABLE
from notifications.models import Follow

register = template.Library()
_KIND_BY_LABEL = {kind.model._meta.label_lower: name for name, kind in FOLLOWABLE.items()}


@register.inclusion_tag("includes/_follow_button.html", takes_context=True)
def follow_button(context, target):
    """A Follow / Following button for `target` (a member, tag, group or organisation).

    When the view loaded `target` with `viewer_follows` (`Follow.objects.followed_by()`), that
    answers whether the viewer follows it; otherwise it costs one query."""
    request = context["request"]
    kind = _KIND_BY_LABEL[target._meta.label_lower]
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
