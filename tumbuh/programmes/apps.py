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
