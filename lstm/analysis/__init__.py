"""Analyses of a trace: NumPy only, a Trace (and the model) in, arrays out."""
