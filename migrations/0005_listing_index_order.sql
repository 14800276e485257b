-- The listing index sorts newest first with NULLS LAST; an index in that exact order lets
-- PostgreSQL read the first page instead of sorting every published listing.
DROP INDEX catalogue_listings_status_published_idx;
CREATE INDEX catalogue_listings_status_published_idx
    ON catalogue_listings (status, published_at DESC NULLS LAST, id);
