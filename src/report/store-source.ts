/**
 * The ReportSource over the daemon's store. Issue 5 (availability ledger and tickets) owns the tables;
 * the integrator implements this function over them (see source.ts for the contract and
 * memory-source.ts for a reference implementation). Until then the CLI, the API and the schedule need
 * an explicit source (`emcomm report --source FILE`, or `source` in their deps).
 */
import type { Db } from "../store/db.ts";
import type { ReportSource } from "./source.ts";

export function storeReportSource(_db: Db): ReportSource | null {
  return null;
}
