"""The composed pages' addresses. config/urls.py mounts them under their historical namespaces
(``villages:detail``, ``workspace:home``, ``workspace:village``) so that every ``{% url %}`` keeps working."""

from django.urls import path

from portal import views

village_patterns = [
    path("v/<slug:code>/", views.village_detail, name="detail"),
]

workspace_patterns = [
    path("", views.workspace_home, name="home"),
    path("search/", views.workspace_search, name="search"),
    path("v/<slug:code>/", views.workspace_village, name="village"),
]
