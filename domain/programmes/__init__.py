"""Programmes: government levers run from the marketplace's own deal history (seed task 4 and 15).

Purchase subsidies for buyers, transfer rewards for sellers and innovation vouchers; the rules of
each programme are versioned values (``rules.py``) and every award is a pure, reproducible
calculation from the deal's facts and the rule version in force on the payment date.
"""
