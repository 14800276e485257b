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
    "auction.receipt_missing": ("本设备上没有与您提交的承诺值相符的回执：开标时请选择您保存的回执文件。",
                                "No receipt on this device matches the commitment you made: choose the receipt file "
                                "you kept to reveal."),
    "auction.receipt_wrong": ("该回执与您提交的承诺值不符，请选择正确的回执文件。",
                              "This receipt is not the one you committed: choose the right receipt file."),
    "auction.status.declined": ("权利人已拒绝", "Declined by the owner"),
    "auction.phase.declined": ("权利人已拒绝", "Declined by the owner"),
    "auction.decline": ("拒绝拍卖", "Decline the lot"),
    "auction.decline_reason": ("拒绝理由", "Why you decline"),
    "auction.decline_help": ("如不同意拍卖此挂牌，请说明理由；拍卖会组织者会收到通知，拍品不再开放同意或竞买。",
                             "If you do not agree to this auction, say why: the session's runner is told, and the "
                             "lot can no longer be consented to or bid on."),
    "auction.done.declined": ("已拒绝拍卖，组织者已收到通知。", "You declined the lot; the runner is told."),
    "auction.settle_days": ("买受人签约付款期限（天）", "Winner's term to sign and pay (days)"),
    "auction.settle_days_help": ("成交日（北京时间）后的天数，逾期未签约付款的，保证金不予退还。",
                                 "Beijing days after the close; a winner who has not signed and paid by then forfeits "
                                 "its deposit."),
    "auction.status.ready": ("竞价中 / 待开始", "Open for bids"),
    "auction.status.sold": ("已成交", "Sold"),
    "auction.status.unsold": ("流拍", "Not sold"),
    "auction.status.forfeited": ("买受人悔拍", "Winner forfeited"),
    "auction.status.seller_default": ("出卖方违约，未成交", "Seller defaulted: not sold"),
    "auction.status.unwound": ("悔拍已撤销：买受人按期付款，未成交",
                               "Forfeit undone: the winner paid in time; not sold"),
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
    "auction.outcome.forfeited": (
        "买受人未在期限内签约付款，保证金不予退还；挂牌重新开放交易",
        "The winner did not sign and pay in time: its deposit is forfeited and the listing is open again",
    ),
    "auction.outcome.seller_default": (
        "出卖方未在期限内签约（或共有人未同意、或合同被出卖方终止），买受人保证金全额退还；未成交",
        "The seller's side did not sign in time (or a co-owner did not consent, or the seller ended the contract): "
        "the winner's deposit is refunded in full; not sold",
    ),
    "auction.outcome.unwound": (
        "买受人在期限内已付款，但款项在悔拍处理后才到达平台：悔拍撤销，价款与保证金全额退还；未成交",
        "The winner paid within its term but the payment reached the platform after the forfeit: the forfeit is "
        "undone, the payment and the deposit are refunded in full; not sold",
    ),
    "auction.settle_by": ("买受人签约付款截止（北京时间）", "Winner signs and pays by (Beijing)"),
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
    "auction.pay_deposit_card": ("银行卡交纳保证金", "Pay the deposit by card"),
    "auction.pay_deposit_transfer": ("银行转账交纳保证金", "Pay the deposit by bank transfer"),
    "auction.deposit_card": ("银行卡交纳保证金", "Deposit by card"),
    "auction.deposit_card_help": ("银行卡付款由 Stripe 确认后保证金即到账。", "The deposit is received once Stripe "
                                  "confirms the card payment."),
    "auction.deposit.pending": ("保证金待到账", "Deposit awaited"),
    "auction.deposit.received": ("保证金已到账", "Deposit received"),
    "auction.deposit.refunded": ("保证金已退还", "Deposit refunded"),
    "auction.deposit.applied": ("保证金已抵作价款", "Deposit applied to the price"),
    "auction.deposit.forfeited": ("保证金不予退还", "Deposit forfeited"),
    "auction.deposit.refund_owed": ("保证金待退还（支付渠道退款未成功，平台将重试）",
                                    "Deposit refund owed (the payment provider refused it; the platform retries)"),
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
    # --- sealed-bid lots (密封报价, 开标) ---
    "auction.format": ("竞价方式", "Format"),
    "auction.format.timed": ("网络竞价（公开增价）", "Timed ascending bids"),
    "auction.format.sealed_first_price": ("密封报价（最高价者按自己的报价成交）",
                                          "Sealed bids, first price (the winner pays its own bid)"),
    "auction.format.sealed_second_price": ("密封报价（最高价者按第二高报价成交）",
                                           "Sealed bids, second price (the winner pays the second bid)"),
    "auction.sealed_rules": (
        "密封报价：报价截止前只提交报价与随机盐的 SHA-256 承诺值（在您的浏览器中计算，平台看不到金额）；"
        "截止后在开标期内公开金额与随机盐，平台核对承诺值。开标期结束仍未公开的，保证金不予退还。不低于起拍价的报价有效；最高有效报价"
        "达到保留价的成交，同价时先提交承诺者优先；第一价格：按自己的报价成交；第二价格：按第二高有效报价、保留价、"
        "起拍价中最高者成交。未成交的竞买人保证金在结束时立即退还。",
        "Sealed bids: before the commit deadline you send only the SHA-256 commitment of your amount and a random "
        "salt (computed in your browser: nobody, the platform included, sees the amount); after it, in the reveal "
        "window, you reveal amount and salt and the platform checks them against the commitment. A commitment not "
        "revealed by the end of the reveal window forfeits the deposit. Bids at least the starting price are valid; "
        "the highest valid bid at or above the reserve wins, ties to the earlier commitment; first price: the "
        "winner pays its own bid; second price: the highest of the second valid bid, the reserve and the starting "
        "price. Other bidders' deposits are refunded at the close.",
    ),
    "auction.phase": ("阶段", "Phase"),
    "auction.phase.proposed": ("待权利人同意", "Awaiting the owner's consent"),
    "auction.phase.upcoming": ("未开始", "Not open yet"),
    "auction.phase.bidding": ("竞价中", "Bidding"),
    "auction.phase.commit": ("报价期（提交承诺值）", "Commit: sealed bids taken"),
    "auction.phase.reveal": ("开标期（公开报价）", "Reveal: open your sealed bid"),
    "auction.phase.closing": ("待结束", "Ended: closing"),
    "auction.phase.closed": ("已结束", "Closed"),
    "auction.commit_deadline": ("报价截止", "Commit deadline"),
    "auction.reveal_closes_at": ("开标截止", "Reveal window ends"),
    "auction.commitments": ("已提交密封报价", "Sealed bids committed"),
    "auction.reveals": ("已开标", "Revealed"),
    "auction.sealed_amount_yuan": ("密封报价（元，不会发送给平台）",
                                   "Your sealed bid (yuan; not sent to the platform)"),
    "auction.commit_help": (
        "点击后浏览器生成随机盐、计算承诺值并下载一份回执（金额与随机盐），只把承诺值发送给平台。"
        "请保存回执：开标时需要它。",
        "Your browser draws a random salt, computes the commitment and downloads a receipt (amount and salt); only "
        "the commitment is sent. Keep the receipt: you need it to reveal.",
    ),
    "auction.commit": ("提交密封报价", "Commit my sealed bid"),
    "auction.needs_script": ("提交密封报价需要启用 JavaScript（承诺值在浏览器中计算）。",
                             "Committing needs JavaScript: the commitment is computed in your browser."),
    "auction.committed_at": ("您已提交承诺值", "You committed"),
    "auction.receipt": ("下载回执（金额与随机盐）", "Download the receipt (amount and salt)"),
    "auction.receipt_file": ("从回执文件读取", "Read from the receipt file"),
    "auction.salt": ("随机盐", "Salt"),
    "auction.reveal": ("开标：公开我的报价", "Reveal my bid"),
    "auction.reveal_help": ("请在开标截止前公开，否则保证金不予退还。",
                            "Reveal before the window ends, or the deposit is forfeited."),
    "auction.revealed": ("您的报价已公开", "Your bid is revealed"),
    "auction.no_commitment": ("您未提交密封报价。", "You committed no sealed bid."),
    "auction.forfeited": ("未开标，保证金不予退还", "Not revealed: deposit forfeited"),
    "auction.commitment": ("承诺值 (SHA-256)", "Commitment (SHA-256)"),
    "auction.revealed_at": ("开标时间（北京时间）", "Revealed (Beijing)"),
    "auction.done.committed": ("密封报价已提交。请保存回执，开标期内公开。",
                               "Your sealed bid is committed. Keep the receipt and reveal in the reveal window."),
    "auction.done.revealed": ("报价已公开并通过核对。", "Your bid is revealed and matches its commitment."),
    "auction.check_yourself": (
        "任何人都可核对：SHA-256(\"sealed-bid:v1:拍品编号:竞买号:金额(分):随机盐\") 应等于承诺值。",
        "Anyone can check: SHA-256(\"sealed-bid:v1:<lot id>:<bidder number>:<amount in fen>:<salt>\") is the "
        "commitment.",
    ),
    "audit.type.AuctionSession": ("拍卖会", "Auction session"),
    "audit.type.Lot": ("拍品", "Auction lot"),
    "audit.type.DepositPayment": ("保证金银行卡支付", "Card deposit payment"),
    "refusal.field.maximum": ("代理出价上限", "Proxy maximum"),
}

LABELS.update(ADMIN_LABELS)
