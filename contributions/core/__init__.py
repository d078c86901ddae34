"""What every workflow shares: domain errors, the action table, audit rows, tokens.

Imports nothing from the domains (suggestions, questions, notifications).
"""
