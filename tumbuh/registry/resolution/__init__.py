"""Entity resolution for "Satu Data UMKM": which records are one business.

- ``normalise``: Indonesian normalisation of names, forms, honorifics, old spellings, phones,
  in Python for one value and in DuckDB SQL for millions.
- ``engine``: the Splink model (DuckDB backend) and the calls the registry makes: ``train``,
  ``resolve`` (``cluster``, ``score_pairs``), ``match_new`` for an import against the
  registry, ``explain`` for a reviewer, ``ResolutionModel.save``/``load``.
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
