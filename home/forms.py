from django import forms

from home.search import MAX_QUERY_LENGTH


class SiteSearchForm(forms.Form):
    """The search page's box (the header's box sends its words here too)."""

    q = forms.CharField(
        label="Search stories, members, groups, meetups and the directory",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput,
        error_messages={
            "max_length": "Search with %(limit_value)d characters at most: this has %(show_value)d."
        },
    )
