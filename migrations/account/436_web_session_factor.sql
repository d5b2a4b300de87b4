-- When a second factor (authenticator code, emailed code, backup code or passkey) was last given in a
-- web session: at sign-in or by a step-up. The moderation console needs one (README "Moderation").
-- Unix milliseconds; NULL when none was given (a password alone, a remembered browser, older rows).
ALTER TABLE web_session ADD COLUMN factorAt INTEGER;
