"""Label Studio: the labeling config, push and pull, the local server, review round trips.

The only package that speaks HTTP (through label-studio-sdk and httpx, in client.py).
Takes: tasks (documents, io). Gives: records pulled from a project. Imports: errors, scheme,
io, documents.
"""
