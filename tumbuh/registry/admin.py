"""Read-only admin pages for technical staff. Every change goes through ``services`` (imports,
merges, milestones), so nothing here can add, change or delete a registry row; personal data
appears only masked."""

from django.contrib import admin

from tumbuh.registry.models import (
    Enterprise,
    ImportBatch,
    MatchCandidate,
    MergeRecord,
    Milestone,
    Person,
    ResolutionModel,
    SourceRecord,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "scale", "nib", "village", "merged_into", "created_at"]
    list_filter = ["kind", "scale"]
    search_fields = ["name", "public_id", "nib"]
    fields = ["public_id", "name", "trade_names", "kind", "scale", "nib", "village", "address",
              "phone_masked", "links", "merged_into", "created_at", "updated_at"]  # fmt: skip
    list_select_related = ["village", "merged_into"]
    raw_id_fields = ["village", "merged_into"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "nik_masked", "sex", "created_at"]
    search_fields = ["full_name", "public_id"]
    fields = ["public_id", "full_name", "nik_masked", "nik_flags", "birth_date", "sex",
              "phone_masked", "created_at"]  # fmt: skip


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "organisation", "status", "total_rows", "created_count",
                    "linked_count", "already_imported_count", "rejected_count", "created_at"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["file_name", "public_id"]
    list_select_related = ["organisation"]
    exclude = ["file"]


@admin.register(SourceRecord)
class SourceRecordAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "row_number", "organisation", "enterprise", "rule", "imported_at"]
    list_filter = ["rule"]
    list_select_related = ["organisation", "enterprise"]
    fields = ["organisation", "batch", "file_name", "row_number", "values", "enterprise",
              "first_enterprise", "rule", "imported_at"]  # fmt: skip
    raw_id_fields = ["organisation", "batch", "enterprise", "first_enterprise"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "kind", "occurred_at", "source"]
    list_filter = ["kind"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise", "recorded_by"]


@admin.register(MatchCandidate)
class MatchCandidateAdmin(ReadOnlyAdmin):
    list_display = ["enterprise_low", "enterprise_high", "probability", "status", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["enterprise_low", "enterprise_high"]
    raw_id_fields = ["enterprise_low", "enterprise_high", "decided_by"]


@admin.register(MergeRecord)
class MergeRecordAdmin(ReadOnlyAdmin):
    list_display = ["kept", "dropped", "method", "probability", "merged_at", "undone_at"]
    list_filter = ["method"]
    list_select_related = ["kept", "dropped"]
    raw_id_fields = ["kept", "dropped", "merged_by", "undone_by"]


@admin.register(ResolutionModel)
class ResolutionModelAdmin(ReadOnlyAdmin):
    list_display = ["trained_at", "trained_on", "upper_threshold", "lower_threshold", "is_active"]
