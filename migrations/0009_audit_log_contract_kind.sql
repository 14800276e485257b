-- The audit log files every contract event under the aggregate type 'Contract' (its creation
-- event is defined on TransferContract or LicenceContract): rows written before follow suit, so
-- that the live table equals a rebuild.
UPDATE audit_log_events SET aggregate_type = 'Contract'
WHERE aggregate_type IN ('TransferContract', 'LicenceContract');
