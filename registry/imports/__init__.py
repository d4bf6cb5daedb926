"""Spreadsheet imports (批量导入): the reader, rows, the row and batch writers, and the CLI."""
