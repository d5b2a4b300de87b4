-- What moderators see of an account's past (tools.ozone.hosting.getAccountHistory, tools.ozone.signature.*):
-- account_history, one row per change to the account (kept by triggers, so every path that changes an
-- account is recorded in the same transaction as the change); account_ip, the client addresses each
-- account's sessions came from (sign-up, sign-in, refresh, the account app, OAuth sign-in), and
-- account_browser, the browsers it signed in with, kept after the sessions end. ISO times. When an
-- account is deleted its history stays, without the email addresses, and its addresses and browsers go.

CREATE TABLE account_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  did TEXT NOT NULL,
  event TEXT NOT NULL,
  handle TEXT,
  email TEXT,
  -- a takedown's reference
  detail TEXT,
  at TEXT NOT NULL
) STRICT;
CREATE INDEX account_history_did_idx ON account_history (did, id);

CREATE TABLE account_ip (
  did TEXT NOT NULL,
  ip TEXT NOT NULL,
  firstAt TEXT NOT NULL,
  lastAt TEXT NOT NULL,
  PRIMARY KEY (did, ip)
) STRICT;
CREATE INDEX account_ip_ip_idx ON account_ip (ip);

-- The browsers (OAuth devices: the device-id cookie, useless without its session id) each account signed
-- in with, kept after the account signs out of them. Not `account_device`: an adopted reference
-- directory has a table of that name (its OAuth provider's).
CREATE TABLE account_browser (
  did TEXT NOT NULL,
  deviceId TEXT NOT NULL,
  firstAt TEXT NOT NULL,
  lastAt TEXT NOT NULL,
  PRIMARY KEY (did, deviceId)
) STRICT;
CREATE INDEX account_browser_device_idx ON account_browser (deviceId);

-- The account row is written after the actor row (create-account.ts), so the handle is there.
CREATE TRIGGER account_history_created AFTER INSERT ON account BEGIN
  INSERT INTO account_history (did, event, handle, email, at)
  VALUES (NEW.did, 'accountCreated', (SELECT handle FROM actor WHERE did = NEW.did), NEW.email, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER account_history_email AFTER UPDATE OF email ON account WHEN NEW.email IS NOT OLD.email BEGIN
  INSERT INTO account_history (did, event, email, at) VALUES (NEW.did, 'emailUpdated', NEW.email, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER account_history_email_confirmed AFTER UPDATE OF emailConfirmedAt ON account
WHEN NEW.emailConfirmedAt IS NOT NULL AND NEW.emailConfirmedAt IS NOT OLD.emailConfirmedAt BEGIN
  INSERT INTO account_history (did, event, email, at) VALUES (NEW.did, 'emailConfirmed', NEW.email, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER account_history_password AFTER UPDATE OF passwordScrypt ON account WHEN NEW.passwordScrypt IS NOT OLD.passwordScrypt BEGIN
  INSERT INTO account_history (did, event, at) VALUES (NEW.did, 'passwordUpdated', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER account_history_handle AFTER UPDATE OF handle ON actor WHEN NEW.handle IS NOT OLD.handle BEGIN
  INSERT INTO account_history (did, event, handle, at) VALUES (NEW.did, 'handleUpdated', NEW.handle, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER account_history_deactivation AFTER UPDATE OF deactivatedAt ON actor WHEN (NEW.deactivatedAt IS NULL) != (OLD.deactivatedAt IS NULL) BEGIN
  INSERT INTO account_history (did, event, at)
  VALUES (NEW.did, CASE WHEN NEW.deactivatedAt IS NULL THEN 'accountReactivated' ELSE 'accountDeactivated' END, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER account_history_takedown AFTER UPDATE OF takedownRef ON actor WHEN (NEW.takedownRef IS NULL) != (OLD.takedownRef IS NULL) BEGIN
  INSERT INTO account_history (did, event, detail, at)
  VALUES (NEW.did, CASE WHEN NEW.takedownRef IS NULL THEN 'takedownReversed' ELSE 'accountTakendown' END, COALESCE(NEW.takedownRef, OLD.takedownRef), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

CREATE TRIGGER account_history_deleted AFTER DELETE ON actor BEGIN
  UPDATE account_history SET email = NULL WHERE did = OLD.did;
  DELETE FROM account_ip WHERE did = OLD.did;
  DELETE FROM account_browser WHERE did = OLD.did;
  INSERT INTO account_history (did, event, handle, at) VALUES (OLD.did, 'accountDeleted', OLD.handle, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

-- Client addresses: password sessions (sign-up, sign-in, each refresh), account-app sessions, OAuth devices.
CREATE TRIGGER account_ip_refresh_token AFTER INSERT ON refresh_token WHEN NEW.ipAddress IS NOT NULL BEGIN
  INSERT INTO account_ip (did, ip, firstAt, lastAt) VALUES (NEW.did, NEW.ipAddress, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (did, ip) DO UPDATE SET lastAt = excluded.lastAt;
END;

CREATE TRIGGER account_ip_web_session AFTER INSERT ON web_session WHEN NEW.ipAddress IS NOT NULL BEGIN
  INSERT INTO account_ip (did, ip, firstAt, lastAt) VALUES (NEW.did, NEW.ipAddress, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (did, ip) DO UPDATE SET lastAt = excluded.lastAt;
END;

CREATE TRIGGER account_ip_web_session_moved AFTER UPDATE OF ipAddress ON web_session WHEN NEW.ipAddress IS NOT NULL AND NEW.ipAddress IS NOT OLD.ipAddress BEGIN
  INSERT INTO account_ip (did, ip, firstAt, lastAt) VALUES (NEW.did, NEW.ipAddress, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (did, ip) DO UPDATE SET lastAt = excluded.lastAt;
END;

CREATE TRIGGER account_ip_oauth_sign_in AFTER INSERT ON oauth_device_account BEGIN
  INSERT INTO account_browser (did, deviceId, firstAt, lastAt) VALUES (NEW.did, NEW.deviceId, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (did, deviceId) DO UPDATE SET lastAt = excluded.lastAt;
  INSERT INTO account_ip (did, ip, firstAt, lastAt)
  SELECT NEW.did, ipAddress, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM oauth_device WHERE id = NEW.deviceId
  ON CONFLICT (did, ip) DO UPDATE SET lastAt = excluded.lastAt;
END;

CREATE TRIGGER account_ip_oauth_device_moved AFTER UPDATE OF ipAddress ON oauth_device WHEN NEW.ipAddress IS NOT OLD.ipAddress BEGIN
  INSERT INTO account_ip (did, ip, firstAt, lastAt)
  SELECT did, NEW.ipAddress, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM oauth_device_account WHERE deviceId = NEW.id
  ON CONFLICT (did, ip) DO UPDATE SET lastAt = excluded.lastAt;
END;

-- What existing data directories already know: each account's creation and confirmation, the addresses
-- of its current sessions, the browsers it is signed in with.
INSERT INTO account_history (did, event, handle, email, at)
SELECT actor.did, 'accountCreated', actor.handle, account.email, actor.createdAt FROM actor JOIN account ON account.did = actor.did ORDER BY actor.createdAt;
INSERT INTO account_history (did, event, email, at)
SELECT did, 'emailConfirmed', email, emailConfirmedAt FROM account WHERE emailConfirmedAt IS NOT NULL ORDER BY emailConfirmedAt;
INSERT INTO account_ip (did, ip, firstAt, lastAt)
SELECT did, ip, MIN(at), MAX(at) FROM (
  SELECT did, ipAddress AS ip, COALESCE(createdAt, expiresAt) AS at FROM refresh_token WHERE ipAddress IS NOT NULL
  UNION ALL SELECT did, ipAddress, strftime('%Y-%m-%dT%H:%M:%fZ', createdAt / 1000.0, 'unixepoch') FROM web_session WHERE ipAddress IS NOT NULL
  UNION ALL SELECT a.did, d.ipAddress, strftime('%Y-%m-%dT%H:%M:%fZ', a.authenticatedAt / 1000.0, 'unixepoch') FROM oauth_device_account a JOIN oauth_device d ON d.id = a.deviceId
) WHERE true GROUP BY did, ip;
INSERT INTO account_browser (did, deviceId, firstAt, lastAt)
SELECT did, deviceId, strftime('%Y-%m-%dT%H:%M:%fZ', authenticatedAt / 1000.0, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%fZ', authenticatedAt / 1000.0, 'unixepoch') FROM oauth_device_account;
