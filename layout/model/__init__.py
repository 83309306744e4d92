"""Floor 3, the vocabulary.

Constraint types, layer schemas, criteria declarations, transforms, catalog records, the
analysis grid, the plan and its options. Validated models and plain dataclasses; nothing here
reads a file.
"""
