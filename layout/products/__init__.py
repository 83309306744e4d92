"""Floor 9, what people read.

The plan folder (its one writer and one reader), the report, the site check, the review
helpers and the maps; HTML from the templates in ``templates/``.
"""
