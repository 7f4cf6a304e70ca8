/**
 * One SFTP pool per process, built from the SFTP settings the first time an sftp source is opened: a process
 * that never reads over SFTP never parses them, and a bad SFTP setting fails only the sftp jobs, naming the
 * setting and the rule (ConfigError).
 */
import type { Env } from "../../config/auth.js";
import { parseSftpConfig } from "../../config/sftp.js";
import { SftpPool } from "./pool.js";

export function lazySftpPool(env: Env): () => SftpPool {
  let pool: SftpPool | undefined;
  return () => {
    pool ??= new SftpPool(parseSftpConfig(env));
    return pool;
  };
}
