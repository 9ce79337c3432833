from django.urls import path

from villages import views

app_name = "workspace"

urlpatterns = [
    path("", views.workspace_home, name="home"),
    path("v/<slug:code>/", views.workspace_village, name="village"),
]
