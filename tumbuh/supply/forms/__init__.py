"""The supply forms, one module per views module: ``market``, ``orders`` and ``collections``."""
