-- Which #atproto_label key made each label's signature (its did:key), so that after a key rotation
-- (`pds moderation rotate-label-key`) labels signed with an earlier key are signed again with the current
-- one when they are next served, as Ozone does with its signingKeyId. NULL: signed before the first
-- rotation (the rotation names that key on them before switching).
ALTER TABLE label ADD COLUMN signingKey TEXT;
