"""Signals of the registry, for higher parts that must react without being imported here."""

from django.dispatch import Signal

# Sent inside the transaction that first records a milestone: ``milestone``, ``by``.
milestone_recorded = Signal()
