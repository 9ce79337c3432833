"""Pages that compose several apps: township home, village public page, workspace home and village."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from accounts.models import Membership
from accounts.permissions import access_village
from accounts.selectors import scope_for, village_ids_for, villages_for
from core.pagecache import TOWNSHIP, public_page, village_scope
from core.pagination import CappedPaginator
from noticeboard.selectors import village_noticeboard
from projects.selectors import village_public_registry
from roundtable.fragments import VILLAGE_SECTION_SECONDS
from roundtable.links import issue_url_root
from roundtable.permissions import villages_where_raiser_visible
from roundtable.selectors import (
    member_home,
    official_home,
    staff_search,
    supervision_queue,
    supervisor_home,
    workspace_summary,
)
from villages.models import Village
from villages.selectors import default_township, township_totals, village_list


@public_page(lambda: (TOWNSHIP,))
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


@public_page(lambda code: (TOWNSHIP, village_scope(code)))
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


Role = Membership.Role
OFFICIAL_ROLES = frozenset({Role.OFFICIAL, Role.DISTRICT_OFFICIAL})
# The dashboards' cross-village lists (overdue, escalated) show these roles' villages: the official's
# counts on the home are taken over the same villages, so that they equal the rows of those lists.
DASHBOARD_LIST_ROLES = frozenset({Role.CADRE, Role.OFFICIAL, Role.DISTRICT_OFFICIAL})
SEARCH_PAGE_SIZE = 25
# Past this many matches (two pages) the search says "more than 50": a word that common needs another
# word. The count is the search's walk over the newest matters, which stops there
# (roundtable.selectors.NewestFirstSearch): at 100 it read twice as many of them.
SEARCH_COUNT_CAP = 50


@login_required
def workspace_home(request):
    """The signed-in user's home: one part per role held (cadre, supervisor, member, official)."""
    scope = scope_for(request.user)
    villages = list(villages_for(request.user).order_by("-is_pilot", "code"))
    roles = {v.pk: scope.roles_in(v) for v in villages}
    cadre_villages = [v for v in villages if Role.CADRE in roles[v.pk]]
    supervisor_ids = [v.pk for v in villages if Role.SUPERVISOR in roles[v.pk]]
    official_villages = [v for v in villages if roles[v.pk] & OFFICIAL_ROLES]
    summary = (
        workspace_summary(villages=cadre_villages) if cadre_villages else {"by_village": {}, "meetings": []}
    )
    return render(
        request,
        "portal/workspace_home.html",
        {
            # The villages where the user holds a role of its own (an official's township is listed apart).
            "rows": [
                (v, sorted(scope.village_roles[v.pk]), summary["by_village"].get(v.pk, {}))
                for v in villages
                if v.pk in scope.village_roles
            ],
            "cadre_village_ids": {v.pk for v in cadre_villages},
            "meetings": summary["meetings"],
            "supervisor": supervisor_home(user=request.user, village_ids=supervisor_ids)
            if supervisor_ids
            else None,
            "member": member_home(user=request.user, village_ids=list(scope.village_roles)),
            "official": official_home(
                village_ids=[v.pk for v in villages if roles[v.pk] & DASHBOARD_LIST_ROLES]
            )
            if official_villages
            else None,
            "official_villages": official_villages,
            "is_official": bool(scope.township_ids),
            "has_villages": bool(villages),
            # Officials, district officials and cadres have a dashboard (members and supervisors do not).
            "show_dashboard": bool(official_villages or cadre_villages),
        },
    )


@login_required
def workspace_search(request):
    """Staff search across the villages the user may see: number, tracking code, text; the raiser's name
    or mobile number only in the villages where the user is a cadre."""
    text = request.GET.get("q", "")
    personal_village_ids = villages_where_raiser_visible(request.user)
    issues = staff_search(
        text=text,
        village_ids=village_ids_for(request.user),
        personal_village_ids=personal_village_ids,
    )
    # Counted up to a cap: a district official's common word must not count every match in the district.
    page = CappedPaginator(issues, SEARCH_PAGE_SIZE, cap=SEARCH_COUNT_CAP).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/workspace_search.html",
        {
            "q": text,
            "page": page,
            "query": urlencode({"q": text}),
            "searched": bool(text.strip()),
            # the raiser is shown to the village's cadres only (roundtable.permissions.can_see_raiser)
            "raiser_village_ids": personal_village_ids,
            # Rows link to <work_root><village code>/issues/<pk>/ (roundtable:issue): no reverse() per row.
            "work_root": issue_url_root(),
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
