"""The auction pages' labels and refusals (zh/en); the app factory passes them to the site's vocabulary."""

from __future__ import annotations

from web.auctions.admin_labels import ADMIN_LABELS

LABELS: dict[str, tuple[str, str]] = {
    "nav.auctions": ("拍卖", "Auctions"),
    "auction.title": ("专利拍卖会", "Patent auctions"),
    "auction.help": (
        "平台组织的专利拍卖会：经权利人同意的挂牌作为拍品，登记的竞买人交纳保证金后出价，价高者得（须达到保留价）。",
        "Patent auction sessions run by the platform: listings whose owners agreed are the lots; registered bidders "
        "bid once their deposit is received; the highest bid at or above the reserve wins.",
    ),
    "auction.none": ("暂无拍卖会。", "No auction session yet."),
    "auction.session": ("拍卖会", "Session"),
    "auction.rules": (
        "竞买规则：首次出价不低于起拍价，每次加价为加价幅度的整数倍；不能超越自己的最高出价；以服务器时间为准；"
        "结束前 5 分钟内有出价的，结束时间顺延 5 分钟；达到保留价的最高出价成交，成交人的保证金抵作价款，"
        "其他竞买人的保证金在结束时立即退还。",
        "Rules: the first bid is at least the starting price and every raise a whole multiple of the increment; "
        "a bidder cannot outbid itself; the server's clock rules; a bid in the last 5 minutes extends the end by "
        "5 minutes; the highest bid at or above the reserve wins, the winner's deposit counts towards the price and "
        "every other deposit is refunded at the close.",
    ),
    "auction.deposit_rate": ("保证金比例（起拍价的）", "Deposit (share of the starting price)"),
    "auction.your_number": ("竞买号", "Your bidder number"),
    "auction.accept_rules": ("我已阅读并接受竞买规则", "I have read and accept the rules"),
    "auction.register": ("登记竞买", "Register to bid"),
    "auction.login_to_bid": ("登录后登记竞买", "Log in to register"),
    "auction.register_first": ("请先在拍卖会页面登记竞买", "Register for the session first"),
    "auction.lots": ("拍品", "Lots"),
    "auction.figure.lots": ("拍品数", "Lots"),
    "auction.figure.sold": ("成交 / 已结束", "Sold / closed"),
    "auction.figure.sell_through": ("成交率", "Sell-through rate"),
    "auction.figure.premium": ("成交价高于起拍价", "Premium over the starting prices"),
    "auction.lot": ("拍品", "Lot"),
    "auction.listing": ("挂牌 / 权利人", "Listing / owner"),
    "auction.kind": ("交易方式", "Deal"),
    "auction.kind.assignment": ("转让", "Assignment"),
    "auction.kind.exclusive_licence": ("独占许可", "Exclusive licence"),
    "auction.start_price": ("起拍价", "Starting price"),
    "auction.increment": ("加价幅度", "Increment"),
    "auction.reserve": ("保留价", "Reserve"),
    "auction.reserve_hidden": ("不公开", "Not shown"),
    "auction.reserve_met": ("已达保留价", "Reserve met"),
    "auction.deposit": ("保证金", "Deposit"),
    "auction.opens_at": ("开始时间", "Opens"),
    "auction.closes_at": ("结束时间", "Closes"),
    "auction.countdown": ("剩余时间", "Time left"),
    "auction.ended": ("已结束", "Ended"),
    "auction.live": ("实时状态", "Live state"),
    "auction.status": ("状态", "Status"),
    "auction.status.proposed": ("待权利人同意", "Awaiting the owner's consent"),
    "auction.status.ready": ("竞价中 / 待开始", "Open for bids"),
    "auction.status.sold": ("已成交", "Sold"),
    "auction.status.unsold": ("流拍", "Not sold"),
    "auction.current_price": ("当前价", "Current price"),
    "auction.leader": ("领先竞买号", "Leading bidder"),
    "auction.bids": ("出价次数", "Bids"),
    "auction.yes": ("是", "Yes"),
    "auction.no": ("否", "No"),
    "auction.soft_close": (
        "结束前 5 分钟内出价，结束时间顺延 5 分钟。", "A bid in the last 5 minutes extends the end by 5 minutes.",
    ),
    "auction.result": ("拍卖结果", "Result"),
    "auction.outcome.sold": ("成交", "Sold"),
    "auction.outcome.reserve_not_met": ("未达保留价，流拍", "Reserve not met: not sold"),
    "auction.outcome.no_bids": ("无人出价，流拍", "No bids: not sold"),
    "auction.outcome.not_contracted": ("无法订立合同，流拍", "No contract could be drafted: not sold"),
    "auction.contract": ("成交合同", "The contract"),
    "auction.bid_log": ("出价记录", "Bid log"),
    "auction.bidder": ("竞买人", "Bidder"),
    "auction.amount": ("出价", "Amount"),
    "auction.at": ("时间（北京时间）", "Time (Beijing)"),
    "auction.consent_help": (
        "同意以上述条件拍卖本挂牌（成交后按通常流程签订合同）。",
        "Agree to auction this listing on these terms (a sale is followed by the usual contract).",
    ),
    "auction.consent": ("同意拍卖", "Consent to the lot"),
    "auction.deposit_help": ("出价前须交纳保证金（银行转账，注明参考号）。", "Pay the deposit before bidding "
                             "(bank transfer quoting the reference)."),
    "auction.reference": ("参考号", "Reference"),
    "auction.pay_deposit": ("交纳保证金", "Pay the deposit"),
    "auction.deposit.pending": ("保证金待到账", "Deposit awaited"),
    "auction.deposit.received": ("保证金已到账", "Deposit received"),
    "auction.deposit.refunded": ("保证金已退还", "Deposit refunded"),
    "auction.deposit.applied": ("保证金已抵作价款", "Deposit applied to the price"),
    "auction.amount_yuan": ("出价（元）", "Your bid (yuan)"),
    "auction.place_bid": ("出价", "Bid"),
    "auction.done.registered": ("已登记竞买。", "You are registered to bid."),
    "auction.done.bid": ("出价已被接受。", "Your bid was accepted."),
    "auction.done.consented": ("已同意拍卖。", "You consented to the lot."),
    "auction.done.proxy": ("已设置代理出价上限。", "Your proxy maximum is set."),
    "auction.proxy_yuan": ("代理出价上限（元）", "Proxy maximum (yuan)"),
    "auction.proxy_help": (
        "系统在上限内以最小加价代您应价；上限不公开。",
        "The system answers other bids for you by the smallest raise, up to this maximum; nobody else sees it.",
    ),
    "auction.set_proxy": ("设置代理出价", "Set a proxy bid"),
    "audit.type.AuctionSession": ("拍卖会", "Auction session"),
    "audit.type.Lot": ("拍品", "Auction lot"),
    "refusal.field.maximum": ("代理出价上限", "Proxy maximum"),
}

LABELS.update(ADMIN_LABELS)
