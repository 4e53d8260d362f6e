/** HOST-RESOURCES-MIB (servers, PBX hosts): processor load per CPU and process count. */
import { type Block, gauge } from "../profile.ts";

export const HR = {
  hrSystemProcesses: "1.3.6.1.2.1.25.1.6.0",
  hrProcessorLoad: "1.3.6.1.2.1.25.3.3.1.2",
} as const;

export function hostResources(): Block {
  return {
    name: "hostResources",
    metrics: [
      gauge("cpu_usage_percent", "percent", "Processor load over the last minute (hrProcessorLoad).", [
        "entity",
      ]),
      gauge("host_processes", "count", "Processes running (hrSystemProcesses)."),
    ],
    scalars: [{ metric: "host_processes", oid: HR.hrSystemProcesses, required: false }],
    tables: [{ label: "entity", columns: [{ metric: "cpu_usage_percent", oid: HR.hrProcessorLoad }] }],
  };
}
