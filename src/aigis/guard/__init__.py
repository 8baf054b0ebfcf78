"""Safety guardrails on model input and output (4.2.2(b), 6.2.7, A3.15)."""
