// ordex against its peers on ZEN's three commerce decision graphs: each
// port (tests/peers/zen/) must answer like @gorules/zen-engine on at least
// 1,000 seeded inputs; then evaluations per second of ordex (npm package),
// zen-engine and, for the fraud table, json-rules-engine, in this process.
// Speeds are measured in rounds, the engines taking turns within a round
// (the order alternating), and reported as medians with the spread of the
// per-round ratios, so a busy moment shows as spread, not as a result.
//   node tests/js/peers.mjs [--inputs 1500] [--seconds 2] [--rounds 5] [--output docs/peers.md]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ZenEngine } from "@gorules/zen-engine";
import { Engine as RulesEngine } from "json-rules-engine";
import { Engine } from "../../wasm/js/pkg/node.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const N = Number(arg("inputs", "1500"));
const seconds = Number(arg("seconds", "2"));
const rounds = Math.max(1, Number(arg("rounds", "5")));
const output = arg("output", null);
const ordexBin = join(root, "target", process.env.ORDEX_PROFILE ?? "debug", "ordex");
const NOW = "2026-11-27T10:00:00Z";
// The ZEN graphs are third-party data, read from the shared data directory
// beside the repository (ORDEX_SHARED overrides it), never copied in.
const zenDir = join(process.env.ORDEX_SHARED ?? join(root, "..", "shared"), "data", "peers", "zen");
if (!existsSync(zenDir)) {
  console.log(`SKIPPED: the ZEN graphs are not at ${zenDir} (set ORDEX_SHARED to the shared data directory)`);
  process.exit(0);
}

// mulberry32: a small seeded PRNG, so every run checks the same inputs.
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const money = (r, max) => Math.round(r() * max * 100) / 100;
// Three or four decimal places (unit prices, exchange-rate amounts), where
// binary floats and exact decimals part ways.
const fine = (r, max) => { const k = pick(r, [1000, 10000]); return Math.round(r() * max * k) / k; };
const maybe = (r, p, v) => (r() < p ? undefined : v);

const generators = {
  fraud(r) {
    const avg = pick(r, [100, 350, 99.5, 1000, 42.42, 33.333, 12.3456]);
    const amount = pick(r, [money(r, 6000), avg * 2, avg * 3, avg * 4, avg * 3 + 0.01, avg * 4 + 1, 0]);
    const home = pick(r, ["USA", "UK", "Germany"]);
    return {
      transaction: {
        id: `tx-${Math.floor(r() * 1e6)}`,
        amount: maybe(r, 0.03, amount),
        location: maybe(r, 0.05, pick(r, ["USA", "Canada", "UK", "Germany", "France", "Japan", home])),
        time: `${String(Math.floor(r() * 24)).padStart(2, "0")}:${String(Math.floor(r() * 60)).padStart(2, "0")}`,
        recentCount: maybe(r, 0.1, Math.floor(r() * 9)),
        merchantCategory: pick(r, ["Electronics", "Groceries", "Travel"]),
        date: "2026-11-27",
      },
      userProfile: {
        id: `user-${Math.floor(r() * 1e4)}`,
        homeCountry: home,
        frequentCountries: pick(r, [["Canada", "UK"], [], ["France"]]),
        averageTransactionAmount: avg,
        maxTransactionAmount: avg * 2,
        usualMerchantCategories: ["Groceries"],
        usualTransactionTimeRange: ["08:00", "21:00"],
      },
    };
  },
  returns(r) {
    return {
      orderInfo: { orderId: `ORD-${Math.floor(r() * 1e5)}`, purchaseDate: "2026-10-15" },
      returnReason: pick(r, ["damaged", "defective", "wrong_item", "changed_mind", "damaged_in_transit", "not_as_described"]),
      daysSincePurchase: pick(r, [0, 5, 29, 30, 31, 45, 60, 61, 90, Math.floor(r() * 120)]),
      originalPrice: pick(r, [money(r, 2000), fine(r, 2000), fine(r, 50), 89.99, 19.95, 0.01, 1000]),
      itemCondition: pick(r, ["new", "like_new", "used", "refurbished", "damaged"]),
      sellerPolicy: {
        returnsAllowed: maybe(r, 0.05, r() < 0.8),
        returnWindow: 30,
        restockingFeePercent: pick(r, [0, 10, 15, 20, 12.5, 33, 7.125, 2.5625]),
        freeReturnShipping: r() < 0.5,
      },
      buyerInfo: { id: "USR-1", returnHistory: { totalReturns: Math.floor(r() * 5), recentDisputes: 0 } },
      productDetails: { category: pick(r, ["electronics", "apparel"]), isWarrantyActive: r() < 0.5 },
    };
  },
  payment(r) {
    return {
      payment: {
        id: `pmt_${Math.floor(r() * 1e8)}`,
        type: pick(r, ["credit_card", "debit_card", "bank_transfer", "cryptocurrency", "digital_wallet", "gift_card"]),
        amount: pick(r, [money(r, 30000), fine(r, 30000), 4999.9999, 999.99, 1000, 4999.99, 5000, 9999.99, 10000, 25000, 0.5]),
        currency: "USD",
        channel: pick(r, ["web", "mobile", "pos", "api", "kiosk"]),
        timestamp: "2026-11-27T10:30:45Z",
        customer_id: "cust_1",
        metadata: { card_last_four: "4242", card_network: "Visa", save_for_future: r() < 0.5 },
      },
      merchant: { id: "merch_1", category: "retail", country: "US", processing_history: { total_transactions: 1256, average_amount: 175.5, chargeback_rate: 0.2 } },
      session: { ip_address: "192.0.2.1", device_id: "dev_1", browser: "Chrome", location: { country: "US", state: "CA", city: "San Francisco" } },
    };
  },
};

// What distinguishes one decision from another, to show the inputs reach every row.
const signature = {
  fraud: (o) => o.reason,
  returns: (o) => `${o.returnStatus?.code}/${o.resolution?.responsibleParty}`,
  payment: (o) => `${o.routing?.processing_instructions?.processor}/${o.routing?.processing_instructions?.priority}/${o.security?.fraud_scan_level}`,
};

// JSON with sorted keys: ZEN answers with sorted keys, ordex in document order.
const canon = (v) => JSON.stringify(v, (_, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

// The fraud table in json-rules-engine: a rule per row, by priority, first success wins.
function fraudRulesEngine() {
  const e = new RulesEngine([], { allowUndefinedFacts: true });
  e.addFact("ratio", (_, almanac) => Promise.all([almanac.factValue("transaction"), almanac.factValue("userProfile")])
    .then(([t, u]) => (typeof t?.amount === "number" && typeof u?.averageTransactionAmount === "number" ? t.amount / u.averageTransactionAmount : null)));
  e.addFact("foreign", (_, almanac) => Promise.all([almanac.factValue("transaction"), almanac.factValue("userProfile")])
    .then(([t, u]) => t?.location !== u?.homeCountry && !(t?.location == null && u?.homeCountry == null)));
  const rows = [
    [[["foreign", "equal", true], ["ratio", "greaterThan", 3]], 75, "high", "Unusual location with amount significantly above average"],
    [[["ratio", "greaterThan", 4], ["recent", "greaterThan", 3]], 80, "high", "Multiple high-value transactions in short timeframe"],
    [[["foreign", "equal", true], ["recent", "greaterThan", 5]], 70, "high", "Multiple foreign transactions in short timeframe"],
    [[["recent", "greaterThan", 3]], 45, "medium", "Multiple transactions in short timeframe"],
  ];
  rows.forEach(([conds, risk, flag, reason], i) => e.addRule({
    priority: 100 - i,
    conditions: { all: conds.map(([fact, operator, value]) => fact === "recent"
      ? { fact: "transaction", path: "$.recentCount", operator, value }
      : { fact, operator, value }) },
    event: { type: "hit", params: { risk, flag, reason } },
    onSuccess: (_, almanac) => almanac.addRuntimeFact("hit", true),
  }));
  return async (input) => {
    const { events } = await e.run(input);
    const p = events[0]?.params ?? { risk: 0, flag: "low", reason: "No suspicious patterns detected" };
    return { finalRiskScore: p.risk, requiresReview: p.flag === "high" || p.risk > 60, blockTransaction: p.risk > 75, reason: p.reason };
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const ratioText = (r) => `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;

async function rate(fn, input) {
  for (let i = 0; i < 50; i++) await fn(input);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await fn(input);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const graphs = [
  ["fraud", "realtime-fraud-detection", 11],
  ["returns", "returns-and-refund-policy", 22],
  ["payment", "payment-routing-and-fee-calculator", 33],
];
const zen = new ZenEngine();
const rows = [];
let failed = false;
for (const [entry, graph, seed] of graphs) {
  const jdm = JSON.parse(readFileSync(join(zenDir, `${graph}.json`), "utf8"));
  const decision = zen.createDecision(jdm);
  const bundleFile = join(mkdtempSync(join(tmpdir(), "ordex-peer-")), "bundle.json");
  execFileSync(ordexBin, ["bundle", join(root, "tests", "peers", "zen", entry), "--output", bundleFile]);
  const engine = Engine.fromBundle(readFileSync(bundleFile, "utf8"));
  const jre = entry === "fraud" ? fraudRulesEngine() : null;
  const r = rng(seed);
  const inputs = Array.from({ length: N }, () => JSON.parse(JSON.stringify(generators[entry](r))));
  let same = 0, jreSame = 0, first = null;
  const kinds = new Set();
  for (const input of inputs) {
    const result = (await decision.evaluate(input)).result;
    kinds.add(signature[entry](result));
    const expected = canon(result);
    const actual = canon(engine.evaluate(entry, input, NOW).ok);
    if (expected === actual) same++;
    else first ??= `input:  ${JSON.stringify(input)}\nzen:    ${expected}\nordex:  ${actual}`;
    if (jre && canon(await jre(input)) === expected) jreSame++;
  }
  if (same !== inputs.length) {
    failed = true;
    console.error(`${graph}: ${inputs.length - same} of ${inputs.length} answers differ; first:\n${first}`);
  }
  const sample = inputs[0];
  const runners = [["ordex", async (i) => engine.evaluate(entry, i, NOW)], ["zen", (i) => decision.evaluate(i)]];
  if (jre) runners.push(["jre", jre]);
  const perRound = [];
  for (let k = 0; k < rounds; k++) {
    const turn = k % 2 ? [...runners].reverse() : runners;
    const got = {};
    for (const [name, fn] of turn) got[name] = await rate(fn, sample);
    perRound.push(got);
  }
  const ordexRate = median(perRound.map((x) => x.ordex));
  const zenRate = median(perRound.map((x) => x.zen));
  const jreRate = jre ? median(perRound.map((x) => x.jre)) : null;
  const vsZen = spread(perRound.map((x) => x.ordex / x.zen));
  const vsJre = jre ? spread(perRound.map((x) => x.ordex / x.jre)) : null;
  rows.push({ graph, kinds: kinds.size, checked: inputs.length, same, jreSame: jre ? jreSame : null, ordexRate, zenRate, jreRate, vsZen, vsJre });
  console.log(`${graph}: ${kinds.size} distinct decisions, ${same}/${inputs.length} identical; median of ${rounds} rounds: ordex ${Math.round(ordexRate)}/s, zen ${Math.round(zenRate)}/s${jre ? `, json-rules-engine ${Math.round(jreRate)}/s (${jreSame}/${inputs.length} identical)` : ""}; ordex ÷ zen ${ratioText(vsZen)}`);
}
let md = `# ordex and its peers on ZEN's decision graphs\n\nRegenerate with \`node tests/js/peers.mjs --output docs/peers.md\` after \`bash wasm/js/build.sh\`.\n`;
md += `ZEN's three commerce graphs (MIT, gorules/zen test-data) ported to ordex rule packs in \`tests/peers/zen/\`: ZEN's decision tables as \`tables/*.csv\` chained with \`merge\` (pass-through), its expression nodes as rules with small helpers. Each port answers ${N} seeded inputs per graph, amounts with two, three and four decimal places among them, exactly as \`@gorules/zen-engine\` 0.54.0 does (canonical JSON). Speed: one input, sequential calls in one Node ${process.version} process, ${rounds} rounds of ${seconds} s per engine, the engines taking turns within a round (order alternating); evals/s are medians, ratios the median of the per-round ratios with their range: ordex through the npm package (\`engine.evaluate\`, JS object in and out), zen-engine's \`decision.evaluate\` (native N-API, async), json-rules-engine 7.3.1 where the decision fits its model. A shared 2-core machine: compare ratios.\n\n`;
md += `| graph | distinct decisions | inputs identical to ZEN | ordex evals/s | zen-engine evals/s | json-rules-engine evals/s | ordex ÷ zen | ordex ÷ json-rules-engine |\n|---|---|---|---|---|---|---|---|\n`;
for (const x of rows) {
  md += `| ${x.graph} | ${x.kinds} | ${x.same} / ${x.checked} | ${Math.round(x.ordexRate)} | ${Math.round(x.zenRate)} | ${x.jreRate ? `${Math.round(x.jreRate)} (${x.jreSame} / ${x.checked} identical)` : "not ported: chained tables with pass-through"} | ${ratioText(x.vsZen)} | ${x.vsJre ? ratioText(x.vsJre) : "—"} |\n`;
}
console.log(md);
if (output) writeFileSync(join(root, output), md);
process.exit(failed ? 1 : 0);
