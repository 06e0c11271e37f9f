-- The owning user's name (Salesforce `Owner.Name`), and an index for the dashboard's
-- breakdowns by industry, type and country (live customers only).
ALTER TABLE customers ADD COLUMN owner_name TEXT;
CREATE INDEX customers_live_facets ON customers (is_deleted, industry, account_type, billing_country);
