"""Labeled responses used to calibrate the built-in scorers (see aigis.assess.calibrate)."""
