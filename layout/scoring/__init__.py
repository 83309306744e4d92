"""Floor 7, suitability: weighted scores that decompose exactly into criterion contributions
(`score`), and the score cache the site check reads.
"""
