"""Floor 5, a plan's data: validating layers against the data model, loading and projecting a
plan's inputs (`load_inputs`), parcels and planned land indicators of a site check.
"""
