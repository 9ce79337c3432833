from django.urls import path

from noticeboard.feeds import TownshipBriefingFeed, VillageBriefingFeed
from noticeboard.views import public, staff

app_name = "noticeboard"

urlpatterns = [
    # public
    path("briefings/", public.township_briefings, name="township_briefings"),
    path("briefings/feed/", TownshipBriefingFeed(), name="township_feed"),
    path("briefings/<int:pk>/", public.township_briefing, name="township_briefing"),
    path("briefings/<int:pk>/print/", public.township_briefing_print, name="township_briefing_print"),
    path("briefings/<int:pk>/files/<int:att>/", public.attachment, name="attachment"),
    path("v/<slug:code>/briefings/", public.village_briefings, name="briefings"),
    path("v/<slug:code>/briefings/feed/", VillageBriefingFeed(), name="feed"),
    path("v/<slug:code>/briefings/<int:pk>/", public.village_briefing, name="briefing"),
    path("v/<slug:code>/briefings/<int:pk>/print/", public.briefing_print, name="briefing_print"),
    path("v/<slug:code>/suggestions/", public.suggestions, name="suggestions"),
    path("v/<slug:code>/decisions/", public.decisions, name="decisions"),
    path("v/<slug:code>/poster/", public.poster, name="poster"),
    path("v/<slug:code>/poster.png", public.poster_png, name="poster_png"),
    path("v/<slug:code>/meetings/<int:pk>/notice/", public.meeting_notice, name="meeting_notice"),
    # staff
    path("work/briefings/", staff.briefing_list, name="work_township_briefings"),
    path("work/briefings/new/", staff.briefing_new, name="work_township_briefing_new"),
    path("work/briefings/<int:pk>/", staff.briefing_edit, name="work_township_briefing"),
    path("work/briefings/<int:pk>/<slug:action>/", staff.briefing_act, name="work_township_briefing_act"),
    path("work/v/<slug:code>/briefings/", staff.briefing_list, name="work_briefings"),
    path("work/v/<slug:code>/briefings/new/", staff.briefing_new, name="work_briefing_new"),
    path("work/v/<slug:code>/briefings/<int:pk>/", staff.briefing_edit, name="work_briefing"),
    path(
        "work/v/<slug:code>/briefings/<int:pk>/<slug:action>/", staff.briefing_act, name="work_briefing_act"
    ),
    path("work/v/<slug:code>/suggestions/", staff.suggestion_list, name="work_suggestions"),
    path(
        "work/v/<slug:code>/suggestions/<int:pk>/<slug:action>/",
        staff.suggestion_act,
        name="work_suggestion_act",
    ),
]
