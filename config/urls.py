from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config.health import healthz
from core.metrics import metrics
from core.ratelimit import throttle_login
from core.views import set_text_size
from portal import urls as portal_urls
from portal import views as portal_views
from portal.admin_views import personal_data_request

# The admin's login is throttled like the portal's (allauth's limits): per address and per account name.
admin.site.login = throttle_login(admin.site.login)
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
    path("text-size/", set_text_size, name="set_text_size"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("admin/personal-data/", admin.site.admin_view(personal_data_request), name="personal_data_request"),
    path("admin/", admin.site.urls),
]
