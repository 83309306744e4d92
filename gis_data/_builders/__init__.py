"""Private helpers of ``gis_data/build_zhengzhou.py``: one module per layer family.

Everything is generated in the metric CRS EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)
and converted to EPSG:4326 only when written.  Nothing here is imported by the ``layout`` package.
"""
