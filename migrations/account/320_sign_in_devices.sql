-- Where each account has signed in from (issue 22: "a new sign-in" alerts). A device is a hash of the
-- IP address and user agent, not the values: the table says only whether a pair was seen before.
CREATE TABLE sign_in_device (
  did TEXT NOT NULL,
  deviceHash TEXT NOT NULL,
  firstAt TEXT NOT NULL,
  lastAt TEXT NOT NULL,
  PRIMARY KEY (did, deviceHash)
) STRICT;
