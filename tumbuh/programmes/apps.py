from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "tumbuh.programmes"
    label = "programmes"
    verbose_name = "Training and mentoring programmes"

    def ready(self):
        # Open cohorts become next steps after a capability assessment; capability is a lower
        # app and must not import programmes, so programmes registers itself there.
        from tumbuh.capability.nextsteps import register_offer_source
        from tumbuh.programmes.offers import cohort_offers

        register_offer_source(cohort_offers)

        # A mentor assesses only the businesses of their caseload.
        from tumbuh.capability.queries import register_caseload_check
        from tumbuh.programmes.mentor.caseload import mentor_may_assess

        register_caseload_check(mentor_may_assess)

        # Completion is outcome-linked: a milestone recorded anywhere may complete an enrolment.
        from tumbuh.programmes.services import complete_on_milestone
        from tumbuh.registry.signals import milestone_recorded

        milestone_recorded.connect(complete_on_milestone, dispatch_uid="programmes.completion")
