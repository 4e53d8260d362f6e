/** `npm run bench`: every benchmark, one line each. Benchmarks print; they assert nothing. */
import { run as snmp } from "./snmp.ts";

await snmp();
