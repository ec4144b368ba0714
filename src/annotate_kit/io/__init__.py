"""Readers and tables: records and tasks in and out of files, whatever their form.

Takes: records JSONL, Label Studio exports, task shard folders. Gives: items to validate,
records, task tables (Arrow). Imports: errors, scheme.
"""
