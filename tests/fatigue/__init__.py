"""Tests of upright.fatigue.

A package, so its test_compare does not clash with tests/cli/test_compare.
"""
