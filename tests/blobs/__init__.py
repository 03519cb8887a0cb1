"""Tests of the content-addressed blob store (svidok.blobs)."""
