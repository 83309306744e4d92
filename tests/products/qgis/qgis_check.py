"""Run by Debian's /usr/bin/python3 (PyQGIS): open a plan folder's project and layers.

Usage: ``python3 qgis_check.py PLAN_DIR``; prints one JSON object describing what QGIS saw.
Kept free of the ``layout`` package: PyQGIS lives outside the project's environment.
"""

import json
import os
import sys
from pathlib import Path

from qgis.core import QgsApplication, QgsProject, QgsRasterLayer, QgsVectorLayer

folder = Path(sys.argv[1])
app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(str(folder / "plan.qgz"))
layers = {}
for layer in project.mapLayers().values():
    info = {"valid": layer.isValid(), "source": layer.source(), "name": layer.name()}
    if isinstance(layer, QgsVectorLayer):
        r = layer.renderer()
        info["renderer"] = r.type()
        if r.type() == "categorizedSymbol":
            info["categories"] = {
                c.value(): c.symbol().color().name() for c in r.categories()
            }
        info["labels"] = layer.labelsEnabled()
        info["features"] = layer.featureCount()
    elif isinstance(layer, QgsRasterLayer):
        info["renderer"] = layer.renderer().type()
        info["bands"] = layer.bandCount()
    layers[layer.id()] = info
# a layer opened alone takes its default style from plan.gpkg's layer_styles table
alone = QgsVectorLayer(f"{folder / 'plan.gpkg'}|layername=sites", "sites", "ogr")
raster = QgsRasterLayer(str(folder / "suitability" / "auto_score.tif"), "auto", "gdal")
out = {
    "read": ok,
    "crs": project.crs().authid(),
    "absolute": project.readBoolEntry("Paths", "/Absolute", True)[0],
    "layers": layers,
    "alone_sites_renderer": alone.renderer().type() if alone.isValid() else None,
    "alone_score_renderer": raster.renderer().type() if raster.isValid() else None,
}
print(json.dumps(out))
sys.stdout.flush()
os._exit(0)  # exitQgis() can crash at interpreter exit on headless 3.22
