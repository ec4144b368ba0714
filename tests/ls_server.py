"""Placeholder: the real Label Studio fixture lands with the Label Studio work."""
