from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config.health import healthz
from core.metrics import metrics
from portal import urls as portal_urls
from portal import views as portal_views

admin.site.site_header = "同心 Tongxin"
admin.site.site_title = "同心 Tongxin"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("", include((portal_urls.village_patterns, "villages"))),
    path("work/dashboard/", include("dashboards.urls")),
    path("work/", include((portal_urls.workspace_patterns, "workspace"))),
    path("", include("roundtable.urls")),
    path("", include("projects.urls")),
    path("", include("talent.urls")),
    path("", include("noticeboard.urls")),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
