"""Matching Chinese enterprise names: normalisation, parsing, a candidate index and scoring.

Pure: no Flask and no database. It is fed `Candidate` rows and answers `Query`s with `Hit`s.
"""
