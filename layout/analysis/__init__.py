"""Analysis: criteria computation, agglomeration measures, road network distances, terrain."""
