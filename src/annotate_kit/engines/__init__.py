"""Engines that run pre-annotation over task tables: local (one process or a pool), Ray, Spark.

Takes: task tables (io.tables). Gives: the same tables with predictions.
Imports: errors, scheme, io, preannotate.
"""
