from django.urls import path

from villages import views

app_name = "villages"

urlpatterns = [
    path("v/<slug:code>/", views.village_detail, name="detail"),
]
