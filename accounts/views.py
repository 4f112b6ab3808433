from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView, ListView


class MemberListView(LoginRequiredMixin, ListView):
    template_name = "accounts/member_list.html"
    context_object_name = "members"
    paginate_by = 24

    def get_queryset(self):
        return get_user_model().objects.filter(is_active=True).order_by("display_name", "pk")


class MemberDetailView(LoginRequiredMixin, DetailView):
    template_name = "accounts/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return get_user_model().objects.filter(is_active=True)
