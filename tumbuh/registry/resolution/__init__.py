"""Entity resolution for "Satu Data UMKM": which records are one business.

- ``normalise``: Indonesian normalisation of names, forms, honorifics, old spellings, phones,
  in Python for one value and in DuckDB SQL for millions.
- ``records``: the input table of records, its matching columns, DuckDB and Splink plumbing.
- ``model``: the Splink model (DuckDB backend): comparisons, blocking rules, ``train``,
  ``ResolutionModel`` and its JSON file, the shipped ``default_model.json``.
- ``engine``: the calls the registry makes: ``resolve`` (``cluster``, ``score_pairs``),
  ``match_new`` for an import against the registry, ``explain`` for a reviewer.
- ``places``: Kemendagri codes for places named in a partner's file, from the shipped files.
- ``files``: ``resolve_file`` for a partner's CSV, without the database.

The engine works on tables of records (pyarrow), never on models or the database.
"""

from tumbuh.registry.resolution.engine import (
    Evidence,
    Resolution,
    ResolutionModel,
    cluster,
    cluster_order_key,
    count_comparisons,
    default_model,
    explain,
    match_new,
    resolve,
    score_pairs,
    train,
)

__all__ = [
    "Evidence",
    "Resolution",
    "ResolutionModel",
    "cluster",
    "cluster_order_key",
    "count_comparisons",
    "default_model",
    "explain",
    "match_new",
    "resolve",
    "score_pairs",
    "train",
]
