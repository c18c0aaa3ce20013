"""Geometric algorithms on meshes in millimetres: proximity, overlap, clipping, feature recognition."""
