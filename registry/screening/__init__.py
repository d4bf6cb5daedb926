"""Screening (资格审查筛查): name index, person links, measures, dossiers and the screening service."""
