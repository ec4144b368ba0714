"""Running an annotation campaign: progress, agreement so far, suggestions kept, review round.

Takes: a Label Studio project (read through labelstudio/ in pull's bounded pieces). Gives:
the campaign's status (counts, per-annotator work and agreement, documents to review, what
annotators kept of the suggestions) and the review project of the conflicting documents.
Imports: errors, scheme, io, labelstudio, agreement, export (pseudonyms); keeps no state.
"""
