"""The ``layout`` Processing provider and where it finds the ``layout`` command.

The command is looked up as the GRASS, SAGA and WhiteboxTools providers look up theirs: the
provider setting *Path of the layout executable* (Settings > Options > Processing > Providers >
Layout planner), else ``$LAYOUT_EXECUTABLE``, else ``layout`` on ``PATH``.
"""

from qgis.core import QgsProcessingProvider

from .algorithms import CheckSiteAlgorithm, CompareAlgorithm, PlanAlgorithm, ScoreAlgorithm
from .command import EXECUTABLE_SETTING, processing_settings


class LayoutProvider(QgsProcessingProvider):
    """Algorithms that run the ``layout`` command: plan, score, check-site, compare."""

    def id(self):
        """Provider id: algorithms are ``layout:plan``, ``:score``, ``:checksite``, ``:compare``."""
        return "layout"

    def name(self):
        """Name shown in the Processing toolbox."""
        return "Layout planner"

    def longName(self):
        """Long name."""
        return "Layout planner (industrial layout, the layout command)"

    def load(self):
        """Add the provider setting, then the algorithms."""
        config, setting = processing_settings()
        if config is not None:
            config.settingIcons[self.name()] = self.icon()
            config.addSetting(setting(
                self.name(), EXECUTABLE_SETTING, "Path of the layout executable", "",
                valuetype=setting.FILE))
            config.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        """Remove the provider setting."""
        config, _ = processing_settings()
        if config is not None:
            config.removeSetting(EXECUTABLE_SETTING)

    def loadAlgorithms(self):
        """The algorithms."""
        for alg in (PlanAlgorithm(), ScoreAlgorithm(), CheckSiteAlgorithm(), CompareAlgorithm()):
            self.addAlgorithm(alg)
