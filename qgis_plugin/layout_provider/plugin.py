"""The plugin object: registers the Processing provider (also under ``qgis_process``)."""

from qgis.core import QgsApplication

from .provider import LayoutProvider


class LayoutProviderPlugin:
    """Adds the ``layout`` provider to the Processing registry."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):
        """Register the provider."""
        self.provider = LayoutProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):
        """Register the provider when QGIS starts with a desktop."""
        self.initProcessing()

    def unload(self):
        """Remove the provider."""
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
