// Headless Chromium for the parity runner and the benchmarks: Debian's
// `chromium` (CHROMIUM overrides the path) driven by playwright-core, with
// the flags that keep it from reaching the network.
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
