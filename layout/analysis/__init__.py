"""Floor 6, analysis of the inputs: agglomeration measures, the road network, terrain, and the
criteria (one computation per declared criterion over a shared context).
"""
