"""Floor 1, numeric kernels on arrays.

Kernel density, Gi* window sums, regional statistics, transforms, AHP, GCJ-02/BD-09
arithmetic, quantiles. numpy and scipy only: no files, no CRS objects, no tables.
"""
