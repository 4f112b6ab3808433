from django import template
from django.contrib.contenttypes.models import ContentType

from notifications.models import Follow
from notifications.services import FOLLOWABLE

register = template.Library()
_KIND_BY_LABEL = {label.lower(): kind for kind, label in FOLLOWABLE.items()}


@register.inclusion_tag("includes/_follow_button.html", takes_context=True)
def follow_button(context, target):
    """A Follow / Following button for `target` (a member, tag, group or organisation)."""
    request = context["request"]
    kind = _KIND_BY_LABEL[target._meta.label_lower]
    following = (
        request.user.is_authenticated
        and Follow.objects.filter(
            follower=request.user,
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
        ).exists()
    )
    return {
        "kind": kind,
        "target": target,
        "following": following,
        "user": request.user,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
