"""Agreement, adjudication and evaluation: how far annotators (or a model) agree, which annotation is gold.

Takes: valid records. Gives: span F1 and alpha per layer, the gold record per document by a
stated policy, and evaluation tables. Imports: errors, scheme, io, validate.
"""
