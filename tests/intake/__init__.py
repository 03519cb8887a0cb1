"""Tests of svidok.intake: extractors, runner, perceptual hashes, derivatives."""
