"""Auctions (拍卖): sessions of lots, bidders' deposits, timed ascending bids and the hammer."""
