"""The numeric kernels: plain numpy/scipy on arrays, no CRS, no files, no validation."""
