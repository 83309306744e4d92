"""Floor 4, configuration files into the model.

The plan TOML (`layout.config.plan.load_plan`) and the industry catalog
(`layout.config.catalog.load_catalog`), every problem reported at once with its key; each
industry's criteria resolved.
"""
