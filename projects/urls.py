from django.urls import path, re_path

from projects.views import entries, income, partners, projects

app_name = "projects"

V = "work/v/<slug:code>/"
RV = r"work/v/(?P<code>[-a-zA-Z0-9_]+)/"
KIND = r"(?P<kind>cooperatives|resources)"

urlpatterns = [
    # township-wide, for officials and anyone keeping several villages
    path("work/projects/", projects.project_list, name="list"),
    path("work/projects/export.<str:fmt>", projects.project_export, name="export"),
    path("work/import-template/projects.<str:fmt>", projects.import_template, name="import_template"),
    path("work/partners/", partners.partner_list, name="partners"),
    path("work/partners/export.<str:fmt>", partners.partner_export, name="partners_export"),
    path("work/partners/new/", partners.partner_create, name="partner_new"),
    path("work/partners/<int:pk>/", partners.partner_detail, name="partner"),
    path("work/partners/<int:pk>/edit/", partners.partner_edit, name="partner_edit"),
    path("work/income/", income.income_overview, name="income"),
    path("work/income/export.<str:fmt>", income.income_export, name="income_export"),
    re_path(rf"^work/{KIND}/$", entries.entry_list, name="entry_list"),
    re_path(rf"^work/{KIND}/export\.(?P<fmt>\w+)$", entries.entry_export, name="entry_export"),
    # one village
    path(V + "projects/", projects.project_list, name="village_list"),
    path(V + "projects/export.<str:fmt>", projects.project_export, name="village_export"),
    path(V + "projects/new/", projects.project_create, name="new"),
    path(V + "projects/import/", projects.project_import, name="import"),
    path(V + "projects/import/<str:token>/", projects.project_import_preview, name="import_preview"),
    path(V + "projects/<int:pk>/", projects.project_detail, name="detail"),
    path(V + "projects/<int:pk>/edit/", projects.project_edit, name="edit"),
    path(V + "projects/<int:pk>/milestones/", projects.project_milestones, name="milestones"),
    path(V + "projects/<int:pk>/delete/", projects.project_delete, name="delete"),
    path(V + "income/", income.income_village, name="income_village"),
    path(V + "income/<int:pk>/delete/", income.income_delete, name="income_delete"),
    re_path(rf"^{RV}{KIND}/$", entries.entry_list, name="entry_village_list"),
    re_path(rf"^{RV}{KIND}/export\.(?P<fmt>\w+)$", entries.entry_export, name="entry_village_export"),
    re_path(rf"^{RV}{KIND}/new/$", entries.entry_form, name="entry_new"),
    re_path(rf"^{RV}{KIND}/(?P<pk>[0-9]+)/edit/$", entries.entry_form, name="entry_edit"),
    re_path(rf"^{RV}{KIND}/(?P<pk>[0-9]+)/delete/$", entries.entry_delete, name="entry_delete"),
]
