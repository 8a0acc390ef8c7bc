"""The supply views, one module per sub-area, each with its own ``urlpatterns`` (joined in
``supply/urls.py``): ``market`` (a business's supply home, offers, requests, finding suppliers,
links), ``orders`` (a B2B order and its documents), ``collections`` (a BumDes's collections, a
producer's deliveries), ``console`` (the chain of a priority area) and ``training`` (a processor's
suppliers enrolled into a cohort)."""
