"""Workspace screens of the project registries, one module per registry.

Cadres keep their own villages' registries; township officials (and anyone else with a role in a
village) read them. Forbidden and missing answer 404 alike.
"""
