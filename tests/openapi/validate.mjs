// Validates resources/openapi.json against the official OpenAPI 3.1 JSON schema (and checks
// that every $ref resolves) with @seriousme/openapi-schema-validator, pinned by
// package-lock.json (`npm ci` in this folder: scripts/test.sh does it).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] ?? path.join(here, "..", "..", "resources", "openapi.json");

let Validator;
try {
    ({ Validator } = await import("@seriousme/openapi-schema-validator"));
} catch {
    console.error("openapi_validate: run `npm ci` in tests/openapi (scripts/test.sh does)");
    process.exit(1);
}
const document = JSON.parse(await readFile(file, "utf8"));
const validator = new Validator();
const result = await validator.validate(document);
if (!result.valid) {
    console.error(`${file}: not valid OpenAPI ${validator.version}:`);
    console.error(JSON.stringify(result.errors, null, 2));
    process.exit(1);
}
if (validator.version !== "3.1") {
    console.error(`${file}: OpenAPI ${validator.version}, expected 3.1`);
    process.exit(1);
}
console.log(`${file}: valid OpenAPI ${validator.version}`);
