"""Floor 8, the plan: land demand, candidate sites, the HiGHS allocation, sensitivity, and the
run that ties them together (`run_plan`).
"""
