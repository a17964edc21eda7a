"""Shared test setup: one BLAS thread, set before anything imports NumPy.

Short training runs on a busy 2-core machine are several times slower with threaded OpenBLAS.
"""

import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
