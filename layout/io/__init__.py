"""Files: vector layers, tables, rasters, score rasters, encodings, CRS and datums, digests."""
