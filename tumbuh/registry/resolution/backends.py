"""Where Splink scores the candidate pairs: DuckDB in this process, or Spark.

One machine's DuckDB resolves a million records in minutes (docs/scale.md). A national
re-resolution past that runs Splink's own Spark backend instead, with the same model and the
same code around it (``engine.resolve(records, model, backend="spark")``):

- records are normalised in DuckDB as always (``records.prepare_sql`` is DuckDB SQL), once,
  and so are the term-frequency lookups; the prepared tables are handed to the backend as
  Arrow tables;
- the backend makes the candidate pairs (blocking) and scores them (``predict``), the part
  that grows with the square of a district's size;
- the scored pairs at or above the model's ``lower`` come back as Arrow into the same DuckDB
  connection, where the clustering with sure edges and the evidence for review run as they do
  for DuckDB: they read a few pairs per record, not all candidate pairs.

The model's SQL is DuckDB's; ``spark_settings`` rewrites the few functions Spark spells
otherwise (``SPARK_FUNCTIONS``). Jaro-Winkler and Damerau-Levenshtein are not taken from the
UDF jar Splink ships, nor from Spark's own ``jaro_winkler_similarity``: both follow Apache
Commons Text, which scores names with a transposed or missing letter lower than DuckDB does
("tmpe dodi" / "tempe dodi" written together: 0.910 against 0.929), and the model's levels
(0.92, 0.95…) were cut on DuckDB's scores. They are Arrow UDFs over rapidfuzz instead
(``register_similarity_functions``), which gives DuckDB's numbers; they run in Python workers,
a cost the JVM functions would not have.

PySpark and a Java runtime are not dependencies of Tumbuh: ``make spark`` installs them into
``.spark/`` (a separate environment), and only ``bench/resolve.py --backend spark`` uses them.
"""

# The SQL here is built from this module's constants and Splink's table names.
# ruff: noqa: S608

import atexit
import copy
import os
import re
import shutil
import sys
import tempfile
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

BACKENDS = ("duckdb", "spark")

# DuckDB function -> Spark SQL, for every function the model's comparisons and blocking rules
# use that Spark names or shapes otherwise. ``list_has_all(a, b)``: every element of b is in a.
SPARK_FUNCTIONS: tuple[tuple[str, str], ...] = (
    (r"\bjaro_winkler_similarity\(", "tumbuh_jaro_winkler("),
    (r"\bdamerau_levenshtein\(", "tumbuh_damerau_levenshtein("),
    (r"\blist_has_any\(", "arrays_overlap("),
    (r"\blist_has_all\((\w+), (\w+)\)", r"(size(array_except(\2, \1)) = 0)"),
    (r"\bstarts_with\(", "startswith("),
    # identifiers: DuckDB quotes them in double quotes, Spark reads those as strings
    (r'"(\w+)"', r"`\1`"),
)
# Left in the SQL after the rewrite, any of these would fail on Spark (or mean something else).
_DUCKDB_ONLY = re.compile(
    r"\b(list_\w+|string_split|array_to_string|jaro_winkler_similarity|damerau_levenshtein"
    r"|starts_with)\(|\""
)


def spark_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The Splink settings of a model with its SQL in Spark's dialect."""

    def rewrite(sql: str) -> str:
        for pattern, replacement in SPARK_FUNCTIONS:
            sql = re.sub(pattern, replacement, sql)
        if _DUCKDB_ONLY.search(sql):
            raise ValueError(f"no Spark equivalent known for: {sql}")
        return sql

    settings = copy.deepcopy(settings)
    settings["sql_dialect"] = "spark"
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = rewrite(level["sql_condition"])
    rules = []
    for rule in settings["blocking_rules_to_generate_predictions"]:
        if isinstance(rule, dict):
            rule = {**rule, "blocking_rule": rewrite(rule["blocking_rule"]), "sql_dialect": "spark"}
        else:
            rule = rewrite(rule)
        rules.append(rule)
    settings["blocking_rules_to_generate_predictions"] = rules
    return settings


def spark_ready(table: pa.Table) -> pa.Table:
    """Spark has no unsigned integers: the 64-bit hashes of ``nik_near`` become signed, bit
    for bit (only equality is asked of them)."""
    for index, column in enumerate(table.schema):
        kind = column.type
        if pa.types.is_list(kind) and pa.types.is_uint64(kind.value_type):
            signed = pc.cast(table[column.name], pa.list_(pa.int64()), safe=False)
            table = table.set_column(index, column.name, signed)
        elif pa.types.is_uint64(kind):
            table = table.set_column(
                index, column.name, pc.cast(table[column.name], pa.int64(), safe=False)
            )
    return table


def _pairwise(function, left: pa.Array, right: pa.Array, kind: pa.DataType) -> pa.Array:
    return pa.array(
        [
            None if a is None or b is None else function(a, b)
            for a, b in zip(left.to_pylist(), right.to_pylist(), strict=True)
        ],
        kind,
    )


# Module functions, so that Spark's Python workers import them rather than unpickle them
# (rapidfuzz's compiled functions do not pickle).
def jaro_winkler_arrow(left: pa.Array, right: pa.Array) -> pa.Array:
    from rapidfuzz.distance import JaroWinkler

    return _pairwise(JaroWinkler.similarity, left, right, pa.float64())


def damerau_levenshtein_arrow(left: pa.Array, right: pa.Array) -> pa.Array:
    from rapidfuzz.distance import DamerauLevenshtein

    return _pairwise(DamerauLevenshtein.distance, left, right, pa.int64())


def register_similarity_functions(session) -> None:
    """``tumbuh_jaro_winkler`` and ``tumbuh_damerau_levenshtein`` in Spark SQL, computed as
    DuckDB computes ``jaro_winkler_similarity`` and ``damerau_levenshtein`` (null in, null out)."""
    from pyspark.sql.functions import arrow_udf

    session.udf.register("tumbuh_jaro_winkler", arrow_udf(jaro_winkler_arrow, "double"))
    session.udf.register(
        "tumbuh_damerau_levenshtein", arrow_udf(damerau_levenshtein_arrow, "bigint")
    )


class DuckDBBackend:
    """Splink on the DuckDB connection that holds the prepared records."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        from splink import DuckDBAPI

        self.con = con
        self.db_api = DuckDBAPI(con)

    def settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        return settings

    def table(self, name: str):
        """A table of the DuckDB connection as a Splink table of this backend."""
        return self.db_api.register(name)

    def count(self, frame) -> int:
        return self.con.sql(f"SELECT count(*) FROM {frame.physical_name}").fetchall()[0][0]

    def local(self, frame, name: str) -> str:
        """The name of a DuckDB table of the connection holding a Splink table's rows."""
        return frame.physical_name

    def close(self) -> None:
        pass


class SparkBackend:
    """Splink on a Spark session (``spark_session``): tables go there as Arrow, results come
    back as Arrow."""

    name = "spark"

    def __init__(self, con: duckdb.DuckDBPyConnection, session=None):
        try:
            from splink.backends.spark import SparkAPI
        except ImportError as error:
            raise RuntimeError(
                "the Spark backend needs PySpark and Java: run `make spark`, then "
                ".spark/bin/python instead of .venv/bin/python"
            ) from error

        self.con = con
        self.spark = session or spark_session()
        partitions = int(self.spark.conf.get("spark.sql.shuffle.partitions"))
        # "persist": intermediate tables stay in the executors' memory, spilling to their
        # disks; on a cluster "parquet" (with a checkpoint directory) bounds the lineage too.
        self.db_api = SparkAPI(
            spark_session=self.spark,
            break_lineage_method="persist",
            num_partitions_on_repartition=partitions,
            register_udfs_automatically=False,
        )
        register_similarity_functions(self.spark)

    def settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        return spark_settings(settings)

    def table(self, name: str):
        arrow = spark_ready(self.con.table(name).to_arrow_table())
        return self.db_api.register(arrow, table_name=name)

    def count(self, frame) -> int:
        return self.spark.sql(f"SELECT count(*) FROM {frame.physical_name}").collect()[0][0]

    def local(self, frame, name: str) -> str:
        arrow = self.spark.table(frame.physical_name).toArrow()
        self.con.register(f"{name}_arrow", arrow)
        self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
        self.con.unregister(f"{name}_arrow")
        return name

    def close(self) -> None:
        # The session outlives one resolution (starting one takes seconds); its cached tables
        # do not.
        self.spark.catalog.clearCache()
        for table in self.spark.catalog.listTables():
            if table.isTemporary:
                self.spark.catalog.dropTempView(table.name)


def backend_for(name: str, con: duckdb.DuckDBPyConnection):
    if name == "duckdb":
        return DuckDBBackend(con)
    if name == "spark":
        return SparkBackend(con)
    raise ValueError(f"backend must be one of {BACKENDS}, not {name!r}")


@cache
def spark_session():
    """A local Spark session (``TUMBUH_SPARK_MASTER``, ``local[*]`` by default) whose Python
    workers run this interpreter; a cluster's session is made by its own configuration and
    passed to ``SparkBackend``."""
    from pyspark.sql import SparkSession

    # PySpark starts its Python workers with PYSPARK_PYTHON ("python3" when unset), which in
    # local mode must be this environment's interpreter: the UDFs need rapidfuzz and Tumbuh.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    scratch = tempfile.mkdtemp(prefix="tumbuh-spark-")
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    cores = os.cpu_count() or 2
    session = (
        SparkSession.builder.master(os.environ.get("TUMBUH_SPARK_MASTER", "local[*]"))
        .appName("tumbuh-resolution")
        .config("spark.driver.memory", os.environ.get("TUMBUH_SPARK_MEMORY", "6g"))
        .config("spark.local.dir", scratch)
        # a few partitions per core: the default 200 is for clusters
        .config("spark.sql.shuffle.partitions", str(4 * cores))
        .config("spark.default.parallelism", str(4 * cores))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # local mode: no lookup of the machine's name, which may not resolve
        .config("spark.driver.host", os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
        .config("spark.driver.bindAddress", os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(os.path.join(scratch, "checkpoints"))
    return session
