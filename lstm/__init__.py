"""LSTM Gates Visualizer: an LSTM in NumPy, traced gate by gate, drawn on a canvas.

Importing this package must stay cheap and free of NumPy: the browser imports it to show
its loading screen before NumPy has arrived.
"""

__version__ = "0.1.0"
