from django.urls import path

from talent import views

app_name = "talent"

V = "work/v/<slug:code>/"

urlpatterns = [
    # township-wide, for officials and anyone keeping several villages
    path("work/talent/", views.talent_list, name="list"),
    path("work/talent/export.<str:fmt>", views.talent_export, name="export"),
    path("work/import-template/talent.<str:fmt>", views.import_template, name="import_template"),
    path("work/councils/", views.council_overview, name="councils"),
    path("work/committees/", views.committee_overview, name="committees"),
    # one village
    path(V + "talent/", views.talent_list, name="village_list"),
    path(V + "talent/export.<str:fmt>", views.talent_export, name="village_export"),
    path(V + "talent/new/", views.talent_create, name="new"),
    path(V + "talent/import/", views.talent_import, name="import"),
    path(V + "talent/import/<str:token>/", views.talent_import_preview, name="import_preview"),
    path(V + "talent/<int:pk>/", views.talent_detail, name="detail"),
    path(V + "talent/<int:pk>/edit/", views.talent_edit, name="edit"),
    path(V + "talent/<int:pk>/delete/", views.talent_delete, name="delete"),
    path(V + "council/", views.council_detail, name="council"),
    path(V + "council/edit/", views.council_edit, name="council_edit"),
    path(V + "committee/", views.committee_village, name="committee"),
    path(V + "committee/new/", views.term_edit, name="term_new"),
    path(V + "committee/<int:year>/edit/", views.term_edit, name="term_edit"),
    path(V + "committee/<int:year>/delete/", views.term_delete, name="term_delete"),
]
