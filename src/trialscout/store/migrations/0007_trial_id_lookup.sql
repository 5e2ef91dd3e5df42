-- Case-insensitive trial ID lookups ("nct04163237") without a table scan.
CREATE INDEX trials_upper_id ON trials (upper(trial_id));
