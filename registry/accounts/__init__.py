"""Personal accounts (个人账户) for the people who use the pages; API keys stay for machine clients.

By module: `settings` (the lockout, the sessions' limits, the password's age; the box that seals TOTP
secrets), `passwords` (the policy and the Argon2id hash), `totp` (the second factor, RFC 6238),
`store` (login names, the one audited writer, the actor an account stands for), `scope` (who manages
which accounts), `manage` (create, disable and enable, unlock, reset a password), `own` (a person's
own password and second factor), `signin` (登录 and the lockout), `sessions` (page sessions, idle and
absolute expiry) and `cli` (`flask registry create-admin`). docs/accounts.md says how they fit.
"""
