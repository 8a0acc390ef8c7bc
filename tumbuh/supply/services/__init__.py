"""Every change to the supply chains, one module per sub-area: ``common`` (who may act, what a
commodity is), ``links``, ``market`` (offers, requests and their matches), ``orders`` (B2B orders
and their documents) and ``collections`` (what a BumDes collects)."""
