"""Regions (wilayah): Kemendagri codes, levels and names; the prefix hierarchy used for scoping."""
