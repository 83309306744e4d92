"""QGIS-ready plan folders: name columns, QML styles, the ``layer_styles`` table and a project.

`names` adds Chinese and English names beside the codes of ``plan.gpkg``'s tables; `styles`
renders a QML style for every layer and raster of a plan folder (from the Jinja2 templates
``layout/products/templates/qgis_*.j2``) and stores the vector ones in the GeoPackage's
``layer_styles`` table, so the layers open styled; `project` writes ``plan.qgz``, a QGIS
project with relative paths (docs/qgis.md).
"""
