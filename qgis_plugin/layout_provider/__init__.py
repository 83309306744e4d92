"""QGIS plugin: a Processing provider that runs the ``layout`` planner's command (docs/qgis.md)."""


def classFactory(iface):
    """Return the plugin (QGIS calls this when it loads the plugin)."""
    from .plugin import LayoutProviderPlugin

    return LayoutProviderPlugin(iface)
