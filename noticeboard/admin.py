from django.contrib import admin

from noticeboard.models import Briefing, BriefingAttachment, Suggestion


class AttachmentInline(admin.TabularInline):
    model = BriefingAttachment
    extra = 0


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    list_display = ["title", "township", "village", "date", "status", "published_at"]
    list_filter = ["status", "village"]
    search_fields = ["title", "body"]
    list_select_related = ["township", "village"]
    raw_id_fields = ["decisions", "meetings", "author"]
    inlines = [AttachmentInline]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "village", "status", "created_at", "replied_at"]
    list_filter = ["status", "village"]
    search_fields = ["text", "reply"]
    list_select_related = ["village"]
    raw_id_fields = ["briefing", "moderated_by"]
