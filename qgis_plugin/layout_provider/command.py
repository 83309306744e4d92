"""Finding and running the ``layout`` command of the configured environment.

The command is looked up as the GRASS, SAGA and WhiteboxTools providers look up theirs: the
provider setting *Path of the layout executable* (Settings > Options > Processing > Providers >
Layout planner), else ``$LAYOUT_EXECUTABLE``, else ``layout`` on ``PATH``. It runs in its own
Python environment: QGIS's ``PYTHONPATH`` and ``PYTHONHOME`` are not passed on.
"""

import os
import shutil
import subprocess

from qgis.core import QgsProcessingException

#: Name of the provider setting holding the path of the ``layout`` executable.
EXECUTABLE_SETTING = "LAYOUT_EXECUTABLE"


def processing_settings():
    """``(ProcessingConfig, Setting)`` of the Processing plugin, or ``(None, None)``."""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig, Setting
    except ImportError:  # a QGIS without the Processing plugin
        return None, None
    return ProcessingConfig, Setting


def layout_executable():
    """The ``layout`` command to run (`QgsProcessingException` saying how to set it)."""
    config, _ = processing_settings()
    configured = (config.getSetting(EXECUTABLE_SETTING) if config is not None else None) or ""
    for candidate in (configured, os.environ.get("LAYOUT_EXECUTABLE", ""), "layout"):
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    raise QgsProcessingException(
        "the layout command is not found: install the planner (pip install zz-layout) and set "
        "the path of its layout executable in Settings > Options > Processing > Providers > "
        "Layout planner, or set $LAYOUT_EXECUTABLE"
    )


def run_layout(args, feedback):
    """Run ``layout ARGS``, passing its output to ``feedback``; stop it when cancelled.

    Raises
    ------
    QgsProcessingException
        The command failed; the message is its last line of output (the planner's errors are
        one line naming the file, row or key and the fix).
    """
    argv = [layout_executable(), *args]
    feedback.pushCommandInfo(" ".join(argv))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PYTHONIOENCODING"] = "utf-8"
    lines = []
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                          text=True, encoding="utf-8", errors="replace") as proc:
        for line in proc.stdout:
            line = line.rstrip("\n")
            lines.append(line)
            feedback.pushConsoleInfo(line)
            if feedback.isCanceled():
                proc.terminate()
                break
        status = proc.wait()
    if feedback.isCanceled():
        raise QgsProcessingException("cancelled")
    if status != 0:
        last = next((x for x in reversed(lines) if x.strip()), f"exit status {status}")
        raise QgsProcessingException(f"layout {args[0]} failed: {last}")
    return lines
