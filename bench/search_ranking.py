"""Catalogue search on PostgreSQL: the first page read nearest-title-first from the GiST trigram
index, against ranking every match (the query before migration 0003), in one run.

Builds a PostgreSQL database named for this run (``bench/load.py``'s ``prepare``: migrated, the
regions of Jawa Barat and NTT) with synthetic live products (``bench/product_page_load.py``'s
builder), then for each search runs both queries' first page (26 ids) under ``EXPLAIN
ANALYZE`` several times and prints JSON lines: the median execution time of each, their ratio,
how many rows match, and whether the plan used the GiST index. The database is dropped at the
end.

    uv run python bench/search_ranking.py [--products 100000] [--repeat 7]
"""

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import build, drop, prepare, run_id  # noqa: E402
from bench.scratch import machine  # noqa: E402

SEARCHES = ["kopi", "keripik pisang", "kripik pisang", "madu hutan", "tenunan", "abon"]


def rank_every_match(products, text: str):
    """The search before the GiST index: full-text rank plus trigram similarity of every match."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
    from django.db.models import Q

    from tumbuh.catalogue import queries

    query = SearchQuery(text, config="indonesian", search_type="websearch")
    return (
        products.annotate(search=queries.search_vector())
        .filter(Q(search=query) | Q(title__trigram_word_similar=text))
        .annotate(
            rank=SearchRank(queries.search_vector(), query) + TrigramWordSimilarity(text, "title")
        )
        .order_by("-rank", "-pk")
    )


def explain(queryset, repeat: int) -> tuple[float, bool]:
    from django.db import connection

    sql, params = queryset.values_list("pk", flat=True)[:26].query.sql_with_params()
    times, uses_gist = [], False
    with connection.cursor() as cursor:
        for _attempt in range(repeat):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0][0]
            times.append(plan["Execution Time"])
            uses_gist = "catalogue_product_title_trgm_gist_idx" in json.dumps(plan)
    return statistics.median(times), uses_gist


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    load_before = os.getloadavg()
    env = prepare("postgres", run_id())
    try:
        data, _paths = build(env, options.products)
        from django.db import connection

        from tumbuh.catalogue import queries

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE stores_product")
        print(json.dumps({"bench": "search_ranking", "step": "data", **data}), flush=True)
        listed = queries.listed_products()
        for text in SEARCHES:
            nearest, _ranked = queries.search_products(listed, text)
            nearest_ms, uses_gist = explain(nearest, options.repeat)
            every_ms, _gist = explain(rank_every_match(listed, text), options.repeat)
            print(
                json.dumps(
                    {
                        "bench": "search_ranking",
                        "search": text,
                        "matches": nearest.count(),
                        "nearest_title_ms": round(nearest_ms, 2),
                        "rank_every_match_ms": round(every_ms, 2),
                        "speed_up": round(every_ms / nearest_ms, 1),
                        "uses_gist_index": uses_gist,
                    }
                ),
                flush=True,
            )
        print(
            json.dumps(
                {
                    "bench": "search_ranking",
                    "step": "machine",
                    "machine": machine(),
                    "load_average_before": [round(value, 2) for value in load_before],
                    "load_average_after": [round(value, 2) for value in os.getloadavg()],
                }
            ),
            flush=True,
        )
    finally:
        drop("postgres", env)


if __name__ == "__main__":
    main()
