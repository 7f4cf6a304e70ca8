/** Kept in step with package.json by test/unit/version.test.ts; used in the Graph User-Agent. */
export const VERSION = "0.1.0";
