"""The toolkit's version, in a module of its own so that any stage can read it without
importing the package's public table (which names every stage)."""

__version__ = "0.1.0"
