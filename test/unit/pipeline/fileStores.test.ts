/** The CLI's job file runs the same store contract as the Table and in-memory stores (docs/pipeline.md). */
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FileJobStore } from "../../../src/store/fileJobStore.js";
import { describeJobStoreContract } from "../../support/pipeline/storeContract.js";

describeJobStoreContract("file", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gm-contract-"));
  return FileJobStore.open(path.join(dir, "jobs.json"), { option: "--state" });
});
