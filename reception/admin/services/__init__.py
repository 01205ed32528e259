"""The administration's use-cases: the only code that changes reference data and accounts.

Each takes the session, the acting user and the clock, checks everything it is given,
raises `Refused` (reception.core.refusals) with a message per field when it refuses, and
writes an audit entry in the caller's transaction when it changes something.
"""
