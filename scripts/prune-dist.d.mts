// Types of scripts/prune-dist.mjs for the tests (test/unit/build/pruneDist.test.ts) and test/support/builtApp.ts.
export function pruneDist(repoDir: string): string[];
