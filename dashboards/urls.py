from django.urls import path

from dashboards import views

app_name = "dashboards"

EXPORT = "export/<slug:table>.<str:fmt>"

urlpatterns = [
    path("", views.home, name="home"),
    path("d/<slug:code>/", views.district_dashboard, name="district"),
    path("d/<slug:code>/" + EXPORT, views.district_export, name="district_export"),
    path("t/<slug:code>/", views.township_dashboard, name="township"),
    path("t/<slug:code>/" + EXPORT, views.township_export, name="township_export"),
    path("t/<slug:code>/report/", views.report, name="report"),
    path("v/<slug:code>/", views.village_dashboard, name="village"),
    path("v/<slug:code>/" + EXPORT, views.village_export, name="village_export"),
    path("issues/", views.issue_list, name="issues"),
    path("overdue/", views.issue_list, {"kind": "overdue"}, name="overdue"),
    path("escalated/", views.issue_list, {"kind": "escalated"}, name="escalated"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/export.<str:fmt>", views.meeting_list_export, name="meetings_export"),
    path("<slug:kind>/export.<str:fmt>", views.issue_list_export, name="list_export"),
]
