"""Processing algorithms that run ``layout plan``, ``score``, ``check-site`` and ``compare``.

Each algorithm turns its parameters into the command's options (`arguments`) and runs the
command of the configured environment (`command.run_layout`); the files it writes are the
algorithm's outputs. See docs/qgis.md.
"""

import os

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingOutputFile,
    QgsProcessingOutputFolder,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from .command import run_layout

LANGS = ["zh", "en"]
FORMATS = ["html", "md", "json", "csv"]


class LayoutAlgorithm(QgsProcessingAlgorithm):
    """Base of the algorithms: one ``layout`` subcommand."""

    _name = ""
    _display = ""
    _help = ""

    def name(self):
        """Algorithm id within the provider."""
        return self._name

    def displayName(self):
        """Name in the toolbox."""
        return self._display

    def group(self):
        """Toolbox group."""
        return "Industrial layout"

    def groupId(self):
        """Toolbox group id."""
        return "layout"

    def shortHelpString(self):
        """Help shown beside the dialog."""
        return self._help

    def createInstance(self):
        """A new instance (Processing runs copies)."""
        return type(self)()

    def _config(self, parameters, context):
        path = self.parameterAsFile(parameters, "CONFIG", context)
        return [path] if path else []

    def _add_config(self):
        self.addParameter(QgsProcessingParameterFile(
            "CONFIG", "Plan TOML (empty: the embedded Zhengzhou plan)",
            extension="toml", optional=True))


class PlanAlgorithm(LayoutAlgorithm):
    """``layout plan``: the plan folder (plan.gpkg, rasters, report, plan.qgz) and maps."""

    _name = "plan"
    _display = "Plan the industrial layout"
    _help = ("Runs `layout plan`: scores every cell for each priority industry, allocates the "
             "land demand to sites and writes the plan folder -- plan.gpkg (sites, zones, "
             "allocation; styled), Cloud Optimized score rasters, report.html and plan.qgz, a "
             "QGIS project of it all -- and, when a maps folder is given, the HTML and PNG "
             "maps. See docs/plan_outputs.md.")

    def initAlgorithm(self, config=None):
        """Parameters and outputs."""
        self._add_config()
        self.addParameter(QgsProcessingParameterBoolean(
            "SENSITIVITY", "Run the sensitivity analysis (site stability)", defaultValue=True))
        self.addParameter(QgsProcessingParameterString(
            "TITLE", "Name of this run (empty: the plan's name)", optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            "LANG", "Language of the maps", options=LANGS, defaultValue=0))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Plan folder"))
        self.addParameter(QgsProcessingParameterFolderDestination(
            "MAPS", "Maps folder (empty: no maps)", optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputFile("PROJECT", "QGIS project (plan.qgz)"))
        self.addOutput(QgsProcessingOutputVectorLayer("SITES", "Recommended sites"))
        self.addOutput(QgsProcessingOutputFile("REPORT", "Report (report.html)"))

    def arguments(self, parameters, context):
        """The options of ``layout plan``."""
        out = self.parameterAsString(parameters, "OUTPUT", context)
        maps = self.parameterAsString(parameters, "MAPS", context)
        args = ["plan", *self._config(parameters, context), "--out", out]
        args += ["--maps", maps] if maps else ["--no-maps"]
        if not self.parameterAsBoolean(parameters, "SENSITIVITY", context):
            args.append("--no-sensitivity")
        title = self.parameterAsString(parameters, "TITLE", context)
        if title:
            args += ["--title", title]
        args += ["--lang", LANGS[self.parameterAsEnum(parameters, "LANG", context)]]
        return args

    def processAlgorithm(self, parameters, context, feedback):
        """Run the command."""
        args = self.arguments(parameters, context)
        run_layout(args, feedback)
        out = args[args.index("--out") + 1]
        result = {
            "OUTPUT": out,
            "PROJECT": os.path.join(out, "plan.qgz"),
            "SITES": os.path.join(out, "plan.gpkg") + "|layername=sites",
            "REPORT": os.path.join(out, "report.html"),
        }
        if "--maps" in args:
            result["MAPS"] = args[args.index("--maps") + 1]
        return result


class ScoreAlgorithm(LayoutAlgorithm):
    """``layout score``: the suitability rasters of one industry or all."""

    _name = "score"
    _display = "Score suitability"
    _help = ("Runs `layout score`: writes, per industry, CODE_score.tif (0-100), "
             "CODE_criteria.tif (one band per criterion) and CODE_flags.tif (constraint bits), "
             "Cloud Optimized GeoTIFFs with overviews, and measures.csv.")

    def initAlgorithm(self, config=None):
        """Parameters and outputs."""
        self._add_config()
        self.addParameter(QgsProcessingParameterString(
            "INDUSTRY", "Industry code, or 'all'", defaultValue="all"))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Scores folder"))

    def arguments(self, parameters, context):
        """The options of ``layout score``."""
        return ["score", *self._config(parameters, context),
                "--industry", self.parameterAsString(parameters, "INDUSTRY", context) or "all",
                "--out", self.parameterAsString(parameters, "OUTPUT", context)]

    def processAlgorithm(self, parameters, context, feedback):
        """Run the command."""
        args = self.arguments(parameters, context)
        run_layout(args, feedback)
        return {"OUTPUT": args[-1]}


class CheckSiteAlgorithm(LayoutAlgorithm):
    """``layout check-site``: whether each parcel suits a project of an industry."""

    _name = "checksite"
    _display = "Check a site"
    _help = ("Runs `layout check-site`: for each parcel of the layer, a verdict (suitable, "
             "conditional, unsuitable) with every reason -- constraints and their legal basis, "
             "zone, score and percentile, land indicators, better-suited industries and better "
             "sites nearby. Writes sitecheck_* files (GeoJSON, CSV, JSON and the report) into "
             "the output folder. See docs/sitecheck.md.")

    def initAlgorithm(self, config=None):
        """Parameters and outputs."""
        self.addParameter(QgsProcessingParameterVectorLayer("PARCELS", "Parcels"))
        self.addParameter(QgsProcessingParameterString(
            "INDUSTRY", "Industry code of the project (e.g. food)"))
        self._add_config()
        self.addParameter(QgsProcessingParameterFile(
            "PLAN_DIR", "Plan folder (alternatives from its sites)",
            behavior=QgsProcessingParameterFile.Folder, optional=True))
        self.addParameter(QgsProcessingParameterFile(
            "INDICATORS", "Planned land indicators (CSV, JSON or TOML)", optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            "RADIUS_KM", "Search radius for better alternatives (km)",
            type=QgsProcessingParameterNumber.Double, defaultValue=10.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(
            "FORMAT", "Report format", options=FORMATS, defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            "LANG", "Language of the report", options=LANGS, defaultValue=0))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputFolder("FILES", "Site-check files"))

    def arguments(self, parameters, context, feedback=None):
        """The options of ``layout check-site`` (the parcels as a file the command reads)."""
        path, layer = self.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, "PARCELS", context, ["gpkg", "geojson", "shp"], "gpkg", feedback)
        args = ["check-site", path, "--industry",
                self.parameterAsString(parameters, "INDUSTRY", context)]
        if layer:
            args += ["--layer", layer]
        config = self._config(parameters, context)
        if config:
            args += ["--config", config[0]]
        for key, option in (("PLAN_DIR", "--plan-dir"), ("INDICATORS", "--indicators")):
            value = self.parameterAsFile(parameters, key, context)
            if value:
                args += [option, value]
        args += ["--radius-km", repr(self.parameterAsDouble(parameters, "RADIUS_KM", context)),
                 "--format", FORMATS[self.parameterAsEnum(parameters, "FORMAT", context)],
                 "--lang", LANGS[self.parameterAsEnum(parameters, "LANG", context)],
                 "--out", self.parameterAsString(parameters, "OUTPUT", context), "--overwrite"]
        return args

    def processAlgorithm(self, parameters, context, feedback):
        """Run the command."""
        args = self.arguments(parameters, context, feedback)
        run_layout(args, feedback)
        out = args[args.index("--out") + 1]
        return {"OUTPUT": out, "FILES": out}


class CompareAlgorithm(LayoutAlgorithm):
    """``layout compare``: what changed from one plan folder to another."""

    _name = "compare"
    _display = "Compare two plans"
    _help = ("Runs `layout compare`: compares plan B with plan A (two folders written by "
             "`layout plan`) and writes compare.html and compare.md (flags, settings, demand "
             "and allocation by industry and zone, sites kept, moved, removed and added, "
             "solver), the same tables as CSV and difference_map.html. Every change is B minus "
             "A. See docs/compare.md.")

    def initAlgorithm(self, config=None):
        """Parameters and outputs."""
        for key, label in (("PLAN_A", "Plan A (the reference plan folder)"),
                           ("PLAN_B", "Plan B (the plan folder compared with A)")):
            self.addParameter(QgsProcessingParameterFile(
                key, label, behavior=QgsProcessingParameterFile.Folder))
        self.addParameter(QgsProcessingParameterEnum(
            "LANG", "Language of labels and legends", options=LANGS, defaultValue=0))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Comparison folder"))
        self.addOutput(QgsProcessingOutputFile("REPORT", "Comparison (compare.html)"))
        self.addOutput(QgsProcessingOutputFile("MAP", "Difference map (difference_map.html)"))

    def arguments(self, parameters, context):
        """The options of ``layout compare``."""
        return ["compare", self.parameterAsFile(parameters, "PLAN_A", context),
                self.parameterAsFile(parameters, "PLAN_B", context),
                "--lang", LANGS[self.parameterAsEnum(parameters, "LANG", context)],
                "--out", self.parameterAsString(parameters, "OUTPUT", context)]

    def processAlgorithm(self, parameters, context, feedback):
        """Run the command."""
        args = self.arguments(parameters, context)
        run_layout(args, feedback)
        out = args[-1]
        return {"OUTPUT": out, "REPORT": os.path.join(out, "compare.html"),
                "MAP": os.path.join(out, "difference_map.html")}
