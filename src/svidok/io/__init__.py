"""Bulk import (CSV, JSON) through a staging area with a per-row report, and the relational
export of a case (JSON, CSV per record type) that round-trips through import."""
