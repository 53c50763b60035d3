-- Each record's representation, rendered in the transaction that writes it, so a read is one
-- indexed lookup and a list one query returning the page's documents. The link tables stay
-- the source for filtering. NULL until rendered: the service renders missing documents from
-- the tables when it starts (existing databases), and reads render a missing one on the fly.
ALTER TABLE countries ADD COLUMN doc TEXT;
ALTER TABLE coalitions ADD COLUMN doc TEXT;
ALTER TABLE organisations ADD COLUMN doc TEXT;
ALTER TABLE memberships ADD COLUMN doc TEXT;
ALTER TABLE initiatives ADD COLUMN doc TEXT;
ALTER TABLE trainings ADD COLUMN doc TEXT;
-- Finding records without a document at start stays an index lookup at any size.
CREATE INDEX countries_undocumented ON countries (code) WHERE doc IS NULL;
CREATE INDEX coalitions_undocumented ON coalitions (id) WHERE doc IS NULL;
CREATE INDEX organisations_undocumented ON organisations (id) WHERE doc IS NULL;
CREATE INDEX memberships_undocumented ON memberships (id) WHERE doc IS NULL;
CREATE INDEX initiatives_undocumented ON initiatives (id) WHERE doc IS NULL;
CREATE INDEX trainings_undocumented ON trainings (id) WHERE doc IS NULL;
