from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config.health import healthz
from villages import views as village_views

admin.site.site_header = "同心 Tongxin"
admin.site.site_title = "同心 Tongxin"

urlpatterns = [
    path("", village_views.home, name="home"),
    path("", include("villages.urls")),
    path("work/dashboard/", include("dashboards.urls")),
    path("work/", include("villages.workspace_urls")),
    path("", include("roundtable.urls")),
    path("", include("projects.urls")),
    path("", include("talent.urls")),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
