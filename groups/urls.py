from django.urls import path

from groups.views import attendance, calendars, discovery, groups, meetups, month

app_name = "groups"
urlpatterns = [
    path("", groups.index, name="list"),
    path("new/", groups.GroupCreateView.as_view(), name="create"),
    path("mine/", calendars.my_meetups, name="mine"),
    path("mine/calendar-address/", calendars.calendar_reset, name="calendar_reset"),
    path("mine/calendar.ics", calendars.my_feed, name="my_feed"),
    path("mine/credit/", attendance.credit, name="credit"),
    path("mine/credit/<int:pk>/", attendance.certificate, name="certificate"),
    path("certificates/<slug:code>/", attendance.verify, name="verify"),
    path("upcoming/", discovery.upcoming, name="upcoming"),
    path("calendar/", month.month_all, name="calendar"),
    path("<slug:slug>/", groups.group_detail, name="detail"),
    path("<slug:slug>/edit/", groups.GroupUpdateView.as_view(), name="update"),
    path("<slug:slug>/members/", groups.group_members, name="members"),
    path("<slug:slug>/past/", groups.group_past, name="past"),
    path("<slug:slug>/join/", groups.group_join, name="join"),
    path("<slug:slug>/leave/", groups.group_leave, name="leave"),
    path("<slug:slug>/calendar.ics", calendars.group_feed, name="feed"),
    path("<slug:slug>/calendar/", month.month_group, name="month"),
    path(
        "<slug:slug>/members/<int:pk>/approve/",
        groups.membership_approve,
        name="membership_approve",
    ),
    path(
        "<slug:slug>/members/<int:pk>/decline/",
        groups.membership_decline,
        name="membership_decline",
    ),
    path(
        "<slug:slug>/members/<int:pk>/promote/",
        groups.membership_promote,
        name="membership_promote",
    ),
    path(
        "<slug:slug>/members/<int:pk>/demote/", groups.membership_demote, name="membership_demote"
    ),
    path(
        "<slug:slug>/members/<int:pk>/remove/", groups.membership_remove, name="membership_remove"
    ),
    path("<slug:slug>/meetups/new/", meetups.meetup_create, name="meetup_create"),
    path("<slug:slug>/meetups/<int:pk>/", meetups.meetup_detail, name="meetup"),
    path("<slug:slug>/meetups/<int:pk>/edit/", meetups.meetup_update, name="meetup_update"),
    path(
        "<slug:slug>/meetups/<int:pk>/schedule/",
        meetups.meetup_reschedule,
        name="meetup_reschedule",
    ),
    path("<slug:slug>/meetups/<int:pk>/pause/", meetups.meetup_pause, name="meetup_pause"),
    path(
        "<slug:slug>/meetups/<int:pk>/pauses/<int:pause_pk>/end/",
        meetups.pause_delete,
        name="pause_delete",
    ),
    path("<slug:slug>/meetups/<int:pk>/rsvp/", meetups.series_rsvp, name="series_rsvp"),
    path("<slug:slug>/dates/<int:pk>/", meetups.occurrence_detail, name="occurrence"),
    path("<slug:slug>/dates/<int:pk>/rsvp/", meetups.occurrence_rsvp, name="rsvp"),
    path("<slug:slug>/dates/<int:pk>/event.ics", calendars.occurrence_ics, name="occurrence_ics"),
    path("<slug:slug>/dates/<int:pk>/cancel/", meetups.occurrence_cancel, name="occurrence_cancel"),
    path(
        "<slug:slug>/dates/<int:pk>/restore/",
        meetups.occurrence_restore,
        name="occurrence_restore",
    ),
    path("<slug:slug>/dates/<int:pk>/move/", meetups.occurrence_move, name="occurrence_move"),
    path(
        "<slug:slug>/dates/<int:pk>/attendance/",
        attendance.attendance_mark,
        name="attendance_mark",
    ),
    path("<slug:slug>/dates/<int:pk>/confirm/", attendance.occurrence_confirm, name="confirm"),
    path("<slug:slug>/dates/<int:pk>/message/", attendance.occurrence_message, name="message"),
    path("<slug:slug>/dates/<int:pk>/check-in/", attendance.check_in, name="check_in"),
    path(
        "<slug:slug>/dates/<int:pk>/attendees.csv",
        attendance.attendees_csv,
        name="attendees_csv",
    ),
]
