"""Floor 6, analysis of the inputs.

Agglomeration measures, travel times on the roads, terrain, and the criteria: one computation per
declared criterion, over a context shared by all industries.
"""
