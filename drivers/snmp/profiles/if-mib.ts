/** IF-MIB: per-interface status, HC octets as bit rates, errors and discards, labelled by ifName. */
import { type Block, counter, gauge } from "../profile.ts";

export const IF = {
  ifAdminStatus: "1.3.6.1.2.1.2.2.1.7",
  ifOperStatus: "1.3.6.1.2.1.2.2.1.8",
  ifInDiscards: "1.3.6.1.2.1.2.2.1.13",
  ifInErrors: "1.3.6.1.2.1.2.2.1.14",
  ifOutErrors: "1.3.6.1.2.1.2.2.1.20",
  ifName: "1.3.6.1.2.1.31.1.1.1.1",
  ifHCInOctets: "1.3.6.1.2.1.31.1.1.1.6",
  ifHCOutOctets: "1.3.6.1.2.1.31.1.1.1.10",
} as const;

const upDown = { 1: 1, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0 } as const;

export function ifMib(): Block {
  const l = ["ifname"] as const;
  return {
    name: "ifMib",
    metrics: [
      gauge("if_oper_up", "bool", "Interface operational status is up (ifOperStatus = up).", l),
      gauge("if_admin_up", "bool", "Interface is administratively up (ifAdminStatus = up).", l),
      gauge("if_in_bits_per_second", "bits/s", "Receive rate from ifHCInOctets deltas.", l),
      gauge("if_out_bits_per_second", "bits/s", "Transmit rate from ifHCOutOctets deltas.", l),
      counter("if_in_errors_total", "packets", "ifInErrors (Counter32).", l),
      counter("if_out_errors_total", "packets", "ifOutErrors (Counter32).", l),
      counter("if_in_discards_total", "packets", "ifInDiscards (Counter32).", l),
    ],
    tables: [
      {
        label: "ifname",
        labelOid: IF.ifName,
        columns: [
          { metric: "if_admin_up", oid: IF.ifAdminStatus, map: upDown },
          { metric: "if_oper_up", oid: IF.ifOperStatus, map: upDown },
          { metric: "if_in_discards_total", oid: IF.ifInDiscards, as: "counter", bits: 32 },
          { metric: "if_in_errors_total", oid: IF.ifInErrors, as: "counter", bits: 32 },
          { metric: "if_out_errors_total", oid: IF.ifOutErrors, as: "counter", bits: 32 },
          { metric: "if_in_bits_per_second", oid: IF.ifHCInOctets, as: "rate", bits: 64, scale: 8 },
          { metric: "if_out_bits_per_second", oid: IF.ifHCOutOctets, as: "rate", bits: 64, scale: 8 },
        ],
      },
    ],
  };
}
