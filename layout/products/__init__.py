"""Floor 9, what people read: the plan folder (its writer and reader), the report, the site check,
the review helpers and the maps.
"""
