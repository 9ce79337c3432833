from django.urls import path, re_path

from projects import views

app_name = "projects"

V = "work/v/<slug:code>/"
RV = r"work/v/(?P<code>[-a-zA-Z0-9_]+)/"
KIND = r"(?P<kind>cooperatives|resources)"

urlpatterns = [
    # township-wide, for officials and anyone keeping several villages
    path("work/projects/", views.project_list, name="list"),
    path("work/projects/export.<str:fmt>", views.project_export, name="export"),
    path("work/import-template/<slug:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("work/partners/", views.partner_list, name="partners"),
    path("work/partners/export.<str:fmt>", views.partner_export, name="partners_export"),
    path("work/partners/new/", views.partner_create, name="partner_new"),
    path("work/partners/<int:pk>/", views.partner_detail, name="partner"),
    path("work/partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("work/income/", views.income_overview, name="income"),
    path("work/income/export.<str:fmt>", views.income_export, name="income_export"),
    re_path(rf"^work/{KIND}/$", views.entry_list, name="entry_list"),
    re_path(rf"^work/{KIND}/export\.(?P<fmt>\w+)$", views.entry_export, name="entry_export"),
    # one village
    path(V + "projects/", views.project_list, name="village_list"),
    path(V + "projects/export.<str:fmt>", views.project_export, name="village_export"),
    path(V + "projects/new/", views.project_create, name="new"),
    path(V + "projects/import/", views.project_import, name="import"),
    path(V + "projects/import/<str:token>/", views.project_import_preview, name="import_preview"),
    path(V + "projects/<int:pk>/", views.project_detail, name="detail"),
    path(V + "projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path(V + "projects/<int:pk>/milestones/", views.project_milestones, name="milestones"),
    path(V + "projects/<int:pk>/delete/", views.project_delete, name="delete"),
    path(V + "income/", views.income_village, name="income_village"),
    path(V + "income/<int:pk>/delete/", views.income_delete, name="income_delete"),
    re_path(rf"^{RV}{KIND}/$", views.entry_list, name="entry_village_list"),
    re_path(rf"^{RV}{KIND}/export\.(?P<fmt>\w+)$", views.entry_export, name="entry_village_export"),
    re_path(rf"^{RV}{KIND}/new/$", views.entry_form, name="entry_new"),
    re_path(rf"^{RV}{KIND}/(?P<pk>[0-9]+)/edit/$", views.entry_form, name="entry_edit"),
    re_path(rf"^{RV}{KIND}/(?P<pk>[0-9]+)/delete/$", views.entry_delete, name="entry_delete"),
]
