"""Floor 4, configuration files into the model: the plan TOML (`load_plan`) and the industry catalog
(`load_catalog`), every problem reported at once with its key; each industry's criteria resolved.
"""
