"""Watermark detection after Kirchenbauer et al. (2023), equal to the reference detector."""
