"""Data: validation of layers against the data model, loading a plan's inputs, indicators."""
