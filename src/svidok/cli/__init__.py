"""The ``svidok`` command: a thin skin over the library (Typer + Rich)."""
