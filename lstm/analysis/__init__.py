"""Analysis: NumPy only, a Trace (and its model) in, plain arrays and dataclasses out.

Every number an inspection panel or a command (`explain`, `grad`, `features`) shows comes from
here, so it can be checked against the trace without any page.
"""
