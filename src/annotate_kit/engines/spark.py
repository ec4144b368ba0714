"""Spark's DDL for the task table: what `mapInArrow` needs to run pre-annotation on Spark."""

from __future__ import annotations

import pyarrow as pa

from annotate_kit.io.tables import TASK_SCHEMA


def spark_ddl(schema: pa.Schema = TASK_SCHEMA) -> str:
    """``schema`` as a Spark DDL string (the ``schema=`` of ``mapInArrow``), with the exact
    integer widths: a wrong width gives cryptic JVM errors (FACTS.md)."""
    names = {pa.int64(): "BIGINT", pa.int32(): "INT", pa.string(): "STRING"}
    return ", ".join(
        f"{f.name} {names[f.type]}" + ("" if f.nullable else " NOT NULL") for f in schema
    )
