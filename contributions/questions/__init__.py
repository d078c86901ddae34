"""Billing questions: asked by the public, answered by experts within 1–2 business days."""
