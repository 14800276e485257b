-- Facet counts of the listing index, kept by the catalogue projection as each listing changes,
-- so that the unfiltered index does not count 100,000 rows per request.
CREATE TABLE catalogue_listing_facets (
    status      text NOT NULL,
    facet       text NOT NULL,
    value       text NOT NULL,
    listings    integer NOT NULL,
    PRIMARY KEY (status, facet, value)
);
