/** Every dashboard, by file name under grafana/dashboards/. */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { device } from "./device.ts";
import { network } from "./network.ts";
import { nocWall } from "./noc-wall.ts";
import { power } from "./power.ts";
import { radio } from "./radio.ts";
import { satellite } from "./satellite.ts";
import { sla } from "./sla.ts";

export const dashboards: Readonly<Record<string, Dashboard>> = {
  "noc-wall": nocWall,
  satellite,
  power,
  network,
  radio,
  sla,
  device,
};
