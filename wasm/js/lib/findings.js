// Which checkout findings a shopper may see: every `block` and `warn`, and
// an `info` only when it offers a correction (a ZIP+4 written out). Other
// `info` findings are risk signals (a card from another country, a
// throwaway email domain) for the merchant: showing them tells a fraudster
// what was noticed. Storefront pages and edge workers use the same rule.

/** The findings to show the shopper, in their order. */
export function shopperFindings(findings) {
  return findings.filter((f) => f.severity !== "info" || typeof f.suggestion === "string");
}
