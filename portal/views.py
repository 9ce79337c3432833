"""Pages that compose several apps: township home, village public page, workspace home and village."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from accounts.models import Membership
from accounts.permissions import access_village
from accounts.selectors import scope_for, villages_for
from noticeboard.selectors import village_noticeboard
from projects.selectors import village_public_registry
from roundtable.fragments import VILLAGE_SECTION_SECONDS
from roundtable.selectors import (
    member_meetings,
    supervision_queue,
    workspace_summary,
)
from villages.models import Village
from villages.selectors import default_township, township_totals, village_list


def home(request):
    """The township's public home: its villages with a few counts."""
    township = default_township()
    if township is None:
        raise Http404
    return render(
        request,
        "portal/home.html",
        {
            "township": township,
            "villages": village_list(township=township),
            "totals": township_totals(township=township),
        },
    )


def village_detail(request, code):
    """A village's public page."""
    village = get_object_or_404(Village.objects.select_related("township"), code=code)
    return render(
        request,
        "portal/village_detail.html",
        {
            "village": village,
            "groups": village.groups.all(),
            # The matters section (cached as "village_matters", roundtable.fragments) reads its own data,
            # only when its cached copy is missing (roundtable_tags.village_matters).
            "matters_seconds": VILLAGE_SECTION_SECONDS,
            "registry": village_public_registry(village),
            "noticeboard": village_noticeboard(village=village),
        },
    )


@login_required
def workspace_home(request):
    """The signed-in user's villages and roles."""
    scope = scope_for(request.user)
    villages = list(villages_for(request.user).order_by("-is_pilot", "code"))
    summary = workspace_summary(villages=villages)
    rows = [(v, sorted(scope.roles_in(v)), summary["by_village"].get(v.pk, {})) for v in villages]
    return render(
        request,
        "portal/workspace_home.html",
        {
            "rows": rows,
            "meetings": summary["meetings"],
            "my_meetings": list(member_meetings(user=request.user)[:10]),
            "is_official": bool(scope.township_ids),
            # Officials, district officials and cadres have a dashboard (members and supervisors do not).
            "show_dashboard": bool(scope.township_ids or scope.district_ids)
            or any(Membership.Role.CADRE in roles for roles in scope.village_roles.values()),
        },
    )


@login_required
def workspace_village(request, code):
    """A village as its staff see it: groups and who holds which role."""
    village = access_village(request.user, code)
    memberships = (
        Membership.objects.filter(village=village)
        .select_related("user")
        .order_by("role", "user__display_name")
    )
    return render(
        request,
        "portal/workspace_village.html",
        {
            "village": village,
            "groups": village.groups.all(),
            "memberships": memberships,
            "my_roles": sorted(scope_for(request.user).roles_in(village)),
            "issue_summary": workspace_summary(villages=[village])["by_village"].get(village.pk, {}),
            "awaiting_verdict": supervision_queue(village=village)
            if Membership.Role.SUPERVISOR in scope_for(request.user).roles_in(village)
            else [],
        },
    )
