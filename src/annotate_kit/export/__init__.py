"""Export: validated records to a Hugging Face dataset folder (three Parquet configs and a card).

Takes: records (io) checked by validate and adjudicated by agreement. Gives: a folder that
``datasets.load_dataset`` reads offline. Imports: errors, scheme, io, validate, agreement.
"""
