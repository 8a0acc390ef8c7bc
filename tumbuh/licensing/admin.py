"""Read-only admin pages for technical staff. Every change of a case goes through ``services``
(a guarded transition with its event row), so nothing here can add, change or delete a case, an
event or a certificate; the NIK and the phone number appear only masked."""

from django.contrib import admin

from tumbuh.licensing.models import HalalCase, HalalCertificate, NibCase
from tumbuh.registry.admin import ReadOnlyAdmin


@admin.register(NibCase)
class NibCaseAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "enterprise", "step", "step_entered_at", "assigned_mentor", "nib"]
    list_filter = ["step", "nib_status"]
    search_fields = ["public_id", "enterprise__name", "nib"]
    list_select_related = ["enterprise", "assigned_mentor"]
    fields = ["public_id", "enterprise", "step", "step_entered_at", "assigned_mentor",
              "applicant_name", "nik_masked", "phone_masked", "business_name", "village",
              "capital_idr", "workforce", "scale", "kbli_codes", "submitted_at", "nib",
              "nib_status", "nib_recorded_at", "created_by", "created_at"]  # fmt: skip
    raw_id_fields = ["enterprise", "assigned_mentor", "village", "created_by"]


@admin.register(HalalCase)
class HalalCaseAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "enterprise", "step", "step_entered_at", "assigned_mentor"]
    list_filter = ["step"]
    search_fields = ["public_id", "enterprise__name", "registration_number"]
    list_select_related = ["enterprise", "assigned_mentor"]
    fields = ["public_id", "enterprise", "step", "step_entered_at", "assigned_mentor",
              "registration_number", "process_description", "is_simple_process", "checklist",
              "created_by", "created_at"]  # fmt: skip
    raw_id_fields = ["enterprise", "assigned_mentor", "created_by"]


@admin.register(HalalCertificate)
class HalalCertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "enterprise", "issued_on", "valid_until"]
    search_fields = ["number", "enterprise__name"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["case", "enterprise", "recorded_by"]
