"""Floor 7, suitability.

Weighted scores that decompose exactly into criterion contributions
(`layout.scoring.suitability.score`), and the score cache the site check reads.
"""
