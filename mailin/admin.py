from django.contrib import admin

from mailin.models import InboundMail


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    """What became of each email the site received (read-only: the raw message is evidence)."""

    list_display = ["received_at", "envelope_recipient", "source", "status", "outcome"]
    list_filter = ["status", "source"]
    search_fields = ["envelope_recipient", "envelope_sender", "message_id", "member__email"]
    date_hierarchy = "received_at"
    exclude = ["raw"]
    readonly_fields = [
        "received_at",
        "source",
        "envelope_sender",
        "envelope_recipient",
        "message_id",
        "status",
        "outcome",
        "member",
        "answered_to",
        "handled_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
