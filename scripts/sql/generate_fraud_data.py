#!/usr/bin/env python3
"""Writes the fraud example's data as CSV files (standard library only, fixed seed: the same
files on every machine).

    scripts/sql/generate_fraud_data.py OUT_DIR [--users 2000] [--days 182] [--seed 7]

Tables (loaded by scripts/sql/seed-features.sql):
  users.csv                  events.users: who signed up when (immutable facts)
  transactions.csv           events.transactions: card payments with the label is_fraud and the
                             time the label became known (chargeback_reported_at)
  user_demographics.csv      features.user_demographics: profile rows, a new row whenever the
                             profile changes (email/phone verified, KYC level, country)
  user_purchase_summary.csv  features.user_purchase_summary: a daily snapshot per active user,
                             stamped at 00:00 UTC of the next day
  product_details.csv        features.product_details: price changes and weekly merchant risk

Leakage rule: every feature row is stamped with the moment its values were known. A snapshot
stamped T summarises only transactions before T and chargebacks *reported* before T. A fraud's
chargeback is reported 2-45 days after the payment, so no feature row at or before a payment
can count that payment's own label; a join that ignores time (the latest row) would.
"""
import argparse
import csv
import math
import os
import random
from bisect import bisect_left
from datetime import datetime, timedelta, timezone

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
CATEGORIES = {  # name: (price range, fraud log-odds bump, share of catalogue)
    "gift_cards": ((10, 200), 1.6, 0.06),
    "electronics": ((40, 1500), 1.1, 0.18),
    "travel": ((80, 900), 0.6, 0.08),
    "fashion": ((15, 300), 0.1, 0.22),
    "home": ((10, 600), -0.2, 0.2),
    "grocery": ((3, 120), -1.0, 0.26),
}
COUNTRIES = ["US", "US", "US", "GB", "DE", "FR", "ES", "NL", "BR", "IN", "NG", "PH"]
CHANNELS = ["app", "web", "pos"]


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S+00")


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--users", type=int, default=2500)
    ap.add_argument("--products", type=int, default=300)
    ap.add_argument("--merchants", type=int, default=60)
    ap.add_argument("--days", type=int, default=182)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    end = START + timedelta(days=args.days)

    # Merchants and products. A merchant's hidden risk drives fraud on its products.
    merchant_risk = [rng.betavariate(1.2, 6) for _ in range(args.merchants)]
    names = list(CATEGORIES)
    weights = [CATEGORIES[c][2] for c in names]
    products = []  # (product_id, category, merchant, base price)
    for pid in range(1, args.products + 1):
        category = rng.choices(names, weights)[0]
        low, high = CATEGORIES[category][0]
        products.append((pid, category, rng.randrange(args.merchants), round(math.exp(rng.uniform(math.log(low), math.log(high))), 2)))

    # Users: sign-up spread over the year before and during the period; a latent risk; some
    # accounts get taken over for a few days (bursts of fraud).
    users = []
    for uid in range(1, args.users + 1):
        signup = START - timedelta(days=365) + timedelta(seconds=rng.uniform(0, (365 + args.days - 20) * 86400))
        users.append({
            "id": uid, "signup": signup, "age": max(18, min(85, int(rng.gauss(38, 12)))),
            "country": rng.choice(COUNTRIES), "risk": rng.gauss(0, 0.6),
            "activity": math.exp(rng.gauss(0, 0.7)), "typical": math.exp(rng.gauss(math.log(60), 0.6)),
            "takeover": (START + timedelta(seconds=rng.uniform(0, args.days * 86400)), rng.uniform(1, 5))
            if rng.random() < 0.05 else None,
        })

    # Profile changes over time, each a new user_demographics row.
    demographics = []
    profile_at = {}  # uid -> list of (time, phone_verified, kyc_level)
    for u in users:
        state = {"email_verified": False, "phone_verified": False, "kyc_level": 0, "country": u["country"]}
        changes = [(u["signup"], {})]
        if rng.random() < 0.92:
            changes.append((u["signup"] + timedelta(hours=rng.uniform(0.05, 72)), {"email_verified": True}))
        if rng.random() < 0.65:
            changes.append((u["signup"] + timedelta(days=rng.expovariate(1 / 20)), {"phone_verified": True}))
        if rng.random() < 0.5:
            changes.append((u["signup"] + timedelta(days=rng.uniform(5, 120)), {"kyc_level": 1}))
            if rng.random() < 0.4:
                changes.append((u["signup"] + timedelta(days=rng.uniform(121, 300)), {"kyc_level": 2}))
        if rng.random() < 0.05:
            changes.append((u["signup"] + timedelta(days=rng.uniform(30, 400)), {"country": rng.choice(COUNTRIES)}))
        changes.sort(key=lambda c: c[0])
        timeline = []
        for t, change in changes:
            if t >= end:
                break
            state.update(change)
            if demographics and demographics[-1][0] == u["id"] and demographics[-1][1] == iso(t):
                demographics.pop()  # two changes in the same second: one row with both
            demographics.append((u["id"], iso(t), u["age"], state["country"], state["email_verified"],
                                 state["phone_verified"], state["kyc_level"]))
            timeline.append((t, state["phone_verified"], state["kyc_level"]))
        profile_at[u["id"]] = timeline

    def profile(uid: int, t: datetime):
        timeline = profile_at[uid]
        times = [x[0] for x in timeline]
        i = bisect_left(times, t, hi=len(times)) - 1
        return timeline[max(i, 0)]

    # Prices change now and then; each change is a product_details row.
    price_changes = {}  # pid -> [(time, price)]
    for pid, _, _, base in products:
        t = START - timedelta(days=30)
        price = base
        history = [(t, price)]
        while True:
            t += timedelta(days=rng.uniform(10, 60))
            if t >= end:
                break
            price = round(max(1.0, price * math.exp(rng.gauss(0, 0.12))), 2)
            history.append((t, price))
        price_changes[pid] = history

    def price_at(pid: int, t: datetime) -> float:
        history = price_changes[pid]
        i = bisect_left([h[0] for h in history], t) - 1
        return history[max(i, 0)][1]

    # Transactions.
    transactions = []
    tid = 0
    risky_products = [p for p in products if p[1] in ("gift_cards", "electronics")]
    for u in users:
        first = max(START, u["signup"])
        span = (end - first).total_seconds()
        if span <= 0:
            continue
        n = int(rng.expovariate(1) * 12 * u["activity"] * span / (args.days * 86400)) + 1
        times = sorted(first + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
        kinds = [False] * len(times)
        if u["takeover"] and u["takeover"][0] >= first:
            t0, days = u["takeover"]
            for _ in range(rng.randint(3, 9)):
                t = t0 + timedelta(seconds=rng.uniform(0, days * 86400))
                if t < end:
                    times.append(t)
                    kinds.append(True)
        for t, takeover in sorted(zip(times, kinds), key=lambda x: x[0]):
            tid += 1
            product = rng.choice(risky_products) if takeover else rng.choice(products)
            pid, category, merchant, _ = product
            price = price_at(pid, t)
            quantity = 1 if takeover or category in ("travel", "electronics") else rng.choice([1, 1, 1, 2, 3])
            amount = round(price * quantity * rng.uniform(0.95, 1.05), 2)
            channel = "web" if takeover and rng.random() < 0.8 else rng.choice(CHANNELS)
            if takeover:  # takeovers happen at night
                night = t.replace(hour=rng.choice([0, 1, 2, 3, 4, 23]))
                t = night if first <= night < end else t
            _, phone_verified, kyc = profile(u["id"], t)
            account_days = (t - u["signup"]).total_seconds() / 86400
            logit = (-5.6 + u["risk"] + CATEGORIES[category][1] + 3.5 * merchant_risk[merchant]
                     + 0.9 * (amount > 3 * u["typical"]) + 0.7 * (t.hour < 5) + 0.8 * (not phone_verified)
                     - 0.4 * kyc + 1.1 * (account_days < 14) + 0.4 * (channel == "web") + 4.5 * takeover)
            fraud = rng.random() < sigmoid(logit)
            reported = t + timedelta(days=rng.uniform(2, 45)) if fraud else None
            transactions.append([tid, u["id"], pid, t, amount, channel, int(fraud), reported])

    # Ids in time order, as a payments system would hand them out.
    transactions.sort(key=lambda r: (r[3], r[0]))
    for i, row in enumerate(transactions):
        row[0] = i + 1

    # Daily purchase snapshots: at 00:00 of day D, each user with a payment in the previous 30
    # days or a chargeback reported in the previous 90.
    by_user = {}
    for row in transactions:
        by_user.setdefault(row[1], []).append(row)
    summaries = []
    for uid, rows in by_user.items():
        times = [r[3] for r in rows]
        reports = sorted(r[7] for r in rows if r[7] is not None)
        first_day = (times[0] - START).days + 1
        for day in range(max(first_day, 0), args.days + 1):
            at = START + timedelta(days=day)
            lo30 = bisect_left(times, at - timedelta(days=30))
            hi = bisect_left(times, at)
            cb_lo = bisect_left(reports, at - timedelta(days=90))
            cb_hi = bisect_left(reports, at)
            if hi == lo30 and cb_hi == cb_lo:
                continue
            window30 = rows[lo30:hi]
            lo7 = bisect_left(times, at - timedelta(days=7))
            window7 = rows[lo7:hi]
            amount30 = sum(r[4] for r in window30)
            last = times[hi - 1] if hi > 0 else None
            summaries.append((uid, iso(at), len(window7), round(sum(r[4] for r in window7), 2), len(window30),
                              round(amount30 / len(window30), 2) if window30 else "",
                              len({r[2] for r in window30}), cb_hi - cb_lo,
                              round((at - last).total_seconds() / 86400, 3) if last else ""))

    # Product rows: every price change, plus a weekly merchant risk score from chargebacks
    # reported before the update (never later ones).
    reports_by_merchant = {}
    for row in transactions:
        if row[7] is not None:
            reports_by_merchant.setdefault(products[row[2] - 1][2], []).append(row[7])
    sales_by_merchant = {}
    for row in transactions:
        sales_by_merchant.setdefault(products[row[2] - 1][2], []).append(row[3])
    for m in reports_by_merchant:
        reports_by_merchant[m].sort()
    for m in sales_by_merchant:
        sales_by_merchant[m].sort()

    def merchant_score(m: int, at: datetime) -> float:
        reported = bisect_left(reports_by_merchant.get(m, []), at) - bisect_left(reports_by_merchant.get(m, []), at - timedelta(days=90))
        sold = bisect_left(sales_by_merchant.get(m, []), at) - bisect_left(sales_by_merchant.get(m, []), at - timedelta(days=90))
        return round((reported + 0.5) / (sold + 25), 4)  # smoothed chargeback rate

    product_rows = []
    for pid, category, merchant, _ in products:
        stamps = {t for t, _ in price_changes[pid]}
        week = START - timedelta(days=28)
        while week < end:
            stamps.add(week)
            week += timedelta(days=7)
        for t in sorted(stamps):
            product_rows.append((pid, iso(t), category, f"m{merchant:03d}", price_at(pid, t + timedelta(microseconds=1)),
                                 merchant_score(merchant, t)))

    def write(name, header, rows):
        with open(os.path.join(args.out, name), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    write("users.csv", ["user_id", "signed_up_at", "home_country"], ((u["id"], iso(u["signup"]), u["country"]) for u in users))
    write("transactions.csv", ["transaction_id", "user_id", "product_id", "event_timestamp", "amount", "channel", "is_fraud",
                               "chargeback_reported_at"],
          ([r[0], r[1], r[2], iso(r[3]), f"{r[4]:.2f}", r[5], r[6], iso(r[7]) if r[7] else ""] for r in transactions))
    write("user_demographics.csv", ["user_id", "event_timestamp", "age", "country", "email_verified", "phone_verified", "kyc_level"],
          demographics)
    write("user_purchase_summary.csv", ["user_id", "event_timestamp", "txn_count_7d", "amount_sum_7d", "txn_count_30d",
                                        "avg_amount_30d", "distinct_products_30d", "chargebacks_90d", "days_since_last_txn"],
          summaries)
    write("product_details.csv", ["product_id", "event_timestamp", "category", "merchant_id", "price", "merchant_risk_score"],
          product_rows)
    frauds = sum(r[6] for r in transactions)
    print(f"{len(users)} users, {len(products)} products, {len(transactions)} transactions ({frauds} fraud, "
          f"{100 * frauds / max(1, len(transactions)):.1f}%), {len(demographics)} profile rows, {len(summaries)} purchase "
          f"snapshots, {len(product_rows)} product rows -> {args.out}")


if __name__ == "__main__":
    main()
