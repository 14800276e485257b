-- Demand (issue 13, "Enquiries before offers"): enquiry threads on listings, their messages, the materials
-- sellers attach to listings and the confidentiality terms that release the confidential ones. Written by
-- the demand read model from the events alone (a material's bytes are in the material store, not here).
CREATE TABLE demand_enquiries (
    id                        uuid PRIMARY KEY,
    listing_id                uuid NOT NULL,
    patent_id                 uuid NOT NULL,
    seller_organisation_id    uuid NOT NULL,
    enquirer_organisation_id  uuid NOT NULL,
    kind                      text NOT NULL,          -- question | materials (of the first message)
    messages                  integer NOT NULL,       -- how many in the thread
    last_side                 text NOT NULL,          -- enquirer | seller: who wrote last
    read_by_enquirer          integer NOT NULL,       -- messages the enquirer has seen
    accepted_terms_sha256     text NOT NULL DEFAULT '',
    accepted_at               timestamptz,
    offer_ids                 uuid[] NOT NULL DEFAULT '{}',
    opened_at                 timestamptz NOT NULL,
    last_message_at           timestamptz NOT NULL,
    version                   integer NOT NULL
);
CREATE INDEX demand_enquiries_seller_idx ON demand_enquiries (seller_organisation_id, last_side, last_message_at);
CREATE INDEX demand_enquiries_enquirer_idx ON demand_enquiries (enquirer_organisation_id, last_message_at);
CREATE INDEX demand_enquiries_listing_idx ON demand_enquiries (listing_id);

CREATE TABLE demand_enquiry_messages (
    enquiry_id  uuid NOT NULL,
    n           integer NOT NULL,                      -- 1, 2, … in the thread
    message_id  uuid NOT NULL,
    side        text NOT NULL,                         -- enquirer | seller
    kind        text NOT NULL,                         -- question | materials
    text        text NOT NULL,
    author_id   uuid NOT NULL,
    written_at  timestamptz NOT NULL,
    PRIMARY KEY (enquiry_id, n)
);

CREATE TABLE demand_material_reads (
    enquiry_id  uuid NOT NULL,
    position    bigint NOT NULL,
    sha256      text NOT NULL,
    reader_id   uuid NOT NULL,
    read_at     timestamptz NOT NULL,
    PRIMARY KEY (enquiry_id, position)
);

CREATE TABLE demand_listing_materials (
    id                      uuid PRIMARY KEY,             -- the ListingMaterials record
    listing_id              uuid NOT NULL UNIQUE,
    seller_organisation_id  uuid NOT NULL,
    terms                   text NOT NULL,
    terms_sha256            text NOT NULL,
    updated_at              timestamptz NOT NULL,
    version                 integer NOT NULL
);

CREATE TABLE demand_materials (
    listing_id   uuid NOT NULL,
    sha256       text NOT NULL,
    name         text NOT NULL,
    media_type   text NOT NULL,
    size         bigint NOT NULL,
    access       text NOT NULL,                        -- public | confidential
    attached_by  uuid NOT NULL,
    attached_at  timestamptz NOT NULL,
    PRIMARY KEY (listing_id, sha256)
);
