"""Floor 2, files.

Vector layers and tables (GBK Shapefiles, CSV/XLSX with lon/lat), text encodings, CRS checks
and metric projection, rasters (the one reader and writer of score rasters), the embedded
Zhengzhou data, all-or-nothing output folders, file digests.
"""
