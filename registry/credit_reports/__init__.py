"""专项信用报告 (special credit reports, 信用代证, 发改财金〔2025〕565号): `document` (what a report says), `service` (issue, read, verify)."""
