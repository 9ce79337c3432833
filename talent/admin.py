from django.contrib import admin

from core.admin import PersonalDataAdminMixin
from talent.models import (
    AdvisoryCouncil,
    CommitteeMember,
    CommitteeTerm,
    CouncilMember,
    Talent,
    TalentSkill,
)


class TalentSkillInline(admin.TabularInline):
    model = TalentSkill
    extra = 0


@admin.register(Talent)
class TalentAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    personal_fields = ("mobile", "id_number")
    hash_search = ("mobile_hash", "id_number_hash")
    list_display = [
        "name",
        "village",
        "gender",
        "birth_year",
        "education",
        "is_party_member",
        "is_returned",
        "is_reserve_cadre",
        "assessment",
    ]
    list_filter = ["village", "education", "is_party_member", "is_returned", "is_reserve_cadre", "assessment"]
    search_fields = ["name", "specialty"]
    list_select_related = ["village"]
    raw_id_fields = ["roundtable"]
    inlines = [TalentSkillInline]


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 0
    autocomplete_fields = ["talent"]


@admin.register(AdvisoryCouncil)
class AdvisoryCouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "founded"]
    search_fields = ["name", "village__name"]
    list_select_related = ["village"]
    inlines = [CouncilMemberInline]


@admin.register(CouncilMember)
class CouncilMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "council", "role", "occupation", "joined"]
    list_filter = ["role"]
    search_fields = ["name", "council__name"]
    autocomplete_fields = ["talent"]


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0


@admin.register(CommitteeTerm)
class CommitteeTermAdmin(admin.ModelAdmin):
    list_display = ["village", "year", "elected_on", "petitions"]
    list_filter = ["year", "village"]
    search_fields = ["village__name"]
    list_select_related = ["village"]
    inlines = [CommitteeMemberInline]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "term", "role", "gender", "birth_year", "education", "from_roundtable"]
    list_filter = ["role", "education", "term__year"]
    search_fields = ["name", "term__village__name"]
    list_select_related = ["term__village"]


@admin.register(TalentSkill)
class TalentSkillAdmin(admin.ModelAdmin):
    list_display = ["talent", "skill"]
    list_filter = ["skill"]
    search_fields = ["talent__name"]
