from allauth.account.decorators import secure_admin_login
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.db.models import Exists, OuterRef

from accounts.geo import apply_zip_coordinates
from accounts.models import ContactMessage, Profile, User

# Admin sign-in goes through the site's allauth login, so its limits on guessing (per account,
# and per account from one address: ACCOUNT_RATE_LIMITS) apply: Django's own admin login form
# has none.
# (the default site's own login, replaced on the instance)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


class VerifiedEmailFilter(admin.SimpleListFilter):
    title = "verified email"
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", "Verified"), ("no", "Not verified")]

    def queryset(self, request, queryset):
        verified = Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True))
        if self.value() == "yes":
            return queryset.filter(verified)
        if self.value() == "no":
            return queryset.exclude(verified)
        return queryset


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fk_name = "user"
    fields = (
        "library_name",
        "library_type",
        "job_title",
        ("country", "state", "city", "postal_code"),
        "visibility",
        "accepts_help_requests",
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "display_name",
        "library_name",
        "library_type",
        "state",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_select_related = ("profile",)
    list_filter = (
        VerifiedEmailFilter,
        "is_staff",
        "is_superuser",
        "is_active",
        "profile__library_type",
        "profile__state",
        "groups",
    )
    search_fields = ("email", "display_name", "profile__library_name")
    inlines = (ProfileInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description="library", ordering="profile__library_name")
    def library_name(self, user):
        return getattr(getattr(user, "profile", None), "library_name", "")

    @admin.display(description="library type", ordering="profile__library_type")
    def library_type(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_library_type_display() if profile else ""

    @admin.display(description="state", ordering="profile__state")
    def state(self, user):
        return getattr(getattr(user, "profile", None), "state", "")

    def get_inlines(self, request, obj):
        return self.inlines if obj else ()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        Profile.objects.filter(user=form.instance).refresh_search_index()


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "library_name", "library_type", "state", "country", "visibility")
    list_select_related = ("user",)
    list_filter = ("library_type", "state", "country", "visibility", "accepts_help_requests")
    search_fields = ("user__email", "user__display_name", "library_name")
    raw_id_fields = ("user",)
    readonly_fields = ("latitude", "longitude", "updated_at")
    exclude = ("search_vector", "search_text")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        apply_zip_coordinates(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        Profile.objects.filter(pk=form.instance.pk).refresh_search_index()


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    """The log of messages sent through "Contact" (the messages themselves are not kept)."""

    list_display = ("created_at", "sender", "recipient", "reply_to_shared")
    list_select_related = ("sender", "recipient")
    list_filter = ("reply_to_shared", "created_at")
    search_fields = ("sender__email", "sender__display_name", "recipient__email")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
