// Parity runner, Node: answers every call envelope of a corpus (NDJSON) with
// the npm package's Node build, one answer per line, in order.
//   node node.mjs <bundle.json> <corpus.ndjson> <answers.ndjson>
import { readFileSync, writeFileSync } from "node:fs";
import { Engine } from "../../../wasm/js/pkg/node.mjs";

const [bundlePath, corpusPath, outPath] = process.argv.slice(2);
const engine = Engine.fromBundle(readFileSync(bundlePath, "utf8"));
const calls = readFileSync(corpusPath, "utf8").split("\n").filter((l) => l.length > 0);
const answers = calls.map((call) => engine.evaluateJson(call));
writeFileSync(outPath, answers.join("\n") + "\n");
console.log(`node: ${answers.length} answers, bundle ${engine.bundleId}`);
