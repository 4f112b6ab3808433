from django.contrib import admin

from groups.models import RSVP, Group, Meetup, MeetupPause, Membership, Occurrence, SeriesRSVP


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["member"]
    fields = ["member", "role", "status", "requested_at", "joined_at"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "city", "visibility", "join_policy", "created_at"]
    list_filter = ["visibility", "join_policy", "country"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class PauseInline(admin.TabularInline):
    model = MeetupPause
    extra = 0
    fields = ["starts_on", "ends_on", "note"]


@admin.register(Meetup)
class MeetupAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "start_date", "start_time", "timezone", "rrule", "capacity"]
    list_select_related = ["group"]
    search_fields = ["title", "group__name"]
    raw_id_fields = ["group", "created_by", "split_from"]
    readonly_fields = ["materialized_until"]
    inlines = [PauseInline]


@admin.register(Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    list_display = ["meetup", "start", "status", "sequence"]
    list_filter = ["status"]
    list_select_related = ["meetup"]
    raw_id_fields = ["meetup", "pause"]
    date_hierarchy = "start"


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ["occurrence", "member", "status", "source", "status_changed_at"]
    list_filter = ["status", "source"]
    raw_id_fields = ["occurrence", "member"]


@admin.register(SeriesRSVP)
class SeriesRSVPAdmin(admin.ModelAdmin):
    list_display = ["meetup", "member", "created_at"]
    raw_id_fields = ["meetup", "member"]
