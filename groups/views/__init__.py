"""Views of the groups app, by area: groups and rosters, meetups and RSVPs, calendars."""
