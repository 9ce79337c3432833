from django.urls import path

from roundtable.views import consult, meetings, public, workspace

app_name = "roundtable"

urlpatterns = [
    # residents (stable addresses: printed on QR codes and kept by residents)
    path("submit/", public.choose_village, name="choose_village"),
    path("submit/done/", public.submitted, name="submitted"),
    path("v/<slug:code>/submit/", public.submit, name="submit"),
    path("track/", public.track_lookup, name="track_lookup"),
    path("track/recover/", public.track_recover, name="track_recover"),
    path("track/recover/sent/", public.track_recover_sent, name="track_recover_sent"),
    path("track/<str:code>/", public.track, name="track"),
    path("track/<str:code>/opinion/", public.track_opinion, name="track_opinion"),
    path("track/<str:code>/withdraw/", public.track_withdraw, name="track_withdraw"),
    path("track/<str:code>/rate/", public.track_rate, name="track_rate"),
    path(
        "track/<str:code>/progress/<int:pk>/photo/", public.track_progress_photo, name="track_progress_photo"
    ),
    path("v/<slug:code>/consult/", consult.consult_list, name="consult"),
    path("v/<slug:code>/consult/<int:pk>/", consult.consult_detail, name="consult_detail"),
    # staff workspace
    path("work/overdue/", workspace.overdue, name="overdue"),
    path("work/v/<slug:code>/issues/", workspace.issue_list, name="issues"),
    path("work/v/<slug:code>/issues/new/", workspace.issue_new, name="issue_new"),
    path("work/v/<slug:code>/issues/similar/", workspace.issue_similar, name="issue_similar"),
    path("work/v/<slug:code>/issues/<int:pk>/", workspace.issue_detail, name="issue"),
    path("work/v/<slug:code>/issues/<int:pk>/photo/", workspace.issue_photo, name="issue_photo"),
    path(
        "work/v/<slug:code>/issues/<int:pk>/progress/<int:update_pk>/photo/",
        workspace.progress_photo,
        name="progress_photo",
    ),
    path("work/v/<slug:code>/issues/<int:pk>/act/<slug:move>/", workspace.issue_act, name="issue_act"),
    path(
        "work/v/<slug:code>/issues/<int:pk>/consultation/",
        consult.issue_consultation,
        name="issue_consultation",
    ),
    path(
        "work/v/<slug:code>/issues/<int:pk>/opinions/<int:opinion_pk>/publish/",
        consult.opinion_publish,
        name="opinion_publish",
    ),
    path(
        "work/v/<slug:code>/issues/<int:pk>/agenda/<int:item_pk>/<slug:move>/",
        workspace.agenda_item_act,
        name="agenda_item_act",
    ),
    path("work/v/<slug:code>/roundtables/", meetings.roundtable_list, name="roundtables"),
    path("work/v/<slug:code>/roundtables/<int:pk>/", meetings.roundtable_detail, name="roundtable"),
    path("work/v/<slug:code>/roundtables/<int:pk>/meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("work/v/<slug:code>/meetings/", meetings.meeting_list, name="meetings"),
    path("work/v/<slug:code>/meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("work/v/<slug:code>/meetings/<int:pk>/print/", meetings.meeting_print, name="meeting_print"),
    path("work/v/<slug:code>/meetings/<int:pk>/<slug:action>/", meetings.meeting_act, name="meeting_act"),
]
