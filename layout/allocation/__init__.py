"""Floor 8, the plan.

Land demand, candidate sites, the HiGHS allocation, sensitivity, and the run that ties them
together (`layout.allocation.run.run_plan`).
"""
