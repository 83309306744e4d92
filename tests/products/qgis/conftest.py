"""The QGIS tests: ``qgis_check.py`` is run by QGIS's Python, never collected by pytest."""

collect_ignore = ["qgis_check.py"]
