// Runs swagger-mock-validator on many (document, pact) pairs in one Node process.
//
// Usage: node smv_side_by_side.mjs PACKAGE_DIR JOBS_JSON
// PACKAGE_DIR is the installed @pactflow/swagger-mock-validator; JOBS_JSON is a
// file holding [{"id", "spec", "pact", "folder"}, ...] (paths): each job runs in
// its folder, the original document's, because SMV hands the parsed document to
// swagger-parser without its path, so a relative file $ref is read from the
// working folder (SMV's spec-parser/validate-and-dereference-spec.ts). Prints one JSON array
// to stdout: per job {"id", "outcome", "errors", "warnings", "crash"}, where
// outcome is "pass", "fail", or "crash" (validate threw: SMV could not read the
// document or the pact), errors/warnings are SMV's issue codes and crash its message.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [packageDir, jobsFile] = process.argv.slice(2);
const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8"));
const entry = join(packageDir, manifest.exports["."]);
const { SwaggerMockValidatorFactory } = await import(pathToFileURL(entry).href);
const validator = SwaggerMockValidatorFactory.create();

const results = [];
for (const job of JSON.parse(await readFile(jobsFile, "utf8"))) {
  process.chdir(job.folder);
  try {
    const outcome = await validator.validate({
      mockPathOrUrl: job.pact,
      specPathOrUrl: job.spec,
    });
    results.push({
      id: job.id,
      outcome: outcome.success ? "pass" : "fail",
      errors: outcome.errors.map((issue) => issue.code),
      warnings: outcome.warnings.map((issue) => issue.code),
      crash: null,
    });
  } catch (error) {
    results.push({
      id: job.id,
      outcome: "crash",
      errors: [],
      warnings: [],
      crash: String(error?.message ?? error).split("\n")[0],
    });
  }
}
process.stdout.write(JSON.stringify(results));
