-- When the operator suspended an organization (issue #21): while set, its keys and its gateways' model calls are
-- refused; null when it is not suspended.
ALTER TABLE organizations ADD COLUMN suspended_at TIMESTAMP WITH TIME ZONE;
