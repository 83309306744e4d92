"""The allocation floor: land demand, candidate sites, the selection programme, the plan run."""
