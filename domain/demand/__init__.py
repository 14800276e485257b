"""Demand: what buyers ask before they offer (咨询 / 索取资料) and the materials sellers release to them.

An enterprise's enquiry on a listing is a thread between its organisation and the seller's (``Enquiry``);
the seller's materials on a listing, public or released only to enquirers who accepted the listing's
confidentiality terms, are ``ListingMaterials``. Stored under this package's own module names.
"""
