"""Floor 5, a plan's data.

Validating layers against the data model, loading and projecting a plan's inputs
(`layout.data.inputs.load_inputs`), the parcels and planned land indicators of a site check.
"""
