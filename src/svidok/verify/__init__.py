"""``svidok verify``: independent re-checks of everything the workspace committed to.

Each checker returns :class:`~svidok.verify.report.Finding` objects; none stops at the first
problem (bagit-python's habit: collect every discrepancy, then fail once).
"""
