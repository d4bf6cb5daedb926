"""Identification codes: 统一社会信用代码 (USCC), resident ID numbers, region codes."""
