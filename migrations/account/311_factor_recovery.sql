-- Recovery of an account whose holder lost their second factors (issue 18): requested by email, it
-- clears TOTP, backup codes, email codes and passkeys only after a delay, during which the account
-- holder is told and can cancel (the link, or signing in with a factor). One per account; tokenHash is
-- the SHA-256 of the mailed token; times in unix ms.
CREATE TABLE factor_recovery (
  did TEXT PRIMARY KEY,
  tokenHash TEXT NOT NULL UNIQUE,
  requestedAt INTEGER NOT NULL,
  dueAt INTEGER NOT NULL,
  -- The last mail sent for it: asking again within minutes mails nobody (no inbox flooding).
  mailedAt INTEGER NOT NULL
) STRICT;
